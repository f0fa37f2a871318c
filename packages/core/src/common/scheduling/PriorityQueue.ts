import type { WorkPriority } from '../contract/inferenceContract.js';
import { cancelledError } from '../errors.js';
import { priorityRank } from './workPriority.js';

interface Waiter {
  rank: number;
  seq: number;
  start(): void;
}

/**
 * Runs async operations one at a time like SerialQueue, but the next to start is the waiting one of the
 * highest priority (first come first within a priority). One cancelled while waiting never starts.
 */
export class PriorityQueue {
  private running = false;
  private seq = 0;
  private readonly waiting: Waiter[] = [];

  run<T>(operation: () => Promise<T>, priority: WorkPriority, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        rank: priorityRank[priority],
        seq: this.seq++,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running = true;
          operation()
            .then(resolve, reject)
            .finally(() => {
              this.running = false;
              this.next();
            });
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) return;
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const a = this.waiting[i]!;
      const b = this.waiting[best]!;
      if (a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)) best = i;
    }
    const [waiter] = this.waiting.splice(best, 1);
    waiter!.start();
  }
}
