import { Emitter } from '../disposable.js';
import type { RpcMessage, RpcTransport } from './protocol.js';

/** Two connected in-memory transports, for tests. Messages are cloned and delivered asynchronously like real IPC. */
export function createMemoryTransportPair(): [RpcTransport, RpcTransport] {
  const inbox = [new Emitter<RpcMessage>(), new Emitter<RpcMessage>()] as const;
  const closed = new Emitter<void>();
  let isClosed = false;
  const make = (self: 0 | 1): RpcTransport => ({
    send(message) {
      if (isClosed) throw new Error('transport closed');
      const copy = structuredClone(message);
      queueMicrotask(() => inbox[self === 0 ? 1 : 0].fire(copy));
    },
    onMessage: (listener) => inbox[self].event(listener),
    onClose: (listener) => closed.event(listener),
    close() {
      if (isClosed) return;
      isClosed = true;
      queueMicrotask(() => closed.fire());
    },
  });
  return [make(0), make(1)];
}
