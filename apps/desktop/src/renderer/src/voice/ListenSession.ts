import type { ListenEvent } from '@assistant/core';
import { bytesToBase64 } from '@assistant/voice';
import type { HostClient } from '../store';
import { MicrophoneCapture } from './MicrophoneCapture';

export interface ListenSessionOptions {
  client: HostClient;
  /** `sentAt`: performance.now() when the call that brought them was sent (a final transcript's turn ended then). */
  onEvents(events: ListenEvent[], sentAt: number): void;
  /** A voice.listen call failed: the session has closed itself. */
  onError(error: unknown): void;
  /** The microphone went away; what was said so far has been finalised (onEvents) before this. */
  onLost(): void;
  /** True while frames must not reach the host (the assistant speaks and could hear itself). */
  muted(): boolean;
}

/** At most this many queued frames (~1 s) travel in one call when the host falls behind. */
const maxBatchFrames = 10;

let sessionSeq = 0;

/**
 * One listening session: an open microphone whose frames go to voice.listen in order, one call at a
 * time (a slow host makes them queue up, never drop or reorder), and voice.listenEnd to finish the turn.
 */
export class ListenSession {
  readonly id = `${Date.now().toString(36)}-${++sessionSeq}`;
  private capture: MicrophoneCapture | null = null;
  private readonly queue: Int16Array[] = [];
  private sending: Promise<void> | null = null;
  private closed = false;

  private constructor(private readonly options: ListenSessionOptions) {}

  /** Opens the microphone; rejects with a MicrophoneError when it cannot. */
  static async open(options: ListenSessionOptions): Promise<ListenSession> {
    const session = new ListenSession(options);
    session.capture = await MicrophoneCapture.open({
      onFrame: (samples) => session.frame(samples),
      onLost: () => void session.lose(),
    });
    return session;
  }

  get echoCancellation(): boolean {
    return this.capture?.echoCancellation ?? false;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Ends the turn: the last samples are sent, then the host finalises what it heard. `discard` still ends
   * the host's session but drops its final transcript (hands-free switched off: nothing was meant to send).
   */
  async end(discard = false): Promise<void> {
    if (this.closed) return;
    await this.capture?.flush();
    this.capture?.close();
    await this.drained();
    if (this.closed) return;
    this.closed = true;
    try {
      const sentAt = performance.now();
      const { events } = await this.options.client.call('voice.listenEnd', { sessionId: this.id });
      if (!discard) this.options.onEvents(events, sentAt);
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** Drops the session without telling the host (the connection is gone). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.capture?.close();
  }

  private async lose(): Promise<void> {
    // Unplugged mid-turn: keep what was said so far.
    await this.end();
    this.options.onLost();
  }

  private frame(samples: Int16Array): void {
    if (this.closed || this.options.muted()) return;
    this.queue.push(samples);
    this.sending ??= this.pump().finally(() => (this.sending = null));
  }

  private async drained(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatchFrames);
      const samples = new Int16Array(batch.reduce((total, frame) => total + frame.length, 0));
      let offset = 0;
      for (const frame of batch) {
        samples.set(frame, offset);
        offset += frame.length;
      }
      try {
        // Int16Array bytes are little endian on every platform Electron and Chromium run on.
        const pcm16 = bytesToBase64(new Uint8Array(samples.buffer));
        const sentAt = performance.now();
        const { events } = await this.options.client.call('voice.listen', { sessionId: this.id, sampleRate: 16_000, pcm16 });
        if (events.length > 0) this.options.onEvents(events, sentAt);
      } catch (error) {
        this.close();
        this.options.onError(error);
      }
    }
  }
}
