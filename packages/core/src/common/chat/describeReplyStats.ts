import type { MessageStats, ReplyStopReason } from '../contract/schemas.js';
import { plural } from '../text/plural.js';

/** One figure of a reply's cost, as the details under it and `ask --stats` show it. */
export interface ReplyStatsItem {
  label: string;
  value: string;
}

/** Why a reply ended, in words (after "Ended:"). */
export const stopReasonWords: Record<ReplyStopReason, string> = {
  eos: 'the answer was complete',
  maxTokens: 'cut off at the reply-length limit',
  timeLimit: 'cut off at the time limit',
  cancelled: 'stopped',
  error: 'failed',
  retrievalOnly: 'passages only (no chat model)',
};

/** "420 ms", "2.1 s", "12 s", "2 min 5 s". */
export function formatMs(ms: number): string {
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole} ms`;
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * A reply's figures in reading order: how soon it started and how fast it went, what the prompt cost
 * (and what the context's cache spared), the documents read, the whole time, why it ended.
 */
export function describeReplyStats(stats: MessageStats): ReplyStatsItem[] {
  const items: ReplyStatsItem[] = [{ label: 'First token', value: stats.ttftMs === null ? 'none' : formatMs(stats.ttftMs) }];
  if (stats.tokensPerSecond !== null) items.push({ label: 'Speed', value: `${stats.tokensPerSecond < 10 ? stats.tokensPerSecond.toFixed(1) : Math.round(stats.tokensPerSecond)} tokens/s` });
  items.push({ label: 'Prompt', value: `${plural(stats.promptTokens, 'token')} evaluated, ${stats.cachedTokens} reused from cache` });
  items.push({ label: 'Reply', value: plural(stats.completionTokens, 'token') });
  // Documents only where they were searched (or read): a chit-chat reply has nothing to say about them.
  if (stats.passages > 0) items.push({ label: 'Passages', value: `${stats.passages} (${plural(stats.passageTokens, 'token')})` });
  else if (stats.retrievalMs !== null) items.push({ label: 'Passages', value: 'none' });
  if (stats.retrievalMs !== null) items.push({ label: 'Search', value: formatMs(stats.retrievalMs) });
  items.push({ label: 'Total', value: formatMs(stats.totalMs) });
  items.push({ label: 'Ended', value: stopReasonWords[stats.stopReason] });
  return items;
}

/** The figures on one line, for a terminal. */
export function replyStatsLine(stats: MessageStats): string {
  return describeReplyStats(stats)
    .map(({ label, value }) => `${label}: ${value}`)
    .join(' · ');
}

/** The sentence under a reply a limit cut off (which can be continued), or null for any other reply. */
export function cutOffNote(stats: MessageStats | null): string | null {
  if (stats?.stopReason === 'maxTokens') return 'Cut off at the reply-length limit.';
  if (stats?.stopReason === 'timeLimit') return 'Cut off at the time limit.';
  return null;
}
