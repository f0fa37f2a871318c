import type { Disposable } from '../disposable.js';
import type { ErrorPayload } from '../errors.js';

/**
 * The wire protocol every transport carries. Requests and streams share `call`: a stream sends `item`
 * messages before its `result`. Cancellation travels as its own message with the request id.
 */
export type RpcMessage =
  | { t: 'call'; id: number; name: string; input: unknown }
  | { t: 'cancel'; id: number }
  | { t: 'item'; id: number; item: unknown }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: ErrorPayload }
  | { t: 'event'; name: string; payload: unknown };

/**
 * A bidirectional message pipe: Electron IPC, a WebSocket, worker IPC or an in-memory pair.
 * Transports move structured-cloneable values; they do not interpret them.
 */
export interface RpcTransport {
  send(message: RpcMessage): void;
  onMessage(listener: (message: RpcMessage) => void): Disposable;
  onClose(listener: () => void): Disposable;
  close(): void;
  /** Resolves once everything sent so far has left this process (flow control for a fast producer), where the transport can tell. */
  drained?(): Promise<void>;
}

export function isRpcMessage(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { t?: unknown; id?: unknown; name?: unknown };
  switch (message.t) {
    case 'call':
      return typeof message.id === 'number' && typeof message.name === 'string';
    case 'cancel':
    case 'item':
    case 'result':
      return typeof message.id === 'number';
    case 'event':
      return typeof message.name === 'string';
    default:
      return false;
  }
}
