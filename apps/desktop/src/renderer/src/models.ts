import { ErrorCode, toErrorPayload, type ErrorPayload, type ModelsList, type PullProgress } from '@assistant/core';
import type { StoreApi } from 'zustand';
import type { AssistantState } from './store';

export type ModelCatalog = ModelsList;

export type DownloadStatus = 'downloading' | 'paused' | 'failed';

export interface DownloadState {
  status: DownloadStatus;
  /** The last report; kept while paused or failed so a resume continues the bar instead of restarting it. */
  progress: PullProgress | null;
  error: ErrorPayload | null;
  /** Aborting it asks the host to stop; the host keeps the partial file so the next pull resumes. */
  controller: AbortController;
  /** Cancel was pressed and the host has not confirmed yet (a resume before that would be refused as BUSY). */
  cancelling: boolean;
}

/** The setup panel's part of the store: the catalog and in-app downloads. */
export interface ModelsSlice {
  models: ModelCatalog | null;
  /** Model id -> its download in this window. In the store so it survives re-renders and switching conversations. */
  downloads: Record<string, DownloadState>;

  loadModels(): Promise<void>;
  /** "Check again": picks up models installed from a terminal or copied in, without a restart. */
  checkSetup(): Promise<void>;
  /** Downloads a catalog model, resuming a paused or failed download. One download per model, several models at once. */
  downloadModel(id: string): Promise<void>;
  cancelDownload(id: string): void;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

export function createModelsSlice(set: SetState, get: GetState): ModelsSlice {
  /** Updates a download only while `controller`'s attempt still owns it; null removes it. */
  function update(id: string, controller: AbortController, change: Partial<DownloadState> | null): void {
    set((s) => {
      const current = s.downloads[id];
      if (current?.controller !== controller) return {};
      const downloads = { ...s.downloads };
      if (change) downloads[id] = { ...current, ...change };
      else delete downloads[id];
      return { downloads };
    });
  }

  return {
    models: null,
    downloads: {},

    async loadModels() {
      const client = get().client;
      if (!client) return;
      try {
        set({ models: await client.call('models.list', {}) });
      } catch (error) {
        get().reportError(error);
      }
    },

    async checkSetup() {
      const client = get().client;
      if (!client) return;
      try {
        // The host reads the models folder again and publishes the new state (the setup screen goes away).
        set({ models: await client.call('models.rescan', {}) });
      } catch (error) {
        get().reportError(error);
      }
      await get().refreshState();
    },

    async downloadModel(id) {
      const { client, downloads } = get();
      const previous = downloads[id];
      if (!client || previous?.status === 'downloading') return;
      const controller = new AbortController();
      set((s) => ({
        downloads: { ...s.downloads, [id]: { status: 'downloading', progress: previous?.progress ?? null, error: null, controller, cancelling: false } },
      }));
      try {
        await client.stream('models.pull', { id }, { signal: controller.signal, onItem: (progress) => update(id, controller, { progress }) });
        // Refresh before dropping the entry, so the row goes from the bar to "Installed", never back to "Download".
        await get().loadModels();
        update(id, controller, null);
      } catch (error) {
        const payload = toErrorPayload(error);
        // The host confirms a cancel only once it has stopped writing, so "Resume" cannot hit BUSY.
        const paused = payload.code === ErrorCode.Cancelled;
        update(id, controller, paused ? { status: 'paused', cancelling: false } : { status: 'failed', error: payload, cancelling: false });
      }
    },

    cancelDownload(id) {
      const download = get().downloads[id];
      if (download?.status !== 'downloading' || download.cancelling) return;
      update(id, download.controller, { cancelling: true });
      download.controller.abort();
    },
  };
}
