import { describe, expect, it } from 'vitest';
import { cutOffNote, describeReplyStats, formatMs, type MessageStats, replyStatsLine } from '../../src/index.js';

const stats = (patch: Partial<MessageStats> = {}): MessageStats => ({
  ttftMs: 420.4,
  tokensPerSecond: 38.26,
  promptTokens: 1212,
  cachedTokens: 180,
  completionTokens: 96,
  passages: 0,
  passageTokens: 0,
  retrievalMs: null,
  trimmedMessages: 0,
  totalMs: 2140,
  stopReason: 'eos',
  ...patch,
});

describe('reply stats in words', () => {
  it('names each figure, leaving out the search when there was none', () => {
    expect(describeReplyStats(stats())).toEqual([
      { label: 'First token', value: '420 ms' },
      { label: 'Speed', value: '38 tokens/s' },
      { label: 'Prompt', value: '1212 tokens evaluated, 180 reused from cache' },
      { label: 'Reply', value: '96 tokens' },
      { label: 'Total', value: '2.1 s' },
      { label: 'Ended', value: 'the answer was complete' },
    ]);
  });

  it('shows passages and search time when documents were searched, and what is unknown', () => {
    const items = describeReplyStats(stats({ ttftMs: null, tokensPerSecond: null, passages: 3, passageTokens: 412, retrievalMs: 35.2, stopReason: 'error', completionTokens: 0 }));
    expect(items).toEqual([
      { label: 'First token', value: 'none' },
      { label: 'Prompt', value: '1212 tokens evaluated, 180 reused from cache' },
      { label: 'Reply', value: '0 tokens' },
      { label: 'Passages', value: '3 (412 tokens)' },
      { label: 'Search', value: '35 ms' },
      { label: 'Total', value: '2.1 s' },
      { label: 'Ended', value: 'failed' },
    ]);
    expect(describeReplyStats(stats({ passages: 0, retrievalMs: 12 })).find((item) => item.label === 'Passages')?.value).toBe('none');
  });

  it('one line for a terminal', () => {
    expect(replyStatsLine(stats({ stopReason: 'maxTokens', tokensPerSecond: 4.25 }))).toBe(
      'First token: 420 ms · Speed: 4.3 tokens/s · Prompt: 1212 tokens evaluated, 180 reused from cache · Reply: 96 tokens · Total: 2.1 s · Ended: cut off at the reply-length limit',
    );
  });

  it('durations: ms under a second, one decimal under ten seconds, then whole seconds, then minutes', () => {
    expect([formatMs(0.4), formatMs(999.4), formatMs(999.6), formatMs(9_940), formatMs(12_345), formatMs(125_000)]).toEqual(['0 ms', '999 ms', '1.0 s', '9.9 s', '12 s', '2 min 5 s']);
  });

  it('a note only for replies a limit cut off: Continue goes away once the reply ends on its own', () => {
    expect(cutOffNote(stats({ stopReason: 'maxTokens' }))).toBe('Cut off at the reply-length limit.');
    expect(cutOffNote(stats({ stopReason: 'timeLimit' }))).toBe('Cut off at the time limit.');
    for (const stopReason of ['eos', 'cancelled', 'error', 'retrievalOnly'] as const) expect(cutOffNote(stats({ stopReason }))).toBeNull();
    expect(cutOffNote(null)).toBeNull();
  });
});
