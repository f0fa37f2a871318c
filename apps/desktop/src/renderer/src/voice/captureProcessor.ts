// An AudioWorklet module (AudioWorkletGlobalScope, not the page): it turns the microphone's float samples,
// at whatever rate the device runs, into 16 kHz Int16 frames of ~100 ms for the host's VAD and STT.
// Bundled on its own by Vite (`?worker&url` in MicrophoneCapture.ts), so it imports nothing.

declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new () => object): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}

const targetRate = 16_000;
const frameSamples = 1_600;

/** Posts `{ type: 'frame', pcm: ArrayBuffer }` per 100 ms, and `{ type: 'flushed' }` after a 'flush' request. */
class CaptureProcessor extends AudioWorkletProcessor {
  private readonly ratio = sampleRate / targetRate;
  private frame = new Int16Array(frameSamples);
  private filled = 0;
  /** Where the next output sample starts, in input samples relative to the current block (may be negative). */
  private position = 0;
  /** The running sum of the input samples that belong to the output sample in progress. */
  private sum = 0;
  private count = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type !== 'flush') return;
      // Push-to-talk release: the partial last frame is speech too.
      this.post(this.filled);
      this.port.postMessage({ type: 'flushed' });
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel) this.downsample(channel);
    return true;
  }

  /** Averages each output sample's span of input samples: a box filter that keeps most aliasing out of 16 kHz. */
  private downsample(input: Float32Array): void {
    for (let i = 0; i < input.length; i++) {
      this.sum += input[i]!;
      this.count++;
      if (i + 1 >= this.position + this.ratio) {
        this.push(this.sum / this.count);
        this.position += this.ratio;
        this.sum = 0;
        this.count = 0;
      }
    }
    this.position -= input.length;
  }

  private push(sample: number): void {
    const clamped = Math.max(-1, Math.min(1, sample));
    this.frame[this.filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    if (this.filled === frameSamples) this.post(frameSamples);
  }

  private post(length: number): void {
    if (length === 0) return;
    const pcm = this.frame.slice(0, length).buffer;
    this.port.postMessage({ type: 'frame', pcm }, [pcm]);
    this.frame = new Int16Array(frameSamples);
    this.filled = 0;
  }
}

registerProcessor('capture-processor', CaptureProcessor);
