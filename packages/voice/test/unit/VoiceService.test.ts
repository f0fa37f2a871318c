import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, Emitter, ErrorCode, type VoiceState, createMemoryTransportPair, serveRpc, voiceContract } from '@assistant/core';
import { type Manifest, ModelManager, NetworkGate, SettingsStore, type WorkerExit, type WorkerHandle, type WorkerLauncher, openDatabase, silentLogger } from '@assistant/core/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VoiceService } from '../../src/node/library.js';
import { makeTempDir } from '../../../../test/support/tempDir.js';

/** What the fake voice worker does: the process edge is the one place faked (engines are tested for real elsewhere). */
interface Behaviour {
  vad: 'ok' | 'fail';
  stt: 'ok' | 'fail';
  piper: 'ok' | 'fail';
  system: 'ok' | 'fail';
  speak: 'ok' | 'hang';
}

class FakeVoiceLauncher implements WorkerLauncher {
  behaviour: Behaviour = { vad: 'ok', stt: 'ok', piper: 'ok', system: 'ok', speak: 'ok' };
  readonly crashes: (() => void)[] = [];
  loads: string[] = [];

  launch(): WorkerHandle {
    const [hostSide, workerSide] = createMemoryTransportPair();
    const exit = new Emitter<WorkerExit>();
    let exited = false;
    const die = (signal: string) => {
      if (exited) return;
      exited = true;
      hostSide.close();
      queueMicrotask(() => exit.fire({ code: null, signal }));
    };
    const failIf = (what: keyof Behaviour, message: string) => {
      if (this.behaviour[what] === 'fail') throw new AssistantError(ErrorCode.ModelLoadFailed, message);
    };
    let piperLoaded = false;
    const server = serveRpc(voiceContract, workerSide, {
      'vad.load': () => (this.loads.push('vad'), failIf('vad', 'silero_vad.onnx is not a valid model'), { sampleRate: 16000, windowSize: 512 }),
      'vad.segments': () => ({ segments: [], durationMs: 0 }),
      'stt.load': (config) => (this.loads.push('stt'), failIf('stt', 'encoder.onnx is damaged'), { kind: config.kind, streaming: config.kind === 'transducer', sampleRate: 16000 }),
      'stt.transcribe': () => ({ text: 'hello' }),
      'listen.audio': () => ({ events: [{ type: 'speechStart', atMs: 0 }] }),
      'listen.end': () => ({ events: [{ type: 'final', text: 'hello there', startMs: 0, endMs: 900 }] }),
      'tts.load': (config) => {
        this.loads.push(config.engine);
        if (config.engine === 'piper') {
          failIf('piper', 'tokens.txt is missing');
          piperLoaded = true;
          return { engine: 'piper', voice: 'amy', sampleRate: 16000 };
        }
        failIf('system', 'espeak-ng is not installed');
        return { engine: 'system', voice: 'espeak-ng', sampleRate: 22050 };
      },
      'tts.speak': async (_input, { signal }) => {
        if (this.behaviour.speak === 'hang') await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return { sampleRate: 16000, pcm16: 'AAAA', engine: piperLoaded ? 'piper' : 'system' };
      },
    });
    setTimeout(() => server.publish('worker.ready', { pid: 7 }), 1);
    this.crashes.push(() => die('SIGKILL'));
    return { pid: 7, transport: hostSide, onExit: exit.event, kill: () => die('SIGTERM') };
  }
}

const manifest: Manifest = {
  version: 1,
  models: [
    { id: 'silero-vad', kind: 'vad', title: 'VAD', description: '', files: [{ path: 'silero_vad.onnx', url: 'https://example.invalid/v', sizeBytes: null, sha256: null }] },
    { id: 'stt-model', kind: 'stt', title: 'STT', description: '', files: [{ path: 'stt.tar.bz2', url: 'https://example.invalid/s', sizeBytes: null, sha256: null, archive: true }] },
    { id: 'piper-voice', kind: 'tts', title: 'Voice', description: '', files: [{ path: 'voice.tar.bz2', url: 'https://example.invalid/t', sizeBytes: null, sha256: null, archive: true }] },
  ],
} as unknown as Manifest;

/** A models folder laid out as the model manager leaves it after pulling (files are placeholders). */
function modelsFolder(parts: { vad?: boolean; stt?: boolean; piper?: boolean } = {}): string {
  const dir = makeTempDir('voice-models-');
  const write = (file: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), 'x');
  };
  if (parts.vad ?? true) write('silero-vad/silero_vad.onnx');
  if (parts.stt ?? true) for (const file of ['encoder-epoch-99.onnx', 'decoder-epoch-99.onnx', 'joiner-epoch-99.onnx', 'tokens.txt', '.extracted-stt.tar.bz2']) write(`stt-model/${file}`);
  if (parts.piper ?? true) for (const file of ['en_US-amy-low.onnx', 'tokens.txt', 'espeak-ng-data/phontab', '.extracted-voice.tar.bz2']) write(`piper-voice/${file}`);
  return dir;
}

