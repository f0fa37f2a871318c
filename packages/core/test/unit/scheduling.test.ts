import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../../src/common/scheduling/PriorityQueue.js';
import { SequencePool } from '../../src/common/scheduling/SequencePool.js';
import { SharedExclusiveLock } from '../../src/common/scheduling/SharedExclusiveLock.js';
import { strictPriorityBatching } from '../../src/common/scheduling/strictPriorityBatching.js';
import { ErrorCode } from '../../src/index.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SequencePool', () => {
  it('sends a key back to the sequence that holds it, else a never-used one, else the least recently used', async () => {
    const pool = new SequencePool(['s0', 's1', 's2']);
    const a = await pool.acquire({ key: 'a', priority: 'user' });
    expect([a.resource, a.reused]).toEqual(['s0', false]);
    a.release();
    const api = await pool.acquire({ key: 'api', priority: 'api' });
    api.release();
    const b = await pool.acquire({ key: 'b', priority: 'user' });
    b.release();
    expect([api.resource, b.resource]).toEqual(['s1', 's2']);
    const again = await pool.acquire({ key: 'a', priority: 'user' });
    expect([again.resource, again.reused]).toEqual(['s0', true]);
    again.release();
    // All used: the least recently used (s1, the API's) is taken over and forgets its history start.
    const c = await pool.acquire({ key: 'c', priority: 'user' });
    expect([c.resource, c.reused, c.memory]).toEqual(['s1', false, { key: 'c', historyStart: 0 }]);
  });

  it('keeps one sequence for the user: API work waits rather than take the last one', async () => {
    const pool = new SequencePool(['s0', 's1', 's2']);
    const api1 = await pool.acquire({ key: 'x', priority: 'api' });
    const api2 = await pool.acquire({ key: 'y', priority: 'api' });
    let third = false;
    const api3 = pool.acquire({ key: 'z', priority: 'api' }).then((lease) => ((third = true), lease));
    await tick();
    expect(third).toBe(false);
    const user = await pool.acquire({ key: 'u', priority: 'user' });
    expect(user.resource).toBe('s2');
    api1.release();
    expect((await api3).resource).toBe('s0');
    api2.release();
    user.release();
  });

  it('serves a waiting user turn before API requests that waited longer, and drops cancelled waiters', async () => {
    const pool = new SequencePool(['s0']);
    const held = await pool.acquire({ priority: 'user' });
    const order: string[] = [];
    const controller = new AbortController();
    const cancelled = pool.acquire({ priority: 'api', signal: controller.signal });
    const api = pool.acquire({ priority: 'api' }).then((lease) => (order.push('api'), lease));
    const user = pool.acquire({ priority: 'user' }).then((lease) => (order.push('user'), lease));
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    held.release();
    (await user).release();
    (await api).release();
    expect(order).toEqual(['user', 'api']);
  });
});

describe('PriorityQueue', () => {
  it('runs one at a time, the highest priority waiting next', async () => {
    const queue = new PriorityQueue();
    const order: string[] = [];
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')), 'background');
    const jobs = [queue.run(async () => void order.push('background'), 'background'), queue.run(async () => void order.push('api'), 'api'), queue.run(async () => void order.push('user'), 'user')];
    release();
    await Promise.all([first, ...jobs]);
    expect(order).toEqual(['first', 'user', 'api', 'background']);
  });
});

describe('strictPriorityBatching', () => {
  it('gives the highest priority all the room it needs before the others get any', () => {
    const api = { tokens: [1], evaluationPriority: 3 };
    const user = { tokens: Array.from({ length: 600 }, () => 1), evaluationPriority: 5 };
    expect(strictPriorityBatching({ items: [api, user], size: 512 })).toEqual([{ item: user, processAmount: 512 }]);
    const rest = { tokens: Array.from({ length: 88 }, () => 1), evaluationPriority: 5 };
    expect(strictPriorityBatching({ items: [api, rest], size: 512 })).toEqual([
      { item: rest, processAmount: 88 },
      { item: api, processAmount: 1 },
    ]);
  });
});

describe('SharedExclusiveLock', () => {
  it('runs shared holders together; an exclusive one waits for them and holds back later ones', async () => {
    const lock = new SharedExclusiveLock();
    const order: string[] = [];
    let endA!: () => void;
    const a = lock.shared(() => new Promise<void>((resolve) => (endA = resolve)).then(() => void order.push('a')));
    const b = lock.shared(async () => void order.push('b'));
    await b;
    const load = lock.exclusive(async () => void order.push('load'));
    const c = lock.shared(async () => void order.push('c'));
    await tick();
    expect(order).toEqual(['b']);
    endA();
    await Promise.all([a, load, c]);
    expect(order).toEqual(['b', 'a', 'load', 'c']);
  });
});
