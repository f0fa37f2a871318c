import fs from 'node:fs';
import path from 'node:path';
import { audioLevels, decodeWav, resample } from '@assistant/voice';
import { createPiperTts, createSileroVad, createStreamingStt, createSystemVoice, defaultVoiceModels, locatePiperVoice, locateTransducer, type SileroVad, vadSampleRate } from '@assistant/voice/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelFile, modelsDir } from '../support/models.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';

const speechDir = sharedDataDir() ? path.join(sharedDataDir()!, 'speech') : null;
const sileroVad = modelFile(defaultVoiceModels.vad);
const needsVad = `needs ${defaultVoiceModels.vad} in ASSISTANT_MODELS_DIR and ${needsSharedData}`;
const sttDir = modelsDir ? path.join(modelsDir, defaultVoiceModels.stt) : null;
const sttPresent = sttDir !== null && fs.existsSync(path.join(sttDir, 'tokens.txt'));
const piperDir = modelsDir ? path.join(modelsDir, defaultVoiceModels.piper) : null;
const piperPresent = piperDir !== null && fs.existsSync(path.join(piperDir, 'en_US-amy-low.onnx'));

function load16k(file: string): Float32Array {
  const wav = decodeWav(new Uint8Array(fs.readFileSync(file)), file);
  return resample(wav.samples, wav.sampleRate, vadSampleRate);
}

/**
 * The espeak clips have digital silence between utterances: the true boundaries are the first and last
 * sample above a small amplitude in each region separated by at least half a second of silence.
 */
function trueBoundaries(samples: Float32Array): { startMs: number; endMs: number }[] {
  const regions: { startMs: number; endMs: number }[] = [];
  let start = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) < 0.01) continue;
    if (start >= 0 && i - last > vadSampleRate / 2) {
      regions.push({ startMs: start / 16, endMs: last / 16 });
      start = -1;
    }
    if (start < 0) start = i;
    last = i;
  }
  if (start >= 0) regions.push({ startMs: start / 16, endMs: last / 16 });
  return regions;
}

const wavFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? wavFiles(path.join(dir, entry.name)) : entry.name.endsWith('.wav') ? [path.join(dir, entry.name)] : []));

describe.skipIf(!sileroVad || !speechDir)(`Silero VAD on real speech (${needsVad})`, () => {
  let vad: SileroVad;
  beforeAll(async () => {
    vad = await createSileroVad({ modelPath: sileroVad! });
  });

  it.each([
    ['generated-espeak/vad_two_utterances_espeak.wav', 2],
    ['generated-espeak/quick_brown_fox_espeak.wav', 1],
  ])('%s has %i segment(s) within 0.25 s of the true boundaries', async (name, count) => {
    const samples = load16k(path.join(speechDir!, name));
    const truth = trueBoundaries(samples);
    expect(truth).toHaveLength(count);
    const segments = await vad.segments(samples);
    expect(segments).toHaveLength(count);
    segments.forEach((segment, i) => {
      expect(Math.abs(segment.startMs - truth[i]!.startMs)).toBeLessThan(250);
      expect(Math.abs(segment.endMs - truth[i]!.endMs)).toBeLessThan(250);
    });
  });

  it('finds speech in every other recording of the shared data', async () => {
    const files = wavFiles(speechDir!).filter((file) => !file.includes('generated-espeak'));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const segments = await vad.segments(load16k(file));
      expect(segments.length, path.relative(speechDir!, file)).toBeGreaterThanOrEqual(1);
    }
  });

  it('measures its real-time factor on jfk.wav', async () => {
    const samples = load16k(path.join(speechDir!, 'jfk/jfk.wav'));
    const started = performance.now();
    const segments = await vad.segments(samples);
    const rtf = (performance.now() - started) / ((samples.length / vadSampleRate) * 1000);
    console.log(`VAD real-time factor on jfk.wav: ${rtf.toFixed(4)} (${segments.length} segments)`);
    expect(rtf).toBeLessThan(0.5);
  });

  it('the live listener reports speech start and the same segments as the whole-file pass', async () => {
    const samples = load16k(path.join(speechDir!, 'generated-espeak/vad_two_utterances_espeak.wav'));
    const listener = vad.createListener();
    const events = [];
    for (let at = 0; at < samples.length; at += 1600) events.push(...listener.accept(samples.subarray(at, at + 1600)));
    events.push(...listener.end());
    expect(events.map((event) => event.type)).toEqual(['speechStart', 'speechEnd', 'speechStart', 'speechEnd']);
    const whole = await vad.segments(samples);
    const ends = events.flatMap((event) => (event.type === 'speechEnd' ? [{ startMs: event.startMs, endMs: event.endMs }] : []));
    expect(ends).toEqual(whole);
  });
});

