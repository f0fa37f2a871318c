import type { Contract, ContractHandlers, EventPublisher, StreamHandlerContext } from '../contract/defineContract.js';
import { DisposableStore, type Disposable, toDisposable } from '../disposable.js';
import { AssistantError, ErrorCode, toErrorPayload } from '../errors.js';
import { isRpcMessage, type RpcTransport } from './protocol.js';

export interface RpcServerOptions {
  /** Called with every failed call, for logging; the caller already got `{ok:false}`. */
  onError?: (name: string, error: unknown) => void;
}

export interface RpcServer<C extends Contract> extends Disposable {
  publish: EventPublisher<C>;
}

/**
 * Serves a contract over a transport. Every incoming payload is validated against its schema before a
 * handler sees it: the other side (a renderer, a web page) is untrusted input.
 */
export function serveRpc<C extends Contract>(contract: C, transport: RpcTransport, handlers: NoInfer<ContractHandlers<C>>, options: RpcServerOptions = {}): RpcServer<C> {
  const running = new Map<number, AbortController>();
  const store = new DisposableStore();

  const reply = (id: number, result: { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof toErrorPayload> }) => {
    try {
      transport.send({ t: 'result', id, ...result });
    } catch {
      // The peer is gone; nothing left to tell it.
    }
  };

  async function handleCall(id: number, name: string, rawInput: unknown): Promise<void> {
    const spec = Object.hasOwn(contract, name) ? contract[name] : undefined;
    if (!spec || spec.kind === 'event') {
      reply(id, { ok: false, error: { code: ErrorCode.UnknownMethod, message: `Unknown method "${name}".` } });
      return;
    }
    const parsed = spec.input.safeParse(rawInput);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'input';
      reply(id, { ok: false, error: { code: ErrorCode.InvalidInput, message: `Invalid ${name} request: ${field}: ${issue?.message ?? 'invalid'}.` } });
      return;
    }
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const handler = (handlers as Record<string, (input: unknown, context: StreamHandlerContext<unknown>) => unknown>)[name];
      if (!handler) throw new AssistantError(ErrorCode.UnknownMethod, `No handler for "${name}".`);
      const context: StreamHandlerContext<unknown> = {
        signal: controller.signal,
        emit: (item) => {
          if (controller.signal.aborted) return;
          try {
            transport.send({ t: 'item', id, item });
          } catch {
            // The peer is gone; its close aborts this call.
          }
        },
      };
      const value = await handler(parsed.data, context);
      reply(id, { ok: true, value });
    } catch (error) {
      options.onError?.(name, error);
      reply(id, { ok: false, error: toErrorPayload(error) });
    } finally {
      running.delete(id);
    }
  }

  store.add(
    transport.onMessage((message) => {
      if (!isRpcMessage(message)) return;
      if (message.t === 'call') void handleCall(message.id, message.name, message.input);
      else if (message.t === 'cancel') running.get(message.id)?.abort();
    }),
  );
  const abortAll = () => {
    for (const controller of running.values()) controller.abort();
    running.clear();
  };
  store.add(transport.onClose(abortAll));
  store.add(toDisposable(abortAll));

  return {
    publish(name, payload) {
      try {
        transport.send({ t: 'event', name, payload });
      } catch {
        // A closed peer misses events; it re-reads state when it reconnects.
      }
    },
    dispose: () => store.dispose(),
  };
}
