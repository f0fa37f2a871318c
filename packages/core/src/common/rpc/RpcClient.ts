import type { Contract, ContractClient, StreamOptions } from '../contract/defineContract.js';
import { Emitter, type Disposable, toDisposable } from '../disposable.js';
import { AssistantError, ErrorCode, cancelledError, fromErrorPayload } from '../errors.js';
import type { RpcMessage, RpcTransport } from './protocol.js';

export interface RpcClientOptions {
  /** Validate results, items and events against the contract (for peers we do not fully trust). */
  validate?: boolean;
  /** The error pending calls get when the transport closes. */
  closedError?: () => AssistantError;
}

interface Pending {
  name: string;
  resolve(value: unknown): void;
  reject(error: AssistantError): void;
  onItem?: (item: unknown) => void;
}

export function createRpcClient<C extends Contract>(contract: C, transport: RpcTransport, options: RpcClientOptions = {}): ContractClient<C> {
  const pending = new Map<number, Pending>();
  const eventEmitters = new Map<string, Emitter<unknown>>();
  const closeEmitter = new Emitter<void>();
  const closedError = options.closedError ?? (() => new AssistantError(ErrorCode.TransportClosed, 'The connection closed before the call finished.'));
  let nextId = 1;
  let closed = false;

  const parse = (schema: { parse(value: unknown): unknown }, value: unknown): unknown => (options.validate ? schema.parse(value) : value);

  const messageListener = transport.onMessage((message: RpcMessage) => {
    if (message.t === 'event') {
      const spec = contract[message.name];
      if (!spec || spec.kind !== 'event') return;
      eventEmitters.get(message.name)?.fire(parse(spec.payload, message.payload));
      return;
    }
    if (message.t !== 'item' && message.t !== 'result') return;
    const call = pending.get(message.id);
    if (!call) return;
    const spec = contract[call.name] as { output: { parse(v: unknown): unknown }; item?: { parse(v: unknown): unknown } };
    try {
      if (message.t === 'item') {
        call.onItem?.(spec.item ? parse(spec.item, message.item) : message.item);
        return;
      }
      pending.delete(message.id);
      if (message.ok) call.resolve(parse(spec.output, message.value));
      else call.reject(fromErrorPayload(message.error));
    } catch (error) {
      pending.delete(message.id);
      call.reject(new AssistantError(ErrorCode.Internal, `Malformed reply to ${call.name}: ${(error as Error).message}`));
    }
  });

  const closeListener = transport.onClose(() => {
    if (closed) return;
    closed = true;
    for (const call of pending.values()) call.reject(closedError());
    pending.clear();
    closeEmitter.fire();
  });

  function invoke(name: string, input: unknown, signal: AbortSignal | undefined, onItem?: (item: unknown) => void): Promise<unknown> {
    if (closed) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(cancelledError());
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => transport.send({ t: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      pending.set(id, {
        name,
        onItem,
        resolve: (value) => (settle(), resolve(value)),
        reject: (error) => (settle(), reject(error)),
      });
      try {
        transport.send({ t: 'call', id, name, input });
      } catch (error) {
        pending.delete(id);
        settle();
        reject(new AssistantError(ErrorCode.TransportClosed, `Could not send ${name}: ${(error as Error).message}`));
      }
    });
  }

  return {
    call: (name, input, callOptions) => invoke(name, input, callOptions?.signal) as never,
    stream: (name, input, streamOptions: StreamOptions<never>) => invoke(name, input, streamOptions.signal, streamOptions.onItem as (item: unknown) => void) as never,
    on(name, listener) {
      let emitter = eventEmitters.get(name);
      if (!emitter) eventEmitters.set(name, (emitter = new Emitter()));
      return emitter.event(listener as (payload: unknown) => void);
    },
    onClose(listener): Disposable {
      if (closed) {
        queueMicrotask(listener);
        return toDisposable(() => {});
      }
      return closeEmitter.event(listener);
    },
    dispose() {
      messageListener.dispose();
      closeListener.dispose();
      if (!closed) {
        closed = true;
        for (const call of pending.values()) call.reject(closedError());
        pending.clear();
      }
    },
  };
}
