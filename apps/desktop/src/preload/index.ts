// The sandboxed preload (built to out/preload/index.cjs: sandboxed preloads must be CommonJS and may only
// require 'electron'). It exposes one frozen object that carries host-contract RPC messages and nothing
// else: neither ipcRenderer nor the IPC event object reaches the page.
import { type IpcRendererEvent, contextBridge, ipcRenderer } from 'electron';
import { type AssistantBridge, rpcChannel } from '../shared/bridge.js';

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
} satisfies AssistantBridge);

contextBridge.exposeInMainWorld('assistantBridge', bridge);
