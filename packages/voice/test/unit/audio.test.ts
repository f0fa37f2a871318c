import { describe, expect, it } from 'vitest';
import { audioLevels, base64ToBytes, bytesToBase64, decodeWav, encodeWav, floatToInt16, floatToPcm16Base64, pcm16Base64ToFloat, Resampler, resample } from '../../src/index.js';

const sine = (frequency: number, rate: number, seconds: number, amplitude = 0.5) => {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate);
  return out;
};

/** Dominant frequency by counting upward zero crossings over the middle of the signal. */
function zeroCrossingFrequency(samples: Float32Array, rate: number): number {
  const from = Math.floor(samples.length * 0.1);
  const to = Math.floor(samples.length * 0.9);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / (to - from);
}

/** A hand-built WAV with any format, for the decoder. */
function wavBytes(options: { format?: number; channels: number; rate: number; bits: number; frames: number[][]; dataSizeOverride?: number }): Uint8Array {
  const bytesPerSample = options.bits / 8;
  const dataSize = options.frames.length * options.channels * bytesPerSample;
  const bytes = new Uint8Array(44 + dataSize);
  const view = new DataView(bytes.buffer);
  const tag = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  tag(0, 'RIFF');
  view.setUint32(4, 36 + dataSize, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, options.format ?? 1, true);
  view.setUint16(22, options.channels, true);
  view.setUint32(24, options.rate, true);
  view.setUint32(28, options.rate * options.channels * bytesPerSample, true);
  view.setUint16(32, options.channels * bytesPerSample, true);
  view.setUint16(34, options.bits, true);
  tag(36, 'data');
  view.setUint32(40, options.dataSizeOverride ?? dataSize, true);
  let at = 44;
  for (const frame of options.frames) {
    for (const value of frame) {
      if (options.format === 3) view.setFloat32(at, value, true);
      else if (options.bits === 8) view.setUint8(at, Math.round(value * 127 + 128));
      else if (options.bits === 16) view.setInt16(at, Math.round(value * 32767), true);
      else if (options.bits === 24) {
        const v = Math.round(value * 8388607);
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setInt8(at + 2, v >> 16);
      } else view.setInt32(at, Math.round(value * 2147483647), true);
      at += bytesPerSample;
    }
  }
  return bytes;
}

describe('WAV codec', () => {
  it('round-trips 16-bit mono within one quantisation step', () => {
    const samples = sine(440, 22050, 0.2);
    const decoded = decodeWav(encodeWav(samples, 22050));
    expect(decoded).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16, format: 'pcm' });
    expect(decoded.samples.length).toBe(samples.length);
    for (let i = 0; i < samples.length; i++) expect(Math.abs(decoded.samples[i]! - samples[i]!)).toBeLessThan(1 / 16000);
  });

  it.each([8, 16, 24, 32])('decodes %i-bit PCM stereo to the mean of its channels', (bits) => {
    const frames = [[0.5, -0.5], [0.25, 0.75], [-1, -1], [0, 0.5]];
    const decoded = decodeWav(wavBytes({ channels: 2, rate: 8000, bits, frames }), `stereo${bits}.wav`);
    expect(decoded.channels).toBe(2);
    const expected = [0, 0.5, -1, 0.25];
    expected.forEach((value, i) => expect(decoded.samples[i]).toBeCloseTo(value, 1));
  });

  it('decodes 32-bit float and any channel count', () => {
    const decoded = decodeWav(wavBytes({ format: 3, channels: 3, rate: 48000, bits: 32, frames: [[0.3, 0.3, 0.3], [1, 0, -1]] }));
    expect(decoded.format).toBe('float');
    expect(decoded.samples[0]).toBeCloseTo(0.3, 5);
    expect(decoded.samples[1]).toBeCloseTo(0, 5);
  });

  it('reads streamed WAVs whose header has no real size (espeak-ng --stdout)', () => {
    const decoded = decodeWav(wavBytes({ channels: 1, rate: 22050, bits: 16, frames: [[0.1], [0.2], [0.3]], dataSizeOverride: 0x7ffff000 }));
    expect(decoded.samples.length).toBe(3);
  });

  it('names the file and the problem for corrupt, truncated and unsupported WAVs', () => {
    const good = encodeWav(sine(100, 8000, 0.1), 8000);
    expect(() => decodeWav(good.slice(0, 100), 'cut.wav')).toThrow(/cut\.wav is not a readable WAV file: it is truncated \(the data chunk declares 1600 bytes, only 56 are present\)/);
    expect(() => decodeWav(new TextEncoder().encode('hello, this is not audio at all'), 'notes.wav')).toThrow(/notes\.wav .*no RIFF\/WAVE header/);
    expect(() => decodeWav(new Uint8Array(5), 'tiny.wav')).toThrow(/tiny\.wav .*only 5 bytes/);
    expect(() => decodeWav(good.slice(0, 30), 'header.wav')).toThrow(/header\.wav .*fmt chunk is truncated/);
    expect(() => decodeWav(wavBytes({ format: 2, channels: 1, rate: 8000, bits: 16, frames: [[0]] }), 'adpcm.wav')).toThrow(/adpcm\.wav .*sample format 2 is not supported/);
  });

  it('keeps silence silent and clips overshoot instead of wrapping', () => {
    expect(audioLevels(decodeWav(encodeWav(new Float32Array(1000), 16000)).samples)).toEqual({ rms: 0, peak: 0 });
    expect([...floatToInt16(Float32Array.from([1.5, -1.5, 1, -1, Number.NaN, 0.5]))]).toEqual([32767, -32768, 32767, -32768, 0, 16384]);
    const loud = decodeWav(encodeWav(Float32Array.from([2, -2, 3]), 16000)).samples;
    expect(loud[0]).toBeGreaterThan(0.999);
    expect(loud[1]).toBe(-1);
  });
});

