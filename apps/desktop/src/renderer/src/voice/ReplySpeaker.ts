import { ErrorCode, toErrorPayload } from '@assistant/core';
import { SentenceSplitter, speakableText } from '@assistant/voice';
import type { PlaybackQueue } from './PlaybackQueue';

export type SpeechEngine = 'piper' | 'system';

export interface SpeakerDeps {
  synthesize(text: string): Promise<{ sampleRate: number; pcm16: string; engine: SpeechEngine }>;
  playback: PlaybackQueue;
  /** A clip of this engine is about to play. */
  onSpeaking(engine: SpeechEngine): void;
  /** Synthesis failed: the rest of this reply stays silent (except a single bad sentence, which is skipped). */
  onError(error: unknown): void;
  /** Every sentence so far has been handed to playback (or the speaker was cancelled). */
  onDrained(): void;
}

/**
 * Speaks one streaming reply: text arrives in pieces, each completed sentence is synthesised as soon as it
 * is complete and played in order. Synthesis runs one sentence ahead of playback, so the next clip is
 * ready when the current one ends, and a barge-in wastes at most one sentence of work.
 */
export class ReplySpeaker {
  private readonly splitter = new SentenceSplitter();
  private readonly sentences: string[] = [];
  private draining = false;
  private cancelled = false;

  constructor(private readonly deps: SpeakerDeps) {}

  /** Sentences are waiting for or in synthesis. */
  get busy(): boolean {
    return this.draining || this.sentences.length > 0;
  }

  push(text: string): void {
    this.enqueue(this.splitter.push(text));
  }

  /** The reply is complete: its last sentence may have no final punctuation. */
  end(): void {
    this.enqueue(this.splitter.flush());
  }

  cancel(): void {
    this.cancelled = true;
    this.sentences.length = 0;
  }

  private enqueue(sentences: string[]): void {
    if (this.cancelled) return;
    for (const sentence of sentences) {
      // Citation markers and markdown are for the eye; a sentence of only those has nothing to say.
      const text = speakableText(sentence).trim();
      if (text) this.sentences.push(text);
    }
    if (!this.draining && this.sentences.length > 0) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (!this.cancelled && this.sentences.length > 0) {
        // One clip playing and at most one waiting: fetch the next while the previous plays.
        await this.deps.playback.room(1);
        const text = this.sentences.shift();
        if (this.cancelled || text === undefined) break;
        let clip;
        try {
          clip = await this.deps.synthesize(text);
        } catch (error) {
          this.deps.onError(error);
          if (toErrorPayload(error).code === ErrorCode.InvalidInput) continue;
          this.cancel();
          break;
        }
        if (this.cancelled) break;
        this.deps.onSpeaking(clip.engine);
        this.deps.playback.play(clip);
      }
    } finally {
      this.draining = false;
      this.deps.onDrained();
    }
  }
}
