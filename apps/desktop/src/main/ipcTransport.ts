import { type Disposable, Emitter, type RpcMessage, type RpcTransport, isRpcMessage, toDisposable } from '@assistant/core';
import { type IpcMainEvent, type WebContents, ipcMain } from 'electron';
import { rpcChannel } from '../shared/bridge.js';

type NavigationDetails = { isMainFrame: boolean; isSameDocument: boolean };

/** A navigation that replaces the top-level document: a reload or a new page, not a hash change or an iframe. */
const replacesDocument = (details: NavigationDetails) => details.isMainFrame && !details.isSameDocument;

/**
 * The host contract's transport for one renderer document, over ipcMain and `webContents.send`.
 *
 * A document is one session: the transport closes when the window's contents are destroyed, when the
 * renderer process dies, and when the top-level document is replaced (reload, navigation). The page that
 * follows gets a fresh transport from `serveWebContents`. Only messages from this webContents' top-level
 * frame that have the RPC shape are delivered; the host validates their payloads against the contract.
 */
export function createIpcTransport(webContents: WebContents): RpcTransport {
  const messages = new Emitter<RpcMessage>();
  const closed = new Emitter<void>();
  let isClosed = false;

  const onIpc = (event: IpcMainEvent, message: unknown) => {
    if (isClosed || event.sender !== webContents) return;
    // senderFrame is null once the sending document is gone, and has a parent for an iframe.
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return;
    if (!isRpcMessage(message)) return;
    messages.fire(message);
  };
  const onNavigation = (details: NavigationDetails) => {
    if (replacesDocument(details)) close();
  };
  const onGone = () => close();

  function close(): void {
    if (isClosed) return;
    isClosed = true;
    ipcMain.removeListener(rpcChannel, onIpc);
    webContents.removeListener('did-start-navigation', onNavigation);
    webContents.removeListener('render-process-gone', onGone);
    webContents.removeListener('destroyed', onGone);
    closed.fire();
    messages.dispose();
    closed.dispose();
  }

  ipcMain.on(rpcChannel, onIpc);
  webContents.on('did-start-navigation', onNavigation);
  webContents.on('render-process-gone', onGone);
  webContents.on('destroyed', onGone);

  return {
    send(message) {
      // A closed session or a destroyed window has nobody to read the message (like a closed socket).
      if (isClosed || webContents.isDestroyed()) return;
      webContents.send(rpcChannel, message);
    },
    onMessage: (listener) => (isClosed ? toDisposable(() => {}) : messages.event(listener)),
    onClose(listener) {
      if (!isClosed) return closed.event(listener);
      queueMicrotask(listener);
      return toDisposable(() => {});
    },
    close,
  };
}

/**
 * Keeps one host session per document in a window: a session starts as soon as a top-level navigation
 * starts (before the new page runs any script, so its first call is never lost) and ends with the
 * document, which is how a reload keeps working.
 */
export function serveWebContents(webContents: WebContents, connect: (transport: RpcTransport) => Disposable): Disposable {
  let session: { transport: RpcTransport; connection: Disposable } | null = null;

  const end = () => {
    if (!session) return;
    const { transport, connection } = session;
    session = null;
    connection.dispose();
    transport.close();
  };
  const start = () => {
    end();
    if (webContents.isDestroyed()) return;
    const transport = createIpcTransport(webContents);
    session = { transport, connection: connect(transport) };
  };
  const onNavigation = (details: NavigationDetails) => {
    if (replacesDocument(details)) start();
  };

  // Registered before the transport's own listeners, so on a reload the old session ends first and the
  // new one is created in the same dispatch (Node's EventEmitter does not call listeners added meanwhile).
  webContents.on('did-start-navigation', onNavigation);
  const stop = toDisposable(() => {
    webContents.removeListener('did-start-navigation', onNavigation);
    end();
  });
  webContents.once('destroyed', () => stop.dispose());
  start();
  return stop;
}
