import { afterEach, describe, expect, it, vi } from 'vitest';
import { fitHistory } from '../../src/common/chat/fitHistory.js';
import { TextBatcher } from '../../src/common/chat/TextBatcher.js';
import { ErrorCode } from '../../src/index.js';
import { chooseThreads, tinyModelBytes } from '../../src/node/index.js';

describe('fitHistory', () => {
  const base = { contextSize: 100, replyReserve: 20, systemTokens: 10, promptTokens: 10, perMessageOverhead: 0 };

  it('keeps everything that fits', () => {
    expect(fitHistory({ ...base, historyTokens: [10, 10, 10] })).toBe(0);
  });

  it('drops the oldest messages first, to half the room in one step', () => {
    // room: 100 - 20 reserve - 20 fixed = 60; half of it (30) keeps the newest twenty-token message.
    expect(fitHistory({ ...base, historyTokens: [20, 20, 20, 20] })).toBe(3);
  });

  it('keeps last turn\'s oldest message while the rest fits, so the evaluated prefix stays valid', () => {
    // Two new messages since the cut at 3: from 3 on, 3 x 20 = 60 still fits the room of 60.
    expect(fitHistory({ ...base, historyTokens: [20, 20, 20, 20, 10, 10], keepFrom: 3 })).toBe(3);
    // One more and it no longer fits (65 > 60): cut again to half the room (30 keeps the newest).
    expect(fitHistory({ ...base, historyTokens: [20, 20, 20, 20, 10, 10, 25], keepFrom: 3 })).toBe(6);
    // A kept start past the history (messages deleted since) is not kept.
    expect(fitHistory({ ...base, historyTokens: [10], keepFrom: 4 })).toBe(0);
  });

  it('drops all history rather than fail when only the prompt fits', () => {
    expect(fitHistory({ ...base, historyTokens: [500] })).toBe(1);
  });

  it('reports a prompt that cannot fit at all', () => {
    expect(() => fitHistory({ ...base, promptTokens: 95, historyTokens: [] })).toThrow(expect.objectContaining({ code: ErrorCode.PromptTooLong }));
  });
});

describe('TextBatcher', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first chunk at once and groups the rest', () => {
    vi.useFakeTimers();
    const sent: [string, number][] = [];
    const batcher = new TextBatcher((text, tokens) => sent.push([text, tokens]), 16);
    batcher.push('a');
    expect(sent).toEqual([['a', 1]]);
    batcher.push('b');
    batcher.push('c');
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual([['a', 1], ['bc', 2]]);
    batcher.push('d');
    batcher.flush();
    expect(sent.at(-1)).toEqual(['d', 1]);
  });
});

describe('chooseThreads', () => {
  it('uses one thread for tiny models, where synchronisation dominates', () => {
    expect(chooseThreads({ requested: 0, cores: 16, modelSizeBytes: 1_000_000 })).toBe(1);
    // Batched work (embeddings) splits well across cores even for a tiny model.
    expect(chooseThreads({ requested: 0, cores: 2, modelSizeBytes: 1_000_000, workload: 'batch' })).toBe(2);
    expect(chooseThreads({ requested: 0, cores: 16, modelSizeBytes: 1_000_000, workload: 'batch' })).toBe(8);
  });

  it('uses every core on small machines and leaves one free on larger ones', () => {
    const big = tinyModelBytes * 10;
    expect(chooseThreads({ requested: 0, cores: 2, modelSizeBytes: big })).toBe(2);
    expect(chooseThreads({ requested: 0, cores: 6, modelSizeBytes: big })).toBe(5);
    expect(chooseThreads({ requested: 0, cores: 32, modelSizeBytes: big })).toBe(8);
  });

  it('honours the setting', () => {
    expect(chooseThreads({ requested: 3, cores: 8, modelSizeBytes: 1 })).toBe(3);
  });
});
