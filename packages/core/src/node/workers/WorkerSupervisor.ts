import { CircuitBreaker, type BreakerState } from '../../common/CircuitBreaker.js';
import type { Contract, ContractClient, EventName, EventSpec } from '../../common/contract/defineContract.js';
import type { WorkerState } from '../../common/contract/schemas.js';
import { Emitter, type Disposable } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { createRpcClient } from '../../common/rpc/RpcClient.js';
import type { Logger } from '../logger.js';
import type { WorkerExit, WorkerHandle, WorkerLauncher, WorkerName } from './WorkerLauncher.js';

/** A worker contract: any contract that announces readiness with a 'worker.ready' event. */
export type WorkerContract = Contract & { 'worker.ready': EventSpec };

export interface WorkerSupervisorOptions<C extends WorkerContract> {
  name: WorkerName;
  contract: C;
  launcher: WorkerLauncher;
  logger: Logger;
  failureThreshold?: number;
  openMs?: number;
  startTimeoutMs?: number;
  now?: () => number;
}

interface Incarnation<C extends WorkerContract> {
  handle: WorkerHandle;
  client: ContractClient<C>;
  generation: number;
  ready: Promise<void>;
  stopping: boolean;
  listeners: Disposable[];
}

/**
 * Keeps one worker process alive: starts it on demand, restarts it when it crashes, and stops trying for
 * a while (circuit open) after repeated failures. A crash is a failure; a successful call is a success.
 */
export class WorkerSupervisor<C extends WorkerContract> implements Disposable {
  private readonly breaker: CircuitBreaker;
  private current: Incarnation<C> | null = null;
  private generation = 0;
  private restarts = 0;
  private lastError: string | null = null;
  private status: WorkerState['status'] = 'stopped';
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly stateChanged = new Emitter<WorkerState>();
  private readonly started = new Emitter<{ client: ContractClient<C>; generation: number }>();
  /** Fires with every state change, for the UI. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Fires when a new worker process is ready; it starts with no model loaded. */
  readonly onDidStart = this.started.event;

  constructor(private readonly options: WorkerSupervisorOptions<C>) {
    this.breaker = new CircuitBreaker({ failureThreshold: options.failureThreshold, openMs: options.openMs, now: options.now });
    this.breaker.onDidChangeState((state) => this.onBreakerState(state));
  }

  get state(): WorkerState {
    return {
      name: this.options.name,
      status: this.status,
      breaker: this.breaker.state,
      restarts: this.restarts,
      consecutiveFailures: this.breaker.consecutiveFailures,
      lastError: this.lastError,
      retryAt: this.breaker.retryAt,
    };
  }

  get pid(): number | undefined {
    return this.current?.handle.pid;
  }

  /** The ready worker's client, starting the worker if needed. Throws WORKER_UNAVAILABLE while the circuit is open. */
  async client(): Promise<{ client: ContractClient<C>; generation: number }> {
    if (this.disposed) throw new AssistantError(ErrorCode.WorkerUnavailable, `The ${this.options.name} worker has shut down.`);
    const incarnation = this.current ?? this.start();
    await incarnation.ready;
    return { client: incarnation.client, generation: incarnation.generation };
  }

  /** The client of a worker that is up and ready, without waiting; null otherwise. */
  readyClient(): { client: ContractClient<C>; generation: number } | null {
    const incarnation = this.current;
    return incarnation && this.status === 'ready' ? { client: incarnation.client, generation: incarnation.generation } : null;
  }

  /** Runs one call on the worker and feeds its outcome to the breaker. */
  async run<T>(call: (client: ContractClient<C>, generation: number) => Promise<T>): Promise<T> {
    const { client, generation } = this.readyClient() ?? (await this.client());
    // Crashes are recorded by the exit handler; other errors (bad input, cancel) say nothing about health.
    const result = await call(client, generation);
    this.breaker.recordSuccess();
    return result;
  }

  /** The Retry button: close the circuit and start the worker now. */
  async retry(): Promise<void> {
    clearTimeout(this.probeTimer);
    this.breaker.reset();
    this.lastError = null;
    await this.client().catch(() => {});
  }

  /**
   * Ends a worker that stopped answering (stuck in native code ignores cancel messages). It counts as a
   * crash: the breaker records it and the worker is restarted while the circuit is closed.
   */
  kill(reason: string): void {
    const incarnation = this.current;
    if (!incarnation) return;
    this.options.logger.warn('killing an unresponsive worker', { worker: this.options.name, pid: incarnation.handle.pid, reason });
    incarnation.handle.kill(true);
  }

