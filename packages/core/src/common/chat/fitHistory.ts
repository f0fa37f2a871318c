import { AssistantError, ErrorCode } from '../errors.js';

export interface FitHistoryOptions {
  contextSize: number;
  /** Tokens kept free for the reply. */
  replyReserve: number;
  systemTokens: number;
  promptTokens: number;
  /** Token counts of the earlier messages, oldest first. */
  historyTokens: readonly number[];
  /** Template tokens each message costs beyond its text (role markers). */
  perMessageOverhead?: number;
  /**
   * The oldest message kept last turn: kept again while everything from it still fits, so the context's
   * evaluated prefix stays valid. When it no longer fits, history is cut to half the room in one step.
   */
  keepFrom?: number;
}

/** Tokens kept free for the reply when fitting a prompt: the reply's limit, but never more than a quarter of the context. */
export function replyRoom(maxTokens: number, contextSize: number): number {
  return Math.min(maxTokens, Math.floor(contextSize / 4));
}

/**
 * Chooses how much history fits: returns the index of the oldest message to keep. History is dropped
 * oldest-first and never fails the turn; only a prompt that cannot fit on its own is an error.
 */
export function fitHistory(options: FitHistoryOptions): number {
  const overhead = options.perMessageOverhead ?? 8;
  const fixed = options.systemTokens + options.promptTokens + 2 * overhead;
  const minimumReply = Math.min(options.replyReserve, 16);
  if (fixed + minimumReply > options.contextSize) {
    throw new AssistantError(
      ErrorCode.PromptTooLong,
      `The message is too long for the model: it needs about ${fixed} tokens and the context holds ${options.contextSize}. Shorten it, or raise the context size in settings.`,
    );
  }
  const room = options.contextSize - replyRoom(options.replyReserve, options.contextSize) - fixed;
  const length = options.historyTokens.length;
  const oldestFitting = oldestWithin(options.historyTokens, overhead, room);
  const keepFrom = options.keepFrom ?? 0;
  if (keepFrom <= length && keepFrom >= oldestFitting) return keepFrom;
  // Dropping one message per turn would change the prefix (and evaluate everything again) every turn.
  return keepFrom > 0 || oldestFitting > 0 ? oldestWithin(options.historyTokens, overhead, Math.floor(room / 2)) : oldestFitting;
}

function oldestWithin(historyTokens: readonly number[], overhead: number, budget: number): number {
  let left = budget;
  let start = historyTokens.length;
  while (start > 0) {
    const cost = historyTokens[start - 1]! + overhead;
    if (cost > left) break;
    left -= cost;
    start--;
  }
  return start;
}
