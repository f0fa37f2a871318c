import type { ContractClient } from '../../common/contract/defineContract.js';
import type { InferenceContract } from '../../common/contract/inferenceContract.js';
import type { InstalledModel, ModelState } from '../../common/contract/schemas.js';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode, toErrorPayload } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import type { ModelManager } from '../models/ModelManager.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';

export interface ChatModelServiceOptions {
  models: ModelManager;
  settings: SettingsStore;
  supervisor: WorkerSupervisor<InferenceContract>;
  logger: Logger;
  /** `--model NAME|PATH`: wins over the setting for this run. */
  override?: string | null;
}

/**
 * Which chat model is in use and whether the current worker has it loaded. A restarted worker starts
 * empty, so the model is reloaded per worker incarnation (and eagerly after a crash if it was loaded).
 */
export class ChatModelService {
  private resolved: InstalledModel | null = null;
  private resolveError: AssistantError | null = null;
  private loadedFor: { generation: number; key: string } | null = null;
  private loading: Promise<void> | null = null;
  private current: ModelState = { status: 'none', name: null, path: null, threads: null, contextSize: null, error: null };
  private readonly changed = new Emitter<ModelState>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: ChatModelServiceOptions) {
    options.supervisor.onDidStart(() => {
      const wasReady = this.current.status === 'ready';
      this.loadedFor = null;
      if (this.resolved) this.set({ status: 'idle' });
      if (wasReady) void this.ensureLoaded().catch(() => {});
    });
    options.settings.onDidChange(({ keys }) => {
      if (!keys.some((key) => key === 'chatModel' || key === 'threads' || key === 'contextSize' || key === 'contextSequences')) return;
      const wasReady = this.current.status === 'ready';
      void this.refresh().then(() => (wasReady ? this.ensureLoaded() : undefined)).catch(() => {});
    });
  }

  get state(): ModelState {
    return this.current;
  }

  /** True when no chat model can be found: the UI shows the setup screen. */
  get setupNeeded(): boolean {
    return this.resolved === null && this.resolveError === null;
  }

  /** Re-reads the installed models and the setting (after pull, import or a settings change). */
  async refresh(): Promise<void> {
    const requested = this.options.override ?? this.options.settings.get().chatModel;
    try {
      this.resolved = await this.options.models.resolveChatModel(requested);
      this.resolveError = null;
    } catch (error) {
      this.resolved = null;
      this.resolveError = error instanceof AssistantError ? error : new AssistantError(ErrorCode.ModelNotFound, String(error));
    }
    if (this.loadedFor && this.loadedFor.key !== this.key()) this.loadedFor = null;
    if (this.resolveError) this.set({ status: 'error', name: requested ?? null, path: null, error: this.resolveError.toPayload() });
    else if (!this.resolved) this.set({ status: 'none', name: null, path: null, error: null });
    else if (!this.loadedFor) this.set({ status: 'idle', name: this.resolved.name, path: this.resolved.path, error: null });
  }

  /** The current worker's client if the model is loaded there; synchronous, so a turn can start without a tick. */
  readyClient(): ContractClient<InferenceContract> | null {
    const ready = this.options.supervisor.readyClient();
    return ready && this.loadedFor?.generation === ready.generation && this.loadedFor.key === this.key() ? ready.client : null;
  }

  /** Loads the model into the current worker if it is not loaded there yet; returns that worker's client. */
  async ensureLoaded(signal?: AbortSignal): Promise<ContractClient<InferenceContract>> {
    for (;;) {
      if (this.resolveError) throw this.resolveError;
      if (!this.resolved) {
        throw new AssistantError(ErrorCode.NoChatModel, 'No chat model is installed. Open the setup screen, or run `npm run assistant -- models pull qwen2.5-1.5b-instruct-q4_k_m`.');
      }
      const { client, generation } = await this.options.supervisor.client();
      if (this.loadedFor?.generation === generation && this.loadedFor.key === this.key()) return client;
      if (this.loading) {
        await this.loading.catch(() => {});
        continue;
      }
      this.loading = this.load(client, generation, this.resolved, signal);
      try {
        await this.loading;
      } finally {
        this.loading = null;
      }
    }
  }

  private async load(client: ContractClient<InferenceContract>, generation: number, model: InstalledModel, signal?: AbortSignal): Promise<void> {
    const settings = this.options.settings.get();
    const key = this.key();
    this.set({ status: 'loading', name: model.name, path: model.path, error: null });
    try {
      const loaded = await this.options.supervisor.run((worker) => worker.call('model.load', { modelPath: model.path, threads: settings.threads, contextSize: settings.contextSize, sequences: settings.contextSequences }, { signal }));
      this.loadedFor = { generation, key };
      this.options.logger.info('chat model loaded', { model: model.name, threads: loaded.threads, contextSize: loaded.contextSize });
      this.set({ status: 'ready', threads: loaded.threads, contextSize: loaded.contextSize, error: null });
    } catch (error) {
      const payload = toErrorPayload(error);
      this.options.logger.warn('chat model failed to load', { model: model.name, ...payload });
      this.set({ status: payload.code === ErrorCode.Cancelled ? 'idle' : 'error', error: payload.code === ErrorCode.Cancelled ? null : payload });
      throw error;
    }
  }

  private key(): string {
    const { threads, contextSize, contextSequences } = this.options.settings.get();
    return JSON.stringify([this.resolved?.path, threads, contextSize, contextSequences]);
  }

  private set(patch: Partial<ModelState>): void {
    this.current = { ...this.current, ...patch };
    if (patch.status && patch.status !== 'ready') this.current = { ...this.current, threads: patch.threads ?? null, contextSize: patch.contextSize ?? null };
    this.changed.fire(this.current);
  }
}
