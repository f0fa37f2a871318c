import type { RpcMessage } from '@assistant/core';

/** Where a citation points: the document's file and, for PDFs, the 1-based page. */
export interface OpenDocumentRequest {
  path: string;
  page: number | null;
}

/** What main did: opened it (own viewer or the system's app), showed it in its folder, or refused with a plain sentence. */
export type OpenDocumentResult = { ok: true; how: 'viewer' | 'system' | 'folder' } | { ok: false; message: string };

/**
 * The one object the Electron preload exposes to the renderer (frozen, via contextBridge). It carries
 * RPC messages of the host contract, plus two desktop-only helpers the contract cannot offer: the real
 * path of a dropped file and opening a document at a citation. No ipcRenderer, no Node.
 */
export interface AssistantBridge {
  send(message: RpcMessage): void;
  /** Returns an unsubscribe function. */
  onMessage(listener: (message: RpcMessage) => void): () => void;
  /** The absolute path of a dropped or picked File (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: File): string;
  /** Opens a cited document: PDFs at the page in a viewer window, other formats with the system's app. */
  openDocument(request: OpenDocumentRequest): Promise<OpenDocumentResult>;
  /** The global push-to-talk hotkey (a toggle: globalShortcut has no key-up). Returns an unsubscribe function. */
  onPushToTalk(listener: (event: PushToTalkEvent) => void): () => void;
}

export interface PushToTalkEvent {
  pressed: boolean;
}

/** The IPC channel names, shared by preload and main. */
export const rpcChannel = 'assistant:rpc';
export const openDocumentChannel = 'assistant:open-document';
export const pushToTalkChannel = 'assistant:push-to-talk';

declare global {
  interface Window {
    assistantBridge?: AssistantBridge;
  }
}