describe('PCM base64', () => {
  it('round-trips bytes of every length like Node does', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect([...base64ToBytes(text)]).toEqual([...bytes]);
    }
  });

  it('round-trips float samples through pcm16 and rejects broken input by field name', () => {
    const samples = sine(300, 16000, 0.05);
    const back = pcm16Base64ToFloat(floatToPcm16Base64(samples));
    for (let i = 0; i < samples.length; i++) expect(Math.abs(back[i]! - samples[i]!)).toBeLessThan(1 / 16000);
    expect(() => pcm16Base64ToFloat('ab$d', 'pcm16')).toThrow(/pcm16 is not valid base64/);
    expect(() => pcm16Base64ToFloat('AA==', 'pcm16')).toThrow(/odd number of bytes/);
  });
});

describe('resampler', () => {
  it('keeps a 1 kHz sine at 1 kHz from 44.1 kHz to 16 kHz and back', () => {
    const input = sine(1000, 44100, 1);
    const down = resample(input, 44100, 16000);
    expect(down.length).toBe(16000);
    expect(zeroCrossingFrequency(down, 16000)).toBeCloseTo(1000, -1);
    expect(audioLevels(down.subarray(1000, 15000)).rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const up = resample(down, 16000, 44100);
    expect(zeroCrossingFrequency(up, 44100)).toBeCloseTo(1000, -1);
  });

  it.each([8000, 11025, 22050, 44100, 48000, 96000])('handles %i Hz', (rate) => {
    const out = resample(sine(440, rate, 0.5), rate, 16000);
    expect(Math.abs(out.length - 8000)).toBeLessThanOrEqual(1);
    expect(zeroCrossingFrequency(out, 16000)).toBeCloseTo(440, -1);
  });

  it('removes what the new rate cannot carry instead of aliasing it', () => {
    // 12 kHz is above 16 kHz's Nyquist: without the low-pass it would fold down to 4 kHz.
    const out = resample(sine(12000, 48000, 0.5), 48000, 16000);
    expect(audioLevels(out.subarray(500, 7500)).rms).toBeLessThan(0.005);
  });

  it('gives the same output chunk by chunk as in one piece', () => {
    const input = sine(700, 48000, 0.3);
    const whole = resample(input, 48000, 16000);
    const resampler = new Resampler(48000, 16000);
    const parts: number[] = [];
    for (let at = 0; at < input.length; at += 4800) parts.push(...resampler.process(input.subarray(at, at + 4800)));
    parts.push(...resampler.flush());
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 5);
  });
});
