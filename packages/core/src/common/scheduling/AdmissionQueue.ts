import { cancelledError } from '../errors.js';

export interface AdmissionLimits {
  /** Operations that may run at once (at least 1 is used). */
  running: number;
  /** Operations that may wait for a slot; an arrival beyond them is refused. */
  waiting: number;
}

/** An arrival refused because `waiting` operations already wait. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly waiting: number) {
    super(`${waiting} operations are already waiting.`);
  }
}

interface Waiter {
  start(): void;
}

/** Weight of the newest run in the running average of run times. */
const averageWeight = 0.3;

/**
 * Runs at most `running` operations at once, keeps at most `waiting` more in arrival order and refuses the
 * rest at once (a bounded queue, so a flood of callers gets a quick answer instead of piling up). A waiting
 * operation whose signal aborts leaves at once, freeing its place. The limits are read on every arrival
 * and release, so they follow settings live.
 */
export class AdmissionQueue {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  private averageMs: number | null = null;

  constructor(
    private readonly limits: () => AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** A running average of how long operations took, or `fallback` before any finished. */
  typicalRunMs(fallback: number): number {
    return this.averageMs ?? fallback;
  }

  /** Runs `operation` once a slot is free. Throws QueueFullError when the waiting room is full, Cancelled when `signal` aborts first. */
  async run<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw cancelledError();
    await this.admit(signal);
    const started = this.now();
    try {
      return await operation();
    } finally {
      const took = this.now() - started;
      this.averageMs = this.averageMs === null ? took : this.averageMs + averageWeight * (took - this.averageMs);
      this.active--;
      this.pump();
    }
  }

  private admit(signal: AbortSignal | undefined): Promise<void> {
    this.pump();
    if (this.waiters.length === 0 && this.active < this.slots()) {
      this.active++;
      return Promise.resolve();
    }
    const { waiting } = this.limits();
    if (this.waiters.length >= waiting) return Promise.reject(new QueueFullError(this.waiters.length));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(cancelledError());
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private slots(): number {
    return Math.max(1, this.limits().running);
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.active < this.slots()) this.waiters.shift()!.start();
  }
}
