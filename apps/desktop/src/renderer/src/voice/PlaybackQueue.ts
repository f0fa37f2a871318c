import { pcm16Base64ToFloat } from '@assistant/voice';

/**
 * Plays the reply's sentences back to back on one AudioContext: each clip is scheduled to start where the
 * previous one ends, so there are no gaps while the next sentence is still being synthesised.
 */
export class PlaybackQueue {
  private context: AudioContext | null = null;
  private sources = new Set<AudioBufferSourceNode>();
  private endsAt = 0;
  private waiters: Array<{ ahead: number; resolve: () => void }> = [];

  constructor(private readonly events: { onPlayed(): void; onIdle(): void }) {}

  /** Clips scheduled and not yet finished. */
  get pending(): number {
    return this.sources.size;
  }

  /** Called on a user gesture: Chromium keeps an AudioContext made without one suspended (autoplay policy). */
  unlock(): void {
    void this.audio().resume();
  }

  play(clip: { sampleRate: number; pcm16: string }): void {
    const context = this.audio();
    void context.resume();
    const samples = pcm16Base64ToFloat(clip.pcm16);
    if (samples.length === 0) return;
    const buffer = context.createBuffer(1, samples.length, clip.sampleRate);
    buffer.getChannelData(0).set(samples);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    const startAt = Math.max(context.currentTime + 0.02, this.endsAt);
    this.endsAt = startAt + buffer.duration;
    this.sources.add(source);
    source.onended = () => {
      if (!this.sources.delete(source)) return; // stopped: not played
      this.events.onPlayed();
      this.wake();
      if (this.sources.size === 0) this.events.onIdle();
    };
    source.start(startAt);
  }

  /** Resolves once at most `ahead` clips are waiting, so synthesis stays one sentence ahead of playback. */
  room(ahead: number): Promise<void> {
    if (this.sources.size <= ahead) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ahead, resolve }));
  }

  /** Silences everything at once (barge-in, Stop). */
  stop(): void {
    const stopped = [...this.sources];
    this.sources.clear();
    for (const source of stopped) {
      try {
        source.stop();
      } catch {
        // Never started: nothing to stop.
      }
    }
    this.endsAt = 0;
    this.wake();
    if (stopped.length > 0) this.events.onIdle();
  }

  /** Releases the waiters that now have room (all of them after stop(): their speaker checks if it was cancelled). */
  private wake(): void {
    const ready = this.waiters.filter((waiter) => this.sources.size <= waiter.ahead);
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    ready.forEach((waiter) => waiter.resolve());
  }

  private audio(): AudioContext {
    this.context ??= new AudioContext();
    return this.context;
  }
}
