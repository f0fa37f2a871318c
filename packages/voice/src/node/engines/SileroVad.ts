import { AssistantError, cancelledError, ErrorCode, type SpeechSegment } from '@assistant/core';
import { requireModelFile } from '../locateVoiceModels.js';
import { loadSherpaOnnx, type SherpaVad } from './sherpaOnnx.js';

export const vadSampleRate = 16_000;
/** Silero's window at 16 kHz (32 ms). */
export const vadWindowSize = 512;

export interface SileroVadOptions {
  modelPath: string;
  /** Speech probability above which a window is speech. */
  threshold?: number;
  /** Silence that ends a segment. */
  minSilenceMs?: number;
  /** Shorter bursts are not speech. */
  minSpeechMs?: number;
  /** Longer speech is cut into segments of at most this length. */
  maxSpeechMs?: number;
}

/** What the VAD saw in live audio: speech began (approximately at `atMs`) or a segment ended. */
export type VadEvent = { type: 'speechStart'; atMs: number } | { type: 'speechEnd'; startMs: number; endMs: number; samples: Float32Array };

/** A live VAD over one stream of 16 kHz audio, fed in chunks of any size. */
export interface VadListener {
  readonly speaking: boolean;
  /** Milliseconds of audio accepted so far. */
  readonly positionMs: number;
  accept(samples: Float32Array): VadEvent[];
  /** The stream ended: speech in progress becomes a segment. */
  end(): VadEvent[];
}

export interface SileroVad {
  readonly sampleRate: number;
  readonly windowSize: number;
  /** Speech segments of a whole 16 kHz recording. */
  segments(samples: Float32Array, options?: { signal?: AbortSignal }): Promise<SpeechSegment[]>;
  createListener(): VadListener;
}

const msPerSample = 1000 / vadSampleRate;

/** Loads Silero VAD through sherpa-onnx-node; a missing model file is named in the error. */
export async function createSileroVad(options: SileroVadOptions): Promise<SileroVad> {
  requireModelFile(options.modelPath, 'The folder');
  const sherpa = loadSherpaOnnx();
  const config = {
    sileroVad: {
      model: options.modelPath,
      threshold: options.threshold ?? 0.5,
      minSilenceDuration: (options.minSilenceMs ?? 700) / 1000,
      minSpeechDuration: (options.minSpeechMs ?? 250) / 1000,
      maxSpeechDuration: (options.maxSpeechMs ?? 30_000) / 1000,
      windowSize: vadWindowSize,
    },
    sampleRate: vadSampleRate,
    numThreads: 1,
    provider: 'cpu',
    debug: 0,
  };
  const create = (): SherpaVad => {
    try {
      return new sherpa.Vad(config, 60);
    } catch (error) {
      throw new AssistantError(ErrorCode.ModelLoadFailed, `Silero VAD could not load ${options.modelPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  // Fail now, not at the first frame.
  create();
  const minSpeechMs = options.minSpeechMs ?? 250;
  return {
    sampleRate: vadSampleRate,
    windowSize: vadWindowSize,
    createListener: () => new Listener(create(), minSpeechMs),
    async segments(samples, { signal } = {}) {
      const listener = new Listener(create(), minSpeechMs);
      const found: SpeechSegment[] = [];
      const collect = (events: VadEvent[]) => {
        for (const event of events) if (event.type === 'speechEnd') found.push({ startMs: event.startMs, endMs: event.endMs });
      };
      // Ten seconds at a time, yielding in between so a cancel message can arrive.
      const step = vadSampleRate * 10;
      for (let at = 0; at < samples.length; at += step) {
        if (signal?.aborted) throw cancelledError();
        collect(listener.accept(samples.subarray(at, at + step)));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      collect(listener.end());
      return found;
    },
  };
}

class Listener implements VadListener {
  speaking = false;
  private processed = 0;
  private remainder = new Float32Array(0);

  constructor(
    private readonly vad: SherpaVad,
    private readonly minSpeechMs: number,
  ) {}

  get positionMs(): number {
    return (this.processed + this.remainder.length) * msPerSample;
  }

  accept(samples: Float32Array): VadEvent[] {
    const events: VadEvent[] = [];
    let input = samples;
    if (this.remainder.length) {
      input = new Float32Array(this.remainder.length + samples.length);
      input.set(this.remainder);
      input.set(samples, this.remainder.length);
    }
    let at = 0;
    // Whole windows only: Silero's state assumes 512-sample steps.
    for (; at + vadWindowSize <= input.length; at += vadWindowSize) {
      this.vad.acceptWaveform(input.slice(at, at + vadWindowSize));
      this.processed += vadWindowSize;
      this.drain(events);
    }
    this.remainder = input.slice(at);
    return events;
  }

  end(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.remainder.length) {
      const padded = new Float32Array(vadWindowSize);
      padded.set(this.remainder);
      this.vad.acceptWaveform(padded);
      this.processed += this.remainder.length;
      this.remainder = new Float32Array(0);
    }
    this.vad.flush();
    this.drain(events);
    this.speaking = false;
    this.vad.reset();
    return events;
  }

  private drain(events: VadEvent[]): void {
    if (!this.speaking && this.vad.isDetected()) {
      this.speaking = true;
      // Detection lags the onset by about the minimum speech length; the final segment has the exact start.
      events.push({ type: 'speechStart', atMs: Math.max(0, this.processed * msPerSample - this.minSpeechMs - 64) });
    }
    while (!this.vad.isEmpty()) {
      const segment = this.vad.front(false);
      this.vad.pop();
      const { from, to } = trimDigitalSilence(segment.samples);
      if (to <= from) continue;
      const start = segment.start + from;
      if (!this.speaking) events.push({ type: 'speechStart', atMs: start * msPerSample });
      events.push({ type: 'speechEnd', startMs: start * msPerSample, endMs: (segment.start + to) * msPerSample, samples: segment.samples.slice(from, to) });
      this.speaking = this.vad.isDetected();
    }
  }
}

/** Below -60 dBFS: digital silence or a noise floor no microphone produces while someone speaks. */
const silenceLevel = 0.001;

/**
 * Silero pads segments with the windows around the speech (and the last segment runs to the end of the
 * stream); the padding is trimmed where it is near-digital silence, so segment bounds match the speech.
 * Real recordings have a noise floor above this level and keep Silero's bounds.
 */
function trimDigitalSilence(samples: Float32Array): { from: number; to: number } {
  let from = 0;
  while (from < samples.length && Math.abs(samples[from]!) < silenceLevel) from++;
  let to = samples.length;
  while (to > from && Math.abs(samples[to - 1]!) < silenceLevel) to--;
  return { from, to };
}
