import { Emitter } from '../../common/disposable.js';
import { isRpcMessage, type RpcMessage, type RpcTransport } from '../../common/rpc/protocol.js';

/** Electron's utilityProcess side of the channel, declared structurally so packages never import electron. */
interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/**
 * The worker's side of its channel to the host: `process.parentPort` in an Electron utility process,
 * `process.send` in a child_process. One worker entry works under both.
 */
export function connectParentTransport(): RpcTransport {
  const messages = new Emitter<RpcMessage>();
  const closed = new Emitter<void>();
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  const deliver = (value: unknown) => {
    if (isRpcMessage(value)) messages.fire(value);
  };

  if (parentPort) {
    parentPort.on('message', (event) => deliver(event.data));
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: messages.event,
      onClose: closed.event,
      close: () => process.exit(0),
    };
  }

  if (!process.send) throw new Error('This worker must be started by the assistant host (no IPC channel).');
  process.on('message', deliver);
  // An orphaned worker must not outlive its host.
  process.on('disconnect', () => {
    closed.fire();
    process.exit(0);
  });
  // Messages handed to process.send but not yet written to the pipe: a producer waits for them (drained).
  let unsent = 0;
  let waiting: (() => void)[] = [];
  const sent = () => {
    if (--unsent > 0) return;
    const resolve = waiting;
    waiting = [];
    for (const done of resolve) done();
  };
  return {
    send(message) {
      if (!process.send) return;
      unsent++;
      process.send(message, undefined, undefined, sent);
    },
    onMessage: messages.event,
    onClose: closed.event,
    close: () => process.disconnect?.(),
    drained: () => (unsent === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
  };
}