let services: VoiceService[] = [];
afterEach(async () => {
  for (const service of services) await service.dispose();
  services = [];
});

async function setup(parts?: Parameters<typeof modelsFolder>[0], options: { openMs?: number } = {}) {
  const launcher = new FakeVoiceLauncher();
  const db = openDatabase({ file: ':memory:' });
  const settings = new SettingsStore(db, silentLogger);
  const models = new ModelManager({ modelsDir: modelsFolder(parts), manifest, network: new NetworkGate({ logger: silentLogger }) });
  const service = await VoiceService.create({
    paths: { home: makeTempDir('voice-home-') } as never,
    settings,
    models,
    launcher,
    logger: silentLogger,
    breaker: { failureThreshold: 3, openMs: options.openMs ?? 60_000 },
    speakTimeoutMs: 200,
  });
  services.push(service);
  const states: VoiceState[] = [];
  service.onDidChangeState((state) => states.push(state));
  return { launcher, service, settings, states };
}

const tierOf = async (service: VoiceService) => {
  await service.ensureLoaded();
  return { tier: service.state.tier, message: service.state.message };
};

describe('VoiceService tiers', () => {
  it('is FULL with VAD, STT and Piper, and says nothing', async () => {
    const { service } = await setup();
    expect(await tierOf(service)).toEqual({ tier: 'FULL', message: null });
    expect(service.state.speak).toEqual({ available: true, engine: 'piper', reason: null });
    expect(service.state.listen).toMatchObject({ available: true, engine: 'transducer' });
  });

  it('falls back to the system voice when Piper is missing or broken, without leaving FULL', async () => {
    const missing = await setup({ piper: false });
    expect(await tierOf(missing.service)).toEqual({ tier: 'FULL', message: null });
    expect(missing.service.state.speak).toEqual({ available: true, engine: 'system', reason: 'no Piper voice is installed: using the system voice' });

    // A voice folder missing its tokens file: named in the reason, the system voice speaks meanwhile.
    const noTokens = await setup();
    fs.rmSync(path.join((noTokens.service as unknown as { options: { models: ModelManager } }).options.models.modelsDir, 'piper-voice', 'tokens.txt'));
    await noTokens.service.ensureLoaded();
    expect(noTokens.service.state.tier).toBe('FULL');
    expect(noTokens.service.state.speak.engine).toBe('system');
    expect(noTokens.service.state.speak.reason).toMatch(/^the Piper voice folder \S+piper-voice has no tokens\.txt: using the system voice$/);

    const broken = await setup();
    broken.launcher.behaviour.piper = 'fail';
    await broken.service.ensureLoaded();
    expect(broken.service.state.speak.engine).toBe('system');
    expect(broken.service.state.speak.reason).toMatch(/the Piper voice failed to load \(tokens\.txt is missing\): using the system voice/);
  });

  it('steps down to each tier with the reason in plain words', async () => {
    const noStt = await setup({ stt: false });
    expect(await tierOf(noStt.service)).toEqual({ tier: 'TTS_ONLY', message: 'Type your message; replies are still spoken (no speech-to-text model is installed).' });

    const noVoice = await setup({ piper: false });
    noVoice.launcher.behaviour.system = 'fail';
    expect(await tierOf(noVoice.service)).toEqual({
      tier: 'STT_ONLY',
      message: 'Replies are shown as text: the voice is unavailable (no Piper voice is installed, and the system voice is unavailable (espeak-ng is not installed)).',
    });

    const nothing = await setup({ vad: false, piper: false });
    nothing.launcher.behaviour.system = 'fail';
    expect((await tierOf(nothing.service)).tier).toBe('TEXT_ONLY');
    expect(nothing.service.state.message).toMatch(/^Voice is off: the voice detector \(Silero VAD\) is not installed, and no Piper voice/);
  });

  it('names the model whose absence is the cause, so the UI can offer to install it', async () => {
    const noStt = await setup({ stt: false });
    await noStt.service.ensureLoaded();
    expect(noStt.service.state.listen).toMatchObject({ available: false, missingModel: 'stt' });
    const noVad = await setup({ vad: false });
    await noVad.service.ensureLoaded();
    expect(noVad.service.state.listen).toMatchObject({ available: false, missingModel: 'vad' });
    // A folder that lacks a file is not a missing model: installing would not help, the reason says what is wrong.
    const broken = await setup();
    fs.rmSync(path.join((broken.service as unknown as { options: { models: ModelManager } }).options.models.modelsDir, 'stt-model', 'tokens.txt'));
    await broken.service.ensureLoaded();
    expect(broken.service.state.listen.available).toBe(false);
    expect(broken.service.state.listen.missingModel).toBeUndefined();
    // A model that loads: nothing is missing.
    const { service } = await setup();
    await service.ensureLoaded();
    expect(service.state.listen.missingModel).toBeUndefined();
  });

  it('folds the microphone into the tier: denied or unplugged means no listening', async () => {
    const { service } = await setup();
    await service.ensureLoaded();
    expect(await service.handlers['voice.microphone']({ status: 'denied' }, { signal: new AbortController().signal })).toMatchObject({
      tier: 'TTS_ONLY',
      message: 'Type your message; replies are still spoken (microphone access was denied).',
    });
    const lost = await service.handlers['voice.microphone']({ status: 'lost' }, { signal: new AbortController().signal });
    expect(lost.message).toMatch(/the microphone was disconnected/);
    expect((await service.handlers['voice.microphone']({ status: 'ok' }, { signal: new AbortController().signal })).tier).toBe('FULL');
  });

  it('a speaking timeout counts as a failure: the tier drops, the stuck worker is replaced, Retry restores it', async () => {
    const { service, launcher, states } = await setup({ piper: false });
    await service.ensureLoaded();
    launcher.behaviour.speak = 'hang';
    const signal = new AbortController().signal;
    await expect(service.handlers['voice.speak']({ text: 'Hello.' }, { signal })).rejects.toMatchObject({ code: ErrorCode.VoiceUnavailable, message: expect.stringMatching(/did not answer within 0.2 s/) });
    expect(service.state.tier).toBe('STT_ONLY');
    expect(service.state.speak.reason).toMatch(/did not answer within 0.2 s/);
    expect(states.some((state) => state.tier === 'STT_ONLY')).toBe(true);
    // The worker that hung was killed and a new one started.
    await vi.waitFor(() => expect(launcher.crashes).toHaveLength(2), { timeout: 10_000, interval: 10 });

    launcher.behaviour.speak = 'ok';
    expect((await service.handlers['voice.retry']({}, { signal })).tier).toBe('FULL');
    await expect(service.handlers['voice.speak']({ text: 'Hello.' }, { signal })).resolves.toMatchObject({ engine: 'system' });
  });

  it('recovers by itself after a crash: the new worker gets its engines loaded again', async () => {
    const { service, launcher } = await setup();
    await service.ensureLoaded();
    const loadsBefore = launcher.loads.length;
    launcher.crashes[0]!();
    await vi.waitFor(() => expect(launcher.crashes).toHaveLength(2), { timeout: 10_000, interval: 10 });
    await service.ensureLoaded();
    expect(launcher.loads.length).toBeGreaterThan(loadsBefore);
    expect(service.state.tier).toBe('FULL');
    const signal = new AbortController().signal;
    await expect(service.handlers['voice.listenEnd']({ sessionId: 's1' }, { signal })).resolves.toEqual({ events: [{ type: 'final', text: 'hello there', startMs: 0, endMs: 900 }] });
  });

  it('a failed load is tried again by itself once the breaker lets it (half-open probe)', async () => {
    const { service, launcher } = await setup({}, { openMs: 50 });
    launcher.behaviour.stt = 'fail';
    await service.ensureLoaded();
    expect(service.state.tier).toBe('TTS_ONLY');
    expect(service.state.listen.reason).toMatch(/the speech-to-text model failed to load \(encoder\.onnx is damaged\)/);
    launcher.behaviour.stt = 'ok';
    // The retry comes by itself (after about a second, breaker still closed): no one calls ensureLoaded.
    await vi.waitFor(() => expect(service.state.tier).toBe('FULL'), { timeout: 20_000, interval: 20 });
    expect(launcher.loads.filter((load) => load === 'stt').length).toBeGreaterThanOrEqual(2);
  });

  it('still detects speech without an STT model (for barge-in and "speech detected")', async () => {
    const { service } = await setup({ stt: false });
    await service.ensureLoaded();
    const signal = new AbortController().signal;
    await expect(service.handlers['voice.listen']({ sessionId: 'a', sampleRate: 16000, pcm16: 'AAAA' }, { signal })).resolves.toEqual({ events: [{ type: 'speechStart', atMs: 0 }] });
  });
});
