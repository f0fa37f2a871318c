import type { z } from 'zod';
import type { Disposable } from '../disposable.js';

/**
 * A contract declares everything that crosses one process boundary: request/response methods, streams
 * (items until a final result) and events (server to client). Client and server types are derived from
 * it, and the server validates every incoming payload against its schema.
 */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'method';
  readonly input: I;
  readonly output: O;
}

export interface StreamSpec<I extends z.ZodType = z.ZodType, T extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly input: I;
  readonly item: T;
  readonly output: O;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly payload: P;
}

export type Contract = Readonly<Record<string, MethodSpec | StreamSpec | EventSpec>>;

export const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): MethodSpec<I, O> => ({ kind: 'method', input, output });
export const stream = <I extends z.ZodType, T extends z.ZodType, O extends z.ZodType>(input: I, item: T, output: O): StreamSpec<I, T, O> => ({ kind: 'stream', input, item, output });
export const event = <P extends z.ZodType>(payload: P): EventSpec<P> => ({ kind: 'event', payload });

export const defineContract = <C extends Contract>(contract: C): C => contract;

export type MethodName<C extends Contract> = { [K in keyof C]: C[K] extends MethodSpec ? K : never }[keyof C] & string;
export type StreamName<C extends Contract> = { [K in keyof C]: C[K] extends StreamSpec ? K : never }[keyof C] & string;
export type EventName<C extends Contract> = { [K in keyof C]: C[K] extends EventSpec ? K : never }[keyof C] & string;

type Spec<C extends Contract, K extends keyof C> = C[K];
export type InputOf<C extends Contract, K extends MethodName<C> | StreamName<C>> = z.input<(Spec<C, K> & (MethodSpec | StreamSpec))['input']>;
export type OutputOf<C extends Contract, K extends MethodName<C> | StreamName<C>> = z.output<(Spec<C, K> & (MethodSpec | StreamSpec))['output']>;
export type ItemOf<C extends Contract, K extends StreamName<C>> = z.output<(Spec<C, K> & StreamSpec)['item']>;
export type PayloadOf<C extends Contract, K extends EventName<C>> = z.output<(Spec<C, K> & EventSpec)['payload']>;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface StreamOptions<T> extends CallOptions {
  onItem: (item: T) => void;
}

/** What a caller sees: typed calls, streams and event subscriptions. */
export interface ContractClient<C extends Contract> extends Disposable {
  call<K extends MethodName<C>>(name: K, input: InputOf<C, K>, options?: CallOptions): Promise<OutputOf<C, K>>;
  stream<K extends StreamName<C>>(name: K, input: InputOf<C, K>, options: StreamOptions<ItemOf<C, K>>): Promise<OutputOf<C, K>>;
  on<K extends EventName<C>>(name: K, listener: (payload: PayloadOf<C, K>) => void): Disposable;
  /** Fires once when the transport closes; pending calls have been rejected by then. */
  onClose(listener: () => void): Disposable;
}

export interface HandlerContext {
  signal: AbortSignal;
}

export interface StreamHandlerContext<T> extends HandlerContext {
  emit(item: T): void;
}

type ServerInput<C extends Contract, K extends keyof C> = z.output<(Spec<C, K> & (MethodSpec | StreamSpec))['input']>;
type ServerOutput<C extends Contract, K extends keyof C> = z.input<(Spec<C, K> & (MethodSpec | StreamSpec))['output']>;
type ServerItem<C extends Contract, K extends keyof C> = z.input<(Spec<C, K> & StreamSpec)['item']>;

/** What a server implements: one handler per method and stream. */
export type ContractHandlers<C extends Contract> = {
  [K in MethodName<C>]: (input: ServerInput<C, K>, context: HandlerContext) => Promise<ServerOutput<C, K>> | ServerOutput<C, K>;
} & {
  [K in StreamName<C>]: (input: ServerInput<C, K>, context: StreamHandlerContext<ServerItem<C, K>>) => Promise<ServerOutput<C, K>>;
};

export type EventPublisher<C extends Contract> = <K extends EventName<C>>(name: K, payload: z.input<(Spec<C, K> & EventSpec)['payload']>) => void;
