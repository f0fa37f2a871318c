import { CircuitBreaker, type CircuitBreakerOptions, Emitter, type VoiceCapability } from '@assistant/core';

/**
 * The health of one side of the voice path (listening or speaking): which engine is loaded in which worker
 * incarnation, why it is not, and a circuit breaker over its failures (load errors, timeouts, crashes
 * during its calls). Three failures in a row open it for a minute; then one half-open attempt decides.
 */
export class CapabilityHealth {
  private readonly breaker: CircuitBreaker;
  private loaded: { generation: number; engine: string } | null = null;
  /** Why the capability is unavailable or degraded; null when all is well. */
  private reasonText: string | null = null;
  private unavailable = false;
  /** Which model's absence is the reason (absent() only). */
  private missingModel: VoiceCapability['missingModel'];
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly failedEvent = new Emitter<void>();
  /** After every failure: the owner schedules the next attempt. */
  readonly onDidFail = this.failedEvent.event;

  constructor(
    readonly name: 'listen' | 'speak',
    options: CircuitBreakerOptions,
  ) {
    this.breaker = new CircuitBreaker(options);
    this.breaker.onDidChangeState(() => this.changed.fire());
  }

  /** Whether a (re)load may be attempted now: the breaker is closed, or its open time is over (half-open probe). */
  mayTry(): boolean {
    return this.breaker.tryAcquire();
  }

  get retryAt(): number | null {
    return this.breaker.retryAt;
  }

  /** Loaded and usable; `degraded` says what is missing even so (the system voice standing in for Piper). */
  succeeded(generation: number, engine: string, degraded: string | null = null): void {
    this.breaker.recordSuccess();
    this.loaded = { generation, engine };
    this.set(false, degraded);
  }

  /**
   * Not usable, for a reason that retrying will not fix (no model installed, or a folder that lacks a
   * file). Not a failure of the engine. `missingModel`: the kind of model that is simply not installed.
   */
  absent(reason: string, missingModel?: VoiceCapability['missingModel']): void {
    this.loaded = null;
    this.set(true, reason, missingModel);
  }

  /** Failed (load error, timeout, crash): counts towards opening the breaker. */
  failed(reason: string): void {
    this.loaded = null;
    this.breaker.recordFailure();
    this.set(true, reason);
    this.failedEvent.fire();
  }

  /** A call worked: the engine is healthy (closes a half-open breaker). */
  worked(): void {
    this.breaker.recordSuccess();
  }

  /** The Retry button: forget failures and let the next attempt through. */
  reset(): void {
    this.breaker.reset();
  }

  get snapshot(): VoiceCapability {
    const open = this.breaker.state === 'open';
    const retry = open && this.retryAt ? `; trying again at ${new Date(this.retryAt).toLocaleTimeString()}` : '';
    return {
      available: !this.unavailable && this.loaded !== null,
      engine: this.unavailable ? null : (this.loaded?.engine ?? null),
      reason: this.reasonText === null ? null : `${this.reasonText}${retry}`,
      ...(this.missingModel ? { missingModel: this.missingModel } : {}),
    };
  }

  dispose(): void {
    this.changed.dispose();
    this.failedEvent.dispose();
  }

  private set(unavailable: boolean, reason: string | null, missingModel?: VoiceCapability['missingModel']): void {
    if (this.unavailable === unavailable && this.reasonText === reason && this.missingModel === missingModel) return;
    this.unavailable = unavailable;
    this.reasonText = reason;
    this.missingModel = missingModel;
    this.changed.fire();
  }
}
