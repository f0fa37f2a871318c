import fs from 'node:fs';
import path from 'node:path';
import { audioLevels, decodeWav, encodeWav, resample } from '@assistant/voice';
import { defaultVoiceModels } from '@assistant/voice/node';
import { describe, expect, it } from 'vitest';
import { modelFile } from '../support/models.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { repoRoot, runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

const sileroVad = modelFile(defaultVoiceModels.vad);
const speechDir = sharedDataDir() ? path.join(sharedDataDir()!, 'speech') : null;

const run = runCli;

describe('voice commands', () => {
  it.skipIf(!sileroVad || !speechDir)(`vad --json prints the two utterances of the two-utterance clip (needs ${defaultVoiceModels.vad} and ${needsSharedData})`, () => {
    const { code, stdout, stderr } = run(['vad', path.join(speechDir!, 'generated-espeak/vad_two_utterances_espeak.wav'), '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { segments: { startMs: number; endMs: number }[]; durationMs: number };
    expect(result.segments).toHaveLength(2);
    expect(result.durationMs).toBeCloseTo(10227.6, 0);
    expect(result.segments[0]!.endMs).toBeLessThan(result.segments[1]!.startMs);
  });

  it.skipIf(!sileroVad || !speechDir)(`vad takes a 10-minute stereo 44.1 kHz recording in its stride (needs ${defaultVoiceModels.vad} and ${needsSharedData})`, () => {
    // The fox clip 40 times with 14 s of silence between: 10 minutes, resampled and mixed down on the way in.
    const fox = decodeWav(fs.readFileSync(path.join(speechDir!, 'generated-espeak/quick_brown_fox_espeak.wav')));
    const rate = 44_100;
    const clip = resample(fox.samples, fox.sampleRate, rate);
    const gap = 14 * rate;
    const repeats = 40;
    const mono = new Float32Array(repeats * (clip.length + gap));
    for (let i = 0; i < repeats; i++) mono.set(clip, i * (clip.length + gap) + gap / 2);
    const stereo = new Float32Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i]!;
    const file = path.join(makeTempDir('cli-long-'), 'ten-minutes.wav');
    fs.writeFileSync(file, encodeWav(stereo, rate, 2));
    const { code, stdout, stderr } = run(['vad', file, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { segments: unknown[]; durationMs: number };
    expect(result.durationMs / 60_000).toBeGreaterThan(9.5);
    expect(result.segments).toHaveLength(repeats);
  });

  it('vad on a corrupt WAV exits non-zero naming the file', () => {
    const file = path.join(makeTempDir('cli-wav-'), 'broken.wav');
    fs.writeFileSync(file, 'RIFF....WAVEfmt garbage that is not audio');
    const { code, stderr, stdout } = run(['vad', file]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`Error: ${file} is not a readable WAV file`);
  });

  it('say writes a valid, audible WAV and names the engine', () => {
    const out = path.join(makeTempDir('cli-say-'), 'hello.wav');
    // An empty models folder: no Piper voice, so the system voice speaks.
    const { code, stdout } = run(['say', 'hello', '--out', out], { ASSISTANT_MODELS_DIR: makeTempDir('cli-models-') });
    expect(code).toBe(0);
    expect(stdout).toMatch(/with the system voice espeak-ng/);
    const wav = decodeWav(new Uint8Array(fs.readFileSync(out)), out);
    expect(wav.samples.length / wav.sampleRate).toBeGreaterThan(0.2);
    expect(audioLevels(wav.samples).peak).toBeGreaterThan(0.05);
  });

  it('transcribe without the speech-to-text model names the folder it looked for', () => {
    const modelsDir = makeTempDir('cli-models-');
    const { code, stderr } = run(['transcribe', path.join(repoRoot, 'package.json')], { ASSISTANT_MODELS_DIR: modelsDir });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/package\.json is not a readable WAV file/);
    const wav = path.join(makeTempDir('cli-wav-'), 'silence.wav');
    fs.writeFileSync(wav, Buffer.from([...Buffer.from('RIFF'), 36, 0, 0, 0, ...Buffer.from('WAVEfmt '), 16, 0, 0, 0, 1, 0, 1, 0, 0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0, ...Buffer.from('data'), 0, 0, 0, 0]));
    const missing = run(['transcribe', wav], { ASSISTANT_MODELS_DIR: modelsDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(path.join(modelsDir, defaultVoiceModels.stt));
  });
});
