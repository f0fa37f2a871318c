import { Emitter } from './disposable.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one half-open probe. */
  openMs?: number;
  now?: () => number;
}

/**
 * Consecutive-failure circuit breaker: `failureThreshold` failures in a row open it for `openMs`, then
 * it goes half-open and lets exactly one probe through; the probe's outcome closes or re-opens it.
 *
 * Hand-written on purpose: our failures are worker processes exiting, which happens outside any call,
 * and libraries such as cockatiel only count failures of operations run through their execute().
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly now: () => number;
  private readonly stateChanged = new Emitter<BreakerState>();
  readonly onDidChangeState = this.stateChanged.event;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 3;
    this.openMs = options.openMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Epoch ms when an open circuit admits its probe; null unless open. */
  get retryAt(): number | null {
    return this.current === 'open' ? this.openedAt + this.openMs : null;
  }

  /** True if an attempt may start now; moves an expired open circuit to half-open (one probe). */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open' && this.now() >= this.openedAt + this.openMs) {
      this.set('half-open');
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.set('closed');
  }

  recordFailure(): void {
    this.failures++;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.threshold)) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  /** Manual retry (the UI's Retry button): close the circuit and start counting afresh. */
  reset(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.set('closed');
  }

  private set(state: BreakerState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
