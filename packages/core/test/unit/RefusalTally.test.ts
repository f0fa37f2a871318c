import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusalTally } from '../../src/node/api/RefusalTally.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('RefusalTally', () => {
  it('writes one row per source and minute with the count, when the minute ends', () => {
    vi.useFakeTimers();
    const start = Date.UTC(2026, 0, 31, 14, 2, 30);
    vi.setSystemTime(start);
    const rows: { summary: string; details: Record<string, unknown> }[] = [];
    const tally = new RefusalTally({ onSummary: (summary, details) => rows.push({ summary, details }) });
    for (let i = 0; i < 500; i++) tally.record('127.0.0.1', i % 2 ? 'GET /v1/models' : `POST /v1/x${i}`, i % 5 ? 'with a wrong key' : 'without a key');
    tally.record('::1', 'GET /v1/models', 'without a key');
    expect(rows).toEqual([]);
    vi.advanceTimersByTime(30_000);
    expect(rows.map((row) => row.summary)).toEqual([
      'Local API refused 500 calls from 127.0.0.1 in the minute from 2026-01-31T14:02Z: 100 without a key, 400 with a wrong key.',
      'Local API refused 1 call from ::1 in the minute from 2026-01-31T14:02Z: 1 without a key.',
    ]);
    // Caller-chosen routes are capped, the rest counted together.
    const routes = rows[0]!.details.routes as Record<string, number>;
    expect(Object.keys(routes)).toHaveLength(21);
    expect(Object.values(routes).reduce((a, b) => a + b, 0)).toBe(500);
    expect(routes['GET /v1/models']).toBe(250);

    // The next minute starts a new count; a shutdown flushes what is counted so far.
    tally.record('127.0.0.1', 'GET /v1/models', 'without a key');
    tally.flush();
    expect(rows.at(-1)!.summary).toBe('Local API refused 1 call from 127.0.0.1 in the minute from 2026-01-31T14:03Z: 1 without a key.');
    tally.flush();
    expect(rows).toHaveLength(3);
  });
});