  /** Stops the worker on purpose (no restart, no failure recorded). */
  async stop(): Promise<void> {
    const incarnation = this.current;
    if (!incarnation) return;
    incarnation.stopping = true;
    this.current = null;
    const exited = new Promise<void>((resolve) => incarnation.handle.onExit(() => resolve()));
    incarnation.client.dispose();
    incarnation.handle.kill();
    const timeout = setTimeout(() => incarnation.handle.kill(true), 3000);
    await exited;
    clearTimeout(timeout);
    this.setStatus('stopped');
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.probeTimer);
    void this.stop();
    this.stateChanged.dispose();
    this.started.dispose();
  }

  private start(): Incarnation<C> {
    if (!this.breaker.tryAcquire()) {
      const retryAt = this.breaker.retryAt;
      const when = retryAt ? ` It will try again at ${new Date(retryAt).toLocaleTimeString()}, or press Retry.` : '';
      throw new AssistantError(
        ErrorCode.WorkerUnavailable,
        `The ${this.options.name} worker stopped after ${this.breaker.consecutiveFailures} failures in a row${this.lastError ? ` (${this.lastError})` : ''}.${when}`,
      );
    }
    const generation = ++this.generation;
    this.setStatus('starting');
    const handle = this.options.launcher.launch(this.options.name);
    const client = createRpcClient(this.options.contract, handle.transport, {
      validate: true,
      closedError: () => new AssistantError(ErrorCode.WorkerCrashed, `The ${this.options.name} worker stopped unexpectedly${this.lastError ? ` (${this.lastError})` : ''}.`),
    });
    const incarnation: Incarnation<C> = { handle, client, generation, stopping: false, listeners: [], ready: Promise.resolve() };
    incarnation.ready = new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        reject(new AssistantError(ErrorCode.WorkerUnavailable, `The ${this.options.name} worker did not start within ${this.startTimeoutMs / 1000} s.`));
        handle.kill(true);
      }, this.startTimeoutMs);
      incarnation.listeners.push(
        client.on('worker.ready' as EventName<C>, () => {
          clearTimeout(timeout);
          if (this.current !== incarnation) return;
          this.setStatus('ready');
          if (this.breaker.state === 'half-open') this.breaker.recordSuccess();
          this.started.fire({ client, generation });
          resolve();
        }),
        handle.onExit((exit) => {
          clearTimeout(timeout);
          reject(
            incarnation.stopping || this.disposed
              ? new AssistantError(ErrorCode.WorkerUnavailable, `The ${this.options.name} worker was shut down.`)
              : new AssistantError(ErrorCode.WorkerCrashed, `The ${this.options.name} worker exited while starting (${describeExit(exit)}).`),
          );
          this.onExit(incarnation, exit);
        }),
      );
    });
    incarnation.ready.catch(() => {});
    this.current = incarnation;
    return incarnation;
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? 30_000;
  }

  private onExit(incarnation: Incarnation<C>, exit: WorkerExit): void {
    for (const listener of incarnation.listeners) listener.dispose();
    const unexpected = !incarnation.stopping && !this.disposed;
    // Recorded before the client rejects its pending calls, so their message says why.
    if (unexpected) this.lastError = describeExit(exit);
    incarnation.client.dispose();
    if (!unexpected) return;
    if (this.current === incarnation) this.current = null;
    this.options.logger.warn('worker exited unexpectedly', { worker: this.options.name, pid: incarnation.handle.pid, ...exit });
    this.restarts++;
    this.setStatus('crashed');
    this.breaker.recordFailure();
    if (this.breaker.state === 'closed') {
      // Restart at once so the next request does not pay for the process start.
      try {
        this.start();
      } catch {
        // The breaker opened in between; the probe timer takes over.
      }
    }
  }

  private onBreakerState(state: BreakerState): void {
    clearTimeout(this.probeTimer);
    if (state === 'open') {
      this.setStatus('unavailable');
      this.armProbe();
    } else {
      this.emitState();
    }
  }

  /**
   * The half-open probe, one start attempt when the open period ends. A timer can fire a little before the
   * wall clock says the period is over (they are different clocks), and the breaker would refuse that
   * attempt with nothing left to try again: so an early timer is set again for the rest.
   */
  private armProbe(): void {
    clearTimeout(this.probeTimer);
    const delay = Math.max(0, (this.breaker.retryAt ?? 0) - (this.options.now ?? Date.now)());
    this.probeTimer = setTimeout(() => {
      if (this.breaker.state !== 'open' || this.current || this.disposed) return;
      if ((this.breaker.retryAt ?? 0) > (this.options.now ?? Date.now)()) return this.armProbe();
      void this.client().catch(() => {});
    }, delay + 1);
    this.probeTimer.unref?.();
  }

  private setStatus(status: WorkerState['status']): void {
    this.status = status;
    this.emitState();
  }

  private emitState(): void {
    if (!this.disposed) this.stateChanged.fire(this.state);
  }
}

function describeExit(exit: WorkerExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}
