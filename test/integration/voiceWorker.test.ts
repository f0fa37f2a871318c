import fs from 'node:fs';
import path from 'node:path';
import { type ContractClient, createRpcClient, type ListenEvent, voiceContract, type VoiceContract } from '@assistant/core';
import { ChildProcessLauncher, createStderrLogger, type WorkerHandle } from '@assistant/core/node';
import { audioLevels, decodeWav, floatToPcm16Base64, pcm16Base64ToFloat } from '@assistant/voice';
import { defaultVoiceModels } from '@assistant/voice/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWorkerEntries } from '../../apps/desktop/src/node/workerEntries.js';
import { modelFile } from '../support/models.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { makeTempDir } from '../support/tempDir.js';

const sileroVad = modelFile(defaultVoiceModels.vad);
const speechDir = sharedDataDir() ? path.join(sharedDataDir()!, 'speech') : null;

describe('voice worker process', () => {
  let worker: WorkerHandle;
  let client: ContractClient<VoiceContract>;

  beforeAll(async () => {
    const launcher = new ChildProcessLauncher({ entries: nodeWorkerEntries(), logger: createStderrLogger('error') });
    worker = launcher.launch('voice');
    client = createRpcClient(voiceContract, worker.transport);
    await new Promise<void>((resolve) => client.on('worker.ready', () => resolve()));
  });

  afterAll(() => {
    client?.dispose();
    worker?.kill();
  });

  it.skipIf(!sileroVad || !speechDir)(`streams a recording in 100 ms frames and reports speech start and turn ends (needs ${defaultVoiceModels.vad} and ${needsSharedData})`, async () => {
    expect(await client.call('vad.load', { modelPath: sileroVad! })).toEqual({ sampleRate: 16000, windowSize: 512 });
    // A 22.05 kHz file: the worker resamples live frames itself.
    const file = path.join(speechDir!, 'ljspeech/LJ001-0002.wav');
    const wav = decodeWav(new Uint8Array(fs.readFileSync(file)), file);
    const frame = Math.round(wav.sampleRate / 10);
    const events: ListenEvent[] = [];
    for (let at = 0; at < wav.samples.length; at += frame) {
      const pcm16 = floatToPcm16Base64(wav.samples.subarray(at, at + frame));
      events.push(...(await client.call('listen.audio', { sessionId: 's1', sampleRate: wav.sampleRate, pcm16 })).events);
    }
    events.push(...(await client.call('listen.end', { sessionId: 's1' })).events);
    expect(events[0]).toMatchObject({ type: 'speechStart' });
    const finals = events.filter((event) => event.type === 'final');
    expect(finals.length).toBeGreaterThanOrEqual(1);
    // No STT loaded: the turn still ends, with no text.
    expect(finals[0]).toMatchObject({ type: 'final', text: '' });
    expect(finals.at(-1)!.endMs).toBeGreaterThan(finals[0]!.startMs);

    const whole = await client.call('vad.segments', { sampleRate: wav.sampleRate, pcm16: floatToPcm16Base64(wav.samples) });
    expect(whole.durationMs).toBeCloseTo((wav.samples.length / wav.sampleRate) * 1000, 0);
    expect(whole.segments.length).toBe(finals.length);
  });

  it('speaks with the system voice', async () => {
    expect(await client.call('tts.load', { engine: 'system' })).toMatchObject({ engine: 'system', voice: 'espeak-ng' });
    const spoken = await client.call('tts.speak', { text: 'Hello from the voice worker.' });
    expect(spoken.engine).toBe('system');
    const samples = pcm16Base64ToFloat(spoken.pcm16);
    expect(samples.length / spoken.sampleRate).toBeGreaterThan(0.8);
    expect(audioLevels(samples).rms).toBeGreaterThan(0.01);
  });

  it('a Piper folder without tokens.txt fails tts.load naming it, and speech still comes from the system voice', async () => {
    const dir = makeTempDir('piper-broken-');
    fs.writeFileSync(path.join(dir, 'en_US-amy-low.onnx'), 'not a model');
    fs.mkdirSync(path.join(dir, 'espeak-ng-data'));
    await expect(client.call('tts.load', { engine: 'piper', model: path.join(dir, 'en_US-amy-low.onnx'), tokens: path.join(dir, 'tokens.txt'), dataDir: path.join(dir, 'espeak-ng-data') })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: `The Piper voice folder ${dir} has no tokens.txt.`,
    });
    const spoken = await client.call('tts.speak', { text: 'Still here.', speed: 1.5 });
    expect(spoken.engine).toBe('system');
    expect(pcm16Base64ToFloat(spoken.pcm16).length).toBeGreaterThan(1000);
  });

  it('without a loaded model, STT and VAD calls fail with a sentence, and the worker keeps serving', async () => {
    await expect(client.call('stt.transcribe', { sampleRate: 16000, pcm16: floatToPcm16Base64(new Float32Array(1600)) })).rejects.toMatchObject({ code: 'VOICE_ENGINE_FAILED' });
    await expect(client.call('stt.load', { kind: 'transducer', encoder: '/none/encoder.onnx', decoder: '/none/decoder.onnx', joiner: '/none/joiner.onnx', tokens: '/none/tokens.txt' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('encoder.onnx') });
    expect((await client.call('tts.speak', { text: 'ok' })).engine).toBe('system');
  });
});
