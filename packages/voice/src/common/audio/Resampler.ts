const tableResolution = 512;

/**
 * Windowed-sinc (Blackman) resampler for any pair of rates, usable on a whole recording or chunk by chunk
 * (live microphone frames): it keeps the input history the filter needs, so chunked output equals
 * whole-buffer output. Downsampling low-passes at 95% of the new Nyquist, so 44.1 or 48 kHz speech does
 * not alias into the 16 kHz the models expect.
 */
export class Resampler {
  readonly ratio: number;
  private readonly cutoff: number;
  private readonly halfWidth: number;
  private readonly step: number;
  /** The kernel sampled every 1/tableResolution input samples (trig per tap is too slow for live audio). */
  private readonly table: Float32Array;
  /** Pending input; buffer[0] is absolute input sample `bufferStart`. */
  private buffer = new Float32Array(0);
  private bufferStart = 0;
  private inputCount = 0;
  /** Next output sample index (absolute). */
  private outputIndex = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
    zeroCrossings = 16,
  ) {
    if (!(fromRate > 0) || !(toRate > 0)) throw new Error(`Cannot resample from ${fromRate} Hz to ${toRate} Hz: rates must be positive.`);
    this.ratio = toRate / fromRate;
    this.step = fromRate / toRate;
    this.cutoff = Math.min(1, this.ratio) * 0.95;
    this.halfWidth = Math.ceil(zeroCrossings / this.cutoff);
    this.table = new Float32Array(this.halfWidth * tableResolution + 2);
    for (let i = 0; i < this.table.length; i++) this.table[i] = kernel(i / tableResolution, this.cutoff, this.halfWidth);
  }

  /** Resamples the next chunk; returns the output samples that are complete so far. */
  process(chunk: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) return chunk.slice();
    this.append(chunk);
    // An output sample at input time t needs input up to floor(t) + halfWidth.
    const ready = Math.max(0, Math.floor((this.inputCount - 1 - this.halfWidth) / this.step) + 1);
    return this.produce(ready);
  }

  /** The rest, treating the input after the end as silence. */
  flush(): Float32Array {
    if (this.fromRate === this.toRate) return new Float32Array(0);
    const total = Math.ceil(this.inputCount * this.ratio - 1e-9);
    return this.produce(total);
  }

  private append(chunk: Float32Array): void {
    const merged = new Float32Array(this.buffer.length + chunk.length);
    merged.set(this.buffer);
    merged.set(chunk, this.buffer.length);
    this.buffer = merged;
    this.inputCount += chunk.length;
  }

  private produce(until: number): Float32Array {
    const count = Math.max(0, until - this.outputIndex);
    const out = new Float32Array(count);
    const { halfWidth, table, buffer, bufferStart } = this;
    for (let i = 0; i < count; i++) {
      const t = (this.outputIndex + i) * this.step;
      const center = Math.floor(t);
      const first = Math.max(center - halfWidth + 1, bufferStart);
      const last = Math.min(center + halfWidth, bufferStart + buffer.length - 1);
      let sum = 0;
      for (let k = first; k <= last; k++) {
        const position = Math.abs(t - k) * tableResolution;
        const index = Math.floor(position);
        const fraction = position - index;
        const weight = table[index]! + (table[index + 1]! - table[index]!) * fraction;
        sum += buffer[k - bufferStart]! * weight;
      }
      out[i] = sum;
    }
    this.outputIndex += count;
    // Keep only the history the next output sample needs.
    const keepFrom = Math.floor(this.outputIndex * this.step) - halfWidth + 1;
    if (keepFrom > this.bufferStart) {
      const drop = Math.min(keepFrom - this.bufferStart, this.buffer.length);
      this.buffer = this.buffer.slice(drop);
      this.bufferStart += drop;
    }
    return out;
  }
}

function kernel(x: number, cutoff: number, halfWidth: number): number {
  if (x <= -halfWidth || x >= halfWidth) return 0;
  const u = Math.PI * cutoff * x;
  const sinc = x === 0 ? 1 : Math.sin(u) / u;
  const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / halfWidth);
  return cutoff * sinc * w;
}

/** Resamples a whole recording. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const resampler = new Resampler(fromRate, toRate);
  const head = resampler.process(samples);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
