import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, type ListenEvent, type VoiceState } from '@assistant/core';
import type { VoiceService } from '@assistant/voice/library';
import { decodeWav, resample, toPcm } from '@assistant/voice';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHost, waitFor } from '../support/hostHarness.js';
import { modelFile, tinyChatModel } from '../support/models.js';
import { sharedDataDir } from '../support/sharedData.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

const vadModel = modelFile('silero-vad/silero_vad.onnx');
const data = sharedDataDir();
const clip = data ? path.join(data, 'speech/generated-espeak/quick_brown_fox_espeak.wav') : null;
const espeak = spawnSync('espeak-ng', ['--version']).status === 0;
const ready = Boolean(vadModel && tinyChatModel && clip && espeak);
const needs = 'needs silero-vad/silero_vad.onnx and stories260k/stories260K.gguf in ASSISTANT_MODELS_DIR, the shared speech data, and espeak-ng';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function settledVoice(h: Harness): Promise<VoiceState> {
  let state = await h.client.call('voice.getState', {});
  await waitFor(async () => (state = await h.client.call('voice.getState', {})).message !== 'Starting voice…', 30_000, 'the voice engines to load');
  return state;
}

describe.skipIf(!ready)(`voice through the host with this machine's models (${needs})`, () => {
  it('lands in TTS_ONLY with the reason, detects speech, and speaks with the system voice', async () => {
    harness = await startHost();
    const state = await settledVoice(harness);
    expect(state).toMatchObject({
      tier: 'TTS_ONLY',
      message: 'Type your message; replies are still spoken (no speech-to-text model is installed).',
      speak: { available: true, engine: 'system', reason: 'no Piper voice is installed: using the system voice' },
    });

    // Speech is detected without STT (barge-in needs it), and the turn ends with an empty transcript.
    const wav = decodeWav(fs.readFileSync(clip!), clip!);
    const samples = resample(wav.samples, wav.sampleRate, 16_000);
    const events: ListenEvent[] = [];
    for (let offset = 0; offset < samples.length; offset += 1600) {
      const pcm = toPcm({ samples: samples.subarray(offset, offset + 1600), sampleRate: 16_000 });
      events.push(...(await harness.client.call('voice.listen', { sessionId: 'fox', ...pcm })).events);
    }
    events.push(...(await harness.client.call('voice.listenEnd', { sessionId: 'fox' })).events);
    expect(events.map((event) => event.type)).toEqual(['speechStart', 'final']);
    expect(events[1]).toMatchObject({ type: 'final', text: '' });
    const { pcm16 } = await harness.client.call('voice.speak', { text: 'The quick brown fox jumps over the lazy dog.' });
    expect(Buffer.from(pcm16, 'base64').length).toBeGreaterThan(16_000);
  });

  it('survives a kill -9 of the voice worker mid-reply: the reply is stored, the tier comes back, speech works again', async () => {
    harness = await startHost();
    await harness.client.call('settings.update', { maxTokens: 400, temperature: 0 });
    await settledVoice(harness);
    const voice = harness.host.voice as unknown as VoiceService;
    const signal = new AbortController().signal;
    const sentences: Promise<unknown>[] = [];
    let killed = false;
    const reply = await harness.client.stream('chat.send', { text: 'Once upon a time' }, {
      signal,
      onItem: (item) => {
        if (item.type !== 'text') return;
        const speaking = harness!.client.call('voice.speak', { text: item.text.trim() || 'and' }).catch((error: { code: string }) => error.code);
        sentences.push(speaking);
        if (!killed && voice.workerPid) {
          killed = true;
          process.kill(voice.workerPid, 'SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    const outcomes = await Promise.all(sentences);
    // The sentence in flight fails with the crash; nothing else is lost.
    expect(outcomes.some((outcome) => outcome === ErrorCode.WorkerCrashed || outcome === ErrorCode.TransportClosed || outcome === ErrorCode.VoiceUnavailable)).toBe(true);
    expect(reply.message.status).toBe('complete');
    const stored = await harness.client.call('conversations.get', { id: reply.message.conversationId });
    expect(stored.messages.map((message) => [message.role, message.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(stored.messages[1]!.text).toBe(reply.message.text);

    // A new worker is started and its engines loaded again: the tier is back and speaking works.
    await waitFor(async () => {
      const state = await harness!.client.call('voice.getState', {});
      return state.tier === 'TTS_ONLY' && state.speak.available && state.worker.restarts >= 1;
    }, 30_000, 'the voice worker to come back');
    await expect(harness.client.call('voice.speak', { text: 'Back again.' })).resolves.toMatchObject({ engine: 'system' });
  });

  it('voice-turn runs a whole turn from a recording, and says what is missing without an STT model', () => {
    const out = path.join(makeTempDir('voice-turn-'), 'reply.wav');
    const run = (extra: string[]) => runCli(['voice-turn', clip!, '--out', out, '--model', tinyChatModel!, ...extra], { ASSISTANT_LOG_LEVEL: 'error' }, 120_000);

    const missing = run([]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Speech was detected but not transcribed: no speech-to-text model is installed\. Pass --text/);

    const turn = run(['--text', 'Tell me about the fox.', '--json']);
    expect(turn.code, turn.stderr).toBe(0);
    const printed = JSON.parse(turn.stdout) as { heard: boolean; engine: string; segments: unknown[]; timings: Record<string, number | null> };
    expect(printed).toMatchObject({ heard: false, engine: 'system' });
    expect(printed.segments).toHaveLength(1);
    for (const stage of ['firstTokenMs', 'firstSentenceMs', 'firstAudioMs']) expect(printed.timings[stage]).toBeGreaterThan(0);
    const reply = decodeWav(fs.readFileSync(out), out);
    expect(reply.samples.length / reply.sampleRate).toBeGreaterThan(0.5);
  });
});
