import { cancelledError } from '../errors.js';

/**
 * Many shared holders at once (replies on different context sequences) or one exclusive holder (loading or
 * unloading the model), in arrival order: an exclusive request waits for the shared ones before it and holds
 * back those after it.
 */
export class SharedExclusiveLock {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly sharedRunning = new Set<Promise<unknown>>();

  shared<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.tail.then(() => {
      if (signal?.aborted) throw cancelledError();
      return operation();
    });
    const settled = run.catch(() => {});
    this.sharedRunning.add(settled);
    void settled.then(() => this.sharedRunning.delete(settled));
    return run;
  }

  exclusive<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const before = [this.tail, ...this.sharedRunning];
    const run = Promise.allSettled(before).then(() => {
      if (signal?.aborted) throw cancelledError();
      return operation();
    });
    this.tail = run.catch(() => {});
    return run;
  }
}
