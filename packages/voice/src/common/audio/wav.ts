import type { AudioBuffer } from './pcm.js';
import { floatToInt16 } from './pcm.js';

export interface DecodedWav extends AudioBuffer {
  /** Channels in the file (the samples are always their average: mono). */
  channels: number;
  bitsPerSample: number;
  format: 'pcm' | 'float';
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;
// Writers that stream to a pipe (espeak-ng --stdout) cannot seek back to fill in sizes: they leave a
// huge placeholder, and the data then runs to the end of the file.
const STREAMING_SIZE = 0x7fff0000;

function tag(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit integer or 32-bit float, any channel count) to mono
 * float samples. `name` (a file name or field) appears in every error, so a user knows which input broke.
 */
export function decodeWav(bytes: Uint8Array, name = 'the WAV data'): DecodedWav {
  const fail = (why: string): never => {
    throw new Error(`${name} is not a readable WAV file: ${why}.`);
  };
  if (bytes.length < 12) fail(`it is only ${bytes.length} bytes long`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') fail('it has no RIFF/WAVE header');

  let fmt: { format: number; channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | null = null;
  let data: { offset: number; length: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length && !data) {
    const id = tag(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) fail('its fmt chunk is truncated');
      let format = view.getUint16(body, true);
      if (format === EXTENSIBLE) {
        if (size < 40 || body + 40 > bytes.length) fail('its extensible fmt chunk is truncated');
        // The sub-format GUID starts with the plain format code.
        format = view.getUint16(body + 24, true);
      }
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), blockAlign: view.getUint16(body + 12, true), bitsPerSample: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      const available = bytes.length - body;
      if (size >= STREAMING_SIZE) data = { offset: body, length: available };
      else if (size > available) fail(`it is truncated (the data chunk declares ${size} bytes, only ${available} are present)`);
      else data = { offset: body, length: size };
    }
    offset = body + size + (size % 2);
  }
  if (!fmt) fail('it has no fmt chunk');
  if (!data) fail('it has no data chunk');
  const { format, channels, sampleRate, bitsPerSample } = fmt!;
  if (format !== PCM && format !== FLOAT) fail(`its sample format ${format} is not supported (only PCM and 32-bit float)`);
  if (channels < 1) fail('it declares no channels');
  if (sampleRate < 1000 || sampleRate > 768_000) fail(`its sample rate ${sampleRate} Hz is out of range`);
  const valid = format === FLOAT ? bitsPerSample === 32 : [8, 16, 24, 32].includes(bitsPerSample);
  if (!valid) fail(`${bitsPerSample}-bit ${format === FLOAT ? 'float' : 'PCM'} samples are not supported`);

  const bytesPerSample = bitsPerSample / 8;
  const frameSize = bytesPerSample * channels;
  const frames = Math.floor(data!.length / frameSize);
  const read = sampleReader(view, format, bitsPerSample);
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const base = data!.offset + f * frameSize;
    for (let c = 0; c < channels; c++) sum += read(base + c * bytesPerSample);
    samples[f] = sum / channels;
  }
  return { samples, sampleRate, channels, bitsPerSample, format: format === FLOAT ? 'float' : 'pcm' };
}

function sampleReader(view: DataView, format: number, bits: number): (at: number) => number {
  if (format === FLOAT) return (at) => view.getFloat32(at, true);
  switch (bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => {
        const value = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
        return value / 8388608;
      };
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/** Encodes float samples (interleaved when `channels` > 1) as a 16-bit PCM WAV file (clipped, never wrapped). */
export function encodeWav(samples: Float32Array, sampleRate: number, channels = 1): Uint8Array {
  const ints = floatToInt16(samples);
  const bytes = new Uint8Array(44 + ints.length * 2);
  const view = new DataView(bytes.buffer);
  const writeTag = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, text.charCodeAt(i));
  };
  writeTag(0, 'RIFF');
  view.setUint32(4, 36 + ints.length * 2, true);
  writeTag(8, 'WAVE');
  writeTag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, Math.round(sampleRate), true);
  view.setUint32(28, Math.round(sampleRate) * 2 * channels, true);
  view.setUint16(32, 2 * channels, true);
  view.setUint16(34, 16, true);
  writeTag(36, 'data');
  view.setUint32(40, ints.length * 2, true);
  for (let i = 0; i < ints.length; i++) view.setInt16(44 + i * 2, ints[i]!, true);
  return bytes;
}
