import { describe, expect, it } from 'vitest';
import { AdmissionQueue, QueueFullError } from '../../src/common/scheduling/AdmissionQueue.js';
import { ErrorCode } from '../../src/common/errors.js';

/** An operation that runs until `finish` is called; `started` tells whether it began. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const state = { started: false, finish: () => finish() };
  return { state, operation: () => ((state.started = true), done) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AdmissionQueue', () => {
  it('runs up to `running` operations at once and starts the waiting ones in arrival order', async () => {
    const queue = new AdmissionQueue(() => ({ running: 2, waiting: 10 }));
    const calls = Array.from({ length: 5 }, () => held());
    const order: number[] = [];
    const results = calls.map((call, i) => queue.run(() => call.operation().then(() => order.push(i))));
    await settle();
    expect(calls.map((call) => call.state.started)).toEqual([true, true, false, false, false]);
    expect({ running: queue.running, waiting: queue.waiting }).toEqual({ running: 2, waiting: 3 });
    calls[1]!.state.finish();
    await settle();
    expect(calls.map((call) => call.state.started)).toEqual([true, true, true, false, false]);
    for (const call of calls) call.state.finish();
    await Promise.all(results);
    expect(order.slice(0, 2)).toEqual([1, 0]);
    expect({ running: queue.running, waiting: queue.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses an arrival when `waiting` operations already wait, saying how many', async () => {
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 2 }));
    const calls = Array.from({ length: 3 }, () => held());
    const results = calls.map((call) => queue.run(call.operation));
    await settle();
    const refused = await queue.run(async () => 'ran').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect(refused).toMatchObject({ waiting: 2 });
    for (const call of calls) call.state.finish();
    await Promise.all(results);
    // Room again once the others are done.
    await expect(queue.run(async () => 'ran')).resolves.toBe('ran');
  });

  it('with no waiting room, runs what fits and refuses the rest', async () => {
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 0 }));
    const call = held();
    const first = queue.run(call.operation);
    await expect(queue.run(async () => 'ran')).rejects.toBeInstanceOf(QueueFullError);
    call.state.finish();
    await first;
  });

  it('drops a waiting operation the moment its signal aborts: it never starts and its place is free at once', async () => {
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 1 }));
    const running = held();
    const first = queue.run(running.operation);
    const controller = new AbortController();
    const waiting = held();
    const second = queue.run(waiting.operation, controller.signal);
    await settle();
    expect(queue.waiting).toBe(1);
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(queue.waiting).toBe(0);
    // Its place is free for the next arrival while the first still runs.
    const third = held();
    const next = queue.run(third.operation);
    await settle();
    expect(queue.waiting).toBe(1);
    running.state.finish();
    third.state.finish();
    await Promise.all([first, next]);
    expect(waiting.state.started).toBe(false);
    expect(third.state.started).toBe(true);
  });

  it('refuses an operation whose signal is already aborted without running it', async () => {
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 1 }));
    const call = held();
    await expect(queue.run(call.operation, AbortSignal.abort())).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    expect(call.state.started).toBe(false);
    expect(queue.running).toBe(0);
  });

  it('frees the slot when an operation fails', async () => {
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 0 }));
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(async () => 'ran')).resolves.toBe('ran');
  });

  it('follows its limits live: more slots start waiting operations', async () => {
    const limits = { running: 1, waiting: 5 };
    const queue = new AdmissionQueue(() => limits);
    const calls = Array.from({ length: 3 }, () => held());
    const results = calls.map((call) => queue.run(call.operation));
    await settle();
    expect(calls.map((call) => call.state.started)).toEqual([true, false, false]);
    limits.running = 3;
    // The next arrival (or any finished operation) applies the new limit.
    const extra = queue.run(async () => 'ran');
    await settle();
    expect(calls.map((call) => call.state.started)).toEqual([true, true, true]);
    for (const call of calls) call.state.finish();
    await Promise.all([...results, extra]);
  });

  it('estimates the wait from how long operations took', async () => {
    let now = 0;
    const queue = new AdmissionQueue(() => ({ running: 1, waiting: 0 }), () => now);
    // Nothing measured yet: the fallback.
    expect(queue.typicalRunMs(1234)).toBe(1234);
    await queue.run(async () => {
      now += 4000;
    });
    expect(queue.typicalRunMs(1234)).toBe(4000);
  });
});
