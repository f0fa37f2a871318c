import { Emitter } from '../disposable.js';
import { isRpcMessage, type RpcMessage, type RpcTransport } from './protocol.js';

/** The part of the WHATWG WebSocket this transport needs; browsers and Node 22+ both provide it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close' | 'open' | 'error', listener: () => void): void;
}

const OPEN = 1;

/** The browser side of the WebSocket transport (JSON text frames). */
export function createWebSocketTransport(socket: WebSocketLike): RpcTransport {
  const messages = new Emitter<RpcMessage>();
  const closed = new Emitter<void>();
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      return;
    }
    if (isRpcMessage(parsed)) messages.fire(parsed);
  });
  // A failed connection (in Node's ws: a frame over maxPayload, a protocol error) reports 'error' and then
  // closes. Node treats an 'error' nobody listens to as fatal to the whole process, so it is always heard;
  // the close that follows ends this connection only.
  socket.addEventListener('error', () => {});
  socket.addEventListener('close', () => closed.fire());
  return {
    send(message) {
      if (socket.readyState !== OPEN) throw new Error('WebSocket is not open');
      socket.send(JSON.stringify(message));
    },
    onMessage: messages.event,
    onClose: closed.event,
    close: () => socket.close(),
  };
}
