import type { GenerateResult } from '../contract/inferenceContract.js';
import type { MessageStats, ReplyStopReason } from '../contract/schemas.js';

/**
 * Measures one reply as the user lives it, from the question reaching the host: the search, the first
 * token, the tokens streamed. The engine's own figures (prompt tokens evaluated and cached, generation
 * time) join at the end; a reply that failed or was stopped before the engine answered keeps what was seen.
 */
export class ReplyMeter {
  private readonly started: number;
  private retrievalStarted: number | null = null;
  private retrievalMs: number | null = null;
  private firstToken: number | null = null;
  private lastToken: number | null = null;
  private streamedTokens = 0;

  constructor(private readonly now: () => number) {
    this.started = now();
  }

  retrievalStart(): void {
    this.retrievalStarted = this.now();
  }

  retrievalEnd(): void {
    if (this.retrievalStarted !== null) this.retrievalMs = this.now() - this.retrievalStarted;
  }

  /** Streamed text arrived (`tokens` of it). */
  text(text: string, tokens: number): void {
    if (text.length === 0) return;
    const now = this.now();
    this.firstToken ??= now;
    this.lastToken = now;
    this.streamedTokens += tokens;
  }

  finish(outcome: { stopReason: ReplyStopReason; passages: number; passageTokens: number; engine?: GenerateResult | null }): MessageStats {
    const { engine } = outcome;
    const completionTokens = engine?.completionTokens ?? this.streamedTokens;
    // The engine times generation without IPC; the host's stream timing stands in when it did not answer.
    const generationMs = engine ? engine.generationMs : this.firstToken !== null && this.lastToken !== null ? this.lastToken - this.firstToken : 0;
    return {
      ttftMs: this.firstToken === null ? null : round(this.firstToken - this.started),
      tokensPerSecond: completionTokens > 1 && generationMs > 0 ? round((completionTokens - 1) / (generationMs / 1000)) : null,
      promptTokens: engine?.evaluatedTokens ?? 0,
      cachedTokens: engine?.cachedTokens ?? 0,
      completionTokens,
      passages: outcome.passages,
      passageTokens: outcome.passageTokens,
      retrievalMs: this.retrievalMs === null ? null : round(this.retrievalMs),
      trimmedMessages: engine?.trimmedMessages ?? 0,
      totalMs: round(this.now() - this.started),
      stopReason: outcome.stopReason,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
