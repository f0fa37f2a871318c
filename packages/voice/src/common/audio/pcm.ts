import type { Pcm } from '@assistant/core';
import { base64ToBytes, bytesToBase64 } from './base64.js';

/** Mono audio as the engines want it: float samples in [-1, 1] at a known rate. */
export interface AudioBuffer {
  samples: Float32Array;
  sampleRate: number;
}

/** Float → int16 with clipping (NaN becomes 0): engines may overshoot ±1 and wrap-around would click. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const clipped = s > 1 ? 1 : s < -1 ? -1 : s === s ? s : 0;
    out[i] = Math.round(clipped < 0 ? clipped * 32768 : clipped * 32767);
  }
  return out;
}

export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768;
  return out;
}

/** Samples → the contract's `pcm16` (little endian, base64) regardless of the machine's byte order. */
export function floatToPcm16Base64(samples: Float32Array): string {
  const ints = floatToInt16(samples);
  const bytes = new Uint8Array(ints.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ints.length; i++) view.setInt16(i * 2, ints[i]!, true);
  return bytesToBase64(bytes);
}

export function pcm16Base64ToFloat(pcm16: string, field = 'pcm16'): Float32Array {
  const bytes = base64ToBytes(pcm16, field);
  if (bytes.length % 2 !== 0) throw new Error(`${field} has an odd number of bytes (${bytes.length}): 16-bit PCM needs two per sample.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  return out;
}

export function toPcm(audio: AudioBuffer): Pcm {
  return { sampleRate: Math.round(audio.sampleRate), pcm16: floatToPcm16Base64(audio.samples) };
}

export function fromPcm(pcm: Pcm, field = 'pcm16'): AudioBuffer {
  return { samples: pcm16Base64ToFloat(pcm.pcm16, field), sampleRate: pcm.sampleRate };
}

/** Root mean square and peak, for "is this silent?" checks and levels. */
export function audioLevels(samples: Float32Array): { rms: number; peak: number } {
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    sum += s * s;
    const a = Math.abs(s);
    if (a > peak) peak = a;
  }
  return { rms: samples.length ? Math.sqrt(sum / samples.length) : 0, peak };
}
