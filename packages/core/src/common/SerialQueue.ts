import { cancelledError } from './errors.js';

/** Runs async operations one at a time, in order; one that is cancelled before its turn never starts. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.tail.then(() => {
      if (signal?.aborted) throw cancelledError();
      return operation();
    });
    this.tail = run.catch(() => {});
    return run;
  }
}