describe('missing voice models are named', () => {
  it('a VAD, STT or Piper folder without its files says which file', async () => {
    await expect(createSileroVad({ modelPath: '/nowhere/silero_vad.onnx' })).rejects.toThrow(/\/nowhere has no silero_vad\.onnx/);
    expect(() => locateTransducer('/nowhere/stt')).toThrow(/speech-to-text folder \/nowhere\/stt does not exist/);
    const empty = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'piper-'));
    fs.writeFileSync(path.join(empty, 'voice.onnx'), '');
    expect(() => locatePiperVoice(empty)).toThrow(`The Piper voice folder ${empty} has no tokens.txt.`);
  });
});

describe('system voice', () => {
  it('speaks audibly for a sensible duration (espeak-ng on Linux)', async () => {
    const voice = await createSystemVoice();
    const text = 'The quick brown fox jumps over the lazy dog.';
    const started = performance.now();
    const audio = await voice.speak(text);
    const seconds = audio.samples.length / audio.sampleRate;
    console.log(`System voice (${voice.voice}) real-time factor: ${((performance.now() - started) / 1000 / seconds).toFixed(3)}`);
    expect(seconds).toBeGreaterThan(1.2);
    expect(seconds).toBeLessThan(6);
    expect(audioLevels(audio.samples).rms).toBeGreaterThan(0.01);
    const faster = await voice.speak(text, { speed: 2 });
    expect(faster.samples.length / faster.sampleRate).toBeLessThan(seconds * 0.75);
  });

  it('says clearly when its program is missing', async () => {
    await expect(createSystemVoice({ platform: 'linux', binary: '/nonexistent/espeak-ng' })).rejects.toThrow(/espeak-ng is not installed/);
  });
});

interface Transcript {
  file: string;
  text: string;
}

/** transcripts.jsonl names files as "<source-folder>/<name>"; the shared folders are named differently, so match by file name. */
function transcripts(): { file: string; text: string }[] {
  const byName = new Map(wavFiles(speechDir!).map((file) => [path.basename(file), file]));
  return fs
    .readFileSync(path.join(speechDir!, 'transcripts.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Transcript)
    .map((entry) => ({ file: byName.get(path.basename(entry.file)) ?? entry.file, text: entry.text }));
}

const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

function wordErrors(reference: string[], hypothesis: string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[hypothesis.length]!;
}

const sttTitle = `streaming STT word error rate on speech/transcripts.jsonl`;
(sttPresent && speechDir ? it : it.skip)(sttPresent ? sttTitle : `${sttTitle} (needs ${defaultVoiceModels.stt}/tokens.txt and encoder/decoder/joiner-*.onnx in ASSISTANT_MODELS_DIR)`, async () => {
  const stt = await createStreamingStt(locateTransducer(sttDir!));
  let errors = 0;
  let total = 0;
  // FLAC is not decoded here (the app records WAV/PCM); those entries are left out and counted.
  const entries = transcripts().filter((entry) => entry.file.endsWith('.wav') && fs.existsSync(entry.file));
  expect(entries.length).toBeGreaterThanOrEqual(20);
  for (const entry of entries) {
    const reference = words(entry.text);
    errors += wordErrors(reference, words(await stt.transcribe(load16k(entry.file))));
    total += reference.length;
  }
  console.log(`STT WER over ${entries.length} utterances: ${((100 * errors) / total).toFixed(1)}%`);
  expect(errors / total).toBeLessThan(0.25);
}, 600_000);

const piperTitle = 'Piper speaks a sentence audibly';
(piperPresent ? it : it.skip)(piperPresent ? piperTitle : `${piperTitle} (needs ${defaultVoiceModels.piper}/en_US-amy-low.onnx in ASSISTANT_MODELS_DIR)`, async () => {
  const piper = await createPiperTts(locatePiperVoice(piperDir!));
  const audio = await piper.speak('Hello, this is the Piper voice.');
  expect(audio.samples.length / audio.sampleRate).toBeGreaterThan(1);
  expect(audioLevels(audio.samples).rms).toBeGreaterThan(0.01);
});
