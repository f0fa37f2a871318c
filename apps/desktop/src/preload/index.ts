// The sandboxed preload (built to out/preload/index.cjs: sandboxed preloads must be CommonJS and may only
// require 'electron'). It exposes one frozen object that carries host-contract RPC messages, plus the path
// of a dropped file, "open this document" and the push-to-talk hotkey — and nothing else: neither
// ipcRenderer nor the IPC event object reaches the page.
import { type IpcRendererEvent, contextBridge, ipcRenderer, webUtils } from 'electron';
import { type AssistantBridge, type OpenDocumentResult, openDocumentChannel, pushToTalkChannel, rpcChannel } from '../shared/bridge.js';

const bridge: AssistantBridge = Object.freeze({
  send(message) {
    ipcRenderer.send(rpcChannel, message);
  },
  onMessage(listener) {
    const wrapped = (_event: IpcRendererEvent, message: Parameters<typeof listener>[0]) => listener(message);
    ipcRenderer.on(rpcChannel, wrapped);
    return () => {
      ipcRenderer.removeListener(rpcChannel, wrapped);
    };
  },
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file);
    } catch {
      // Not a real File (a page-made object): it has no path.
      return '';
    }
  },
  openDocument(request) {
    // Only the two fields cross; main checks them again (the page is untrusted).
    const page = typeof request.page === 'number' && Number.isInteger(request.page) ? request.page : null;
    return ipcRenderer.invoke(openDocumentChannel, { path: String(request.path), page }) as Promise<OpenDocumentResult>;
  },
  onPushToTalk(listener) {
    // Only the boolean crosses, never the IPC event.
    const wrapped = (_event: IpcRendererEvent, message: unknown) => listener({ pressed: (message as { pressed?: unknown } | null)?.pressed === true });
    ipcRenderer.on(pushToTalkChannel, wrapped);
    return () => {
      ipcRenderer.removeListener(pushToTalkChannel, wrapped);
    };
  },
} satisfies AssistantBridge);

contextBridge.exposeInMainWorld('assistantBridge', bridge);
