import { afterEach, describe, expect, it, vi } from 'vitest';
import { PollingWatcher } from '../../src/node/host/PollingWatcher.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('PollingWatcher', () => {
  it('reports a change once, and with settle only after the fingerprint held still for one look', async () => {
    vi.useFakeTimers();
    let value = 'a';
    const plain: string[] = [];
    const settled: string[] = [];
    const watchers = [
      await PollingWatcher.start({ read: () => value, onChange: () => void plain.push(value), intervalMs: 100 }),
      await PollingWatcher.start({ read: async () => value, onChange: () => void settled.push(value), intervalMs: 100, settle: true }),
    ];
    await vi.advanceTimersByTimeAsync(300);
    expect([plain, settled]).toEqual([[], []]);
    // A file still growing: a new fingerprint at every look.
    value = 'b1';
    await vi.advanceTimersByTimeAsync(100);
    value = 'b2';
    await vi.advanceTimersByTimeAsync(100);
    expect(plain).toEqual(['b1', 'b2']);
    expect(settled).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toEqual(['b2']);
    await vi.advanceTimersByTimeAsync(500);
    expect([plain, settled]).toEqual([['b1', 'b2'], ['b2']]);
    for (const watcher of watchers) watcher.dispose();
    value = 'c';
    await vi.advanceTimersByTimeAsync(500);
    expect(plain).toEqual(['b1', 'b2']);
  });

  it('keeps looking after a failed read', async () => {
    vi.useFakeTimers();
    let fail = false;
    let value = 'x';
    const errors: unknown[] = [];
    const changes: string[] = [];
    const watcher = await PollingWatcher.start({ read: () => (fail ? Promise.reject(new Error('gone')) : value), onChange: () => void changes.push(value), onError: (error) => errors.push(error), intervalMs: 100 });
    fail = true;
    await vi.advanceTimersByTimeAsync(200);
    expect(errors).toHaveLength(2);
    fail = false;
    value = 'y';
    await vi.advanceTimersByTimeAsync(100);
    expect(changes).toEqual(['y']);
    watcher.dispose();
  });
});
