import type { RpcMessage } from '@assistant/core';

/**
 * The one object the Electron preload exposes to the renderer (frozen, via contextBridge). It carries
 * RPC messages of the host contract and nothing else: no ipcRenderer, no Node.
 */
export interface AssistantBridge {
  send(message: RpcMessage): void;
  /** Returns an unsubscribe function. */
  onMessage(listener: (message: RpcMessage) => void): () => void;
}

/** The IPC channel name, shared by preload and main. */
export const rpcChannel = 'assistant:rpc';

declare global {
  interface Window {
    assistantBridge?: AssistantBridge;
  }
}
