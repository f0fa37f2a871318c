import {
  AssistantError,
  type ContractClient,
  type ContractHandlers,
  ErrorCode,
  Emitter,
  type HostContract,
  type ListenEvent,
  type MicrophoneStatus,
  type Pcm,
  type VoiceContract,
  type VoiceState,
  toErrorPayload,
  voiceContract,
} from '@assistant/core';
import { type VoiceLibrary, type VoiceLibraryContext, type VoiceMethods, WorkerSupervisor } from '@assistant/core/node';
import { fromPcm, toPcm } from '../../common/audio/pcm.js';
import { resample } from '../../common/audio/Resampler.js';
import { decodeWav, encodeWav } from '../../common/audio/wav.js';
import { computeVoiceTier } from '../../common/tiers/computeVoiceTier.js';
import { CapabilityHealth } from './CapabilityHealth.js';
import { type ResolvedVoiceModels, resolveVoiceModels } from './resolveVoiceModels.js';

export interface VoiceServiceOptions extends VoiceLibraryContext {
  /** Longest a live-audio call may take before listening counts as failed. */
  listenTimeoutMs?: number;
  /** Longest one sentence's synthesis may take before speaking counts as failed. */
  speakTimeoutMs?: number;
}

/**
 * Listening and speaking for the host: the voice worker (sherpa-onnx VAD, STT and Piper, plus the system
 * voice) behind its supervisor, one health record per capability, and the tier they add up to. Engines
 * load when a window first asks for the voice state, and again in every new worker incarnation; a failure
 * of one capability never takes the other down, and a tier change never touches the conversation.
 */
export class VoiceService implements VoiceLibrary {
  readonly handlers: Pick<ContractHandlers<HostContract>, VoiceMethods>;
  private readonly supervisor: WorkerSupervisor<VoiceContract>;
  private readonly listenHealth: CapabilityHealth;
  private readonly speakHealth: CapabilityHealth;
  private readonly changed = new Emitter<VoiceState>();
  readonly onDidChangeState = this.changed.event;
  private microphone: MicrophoneStatus = 'unknown';
  private loading: Promise<void> | null = null;
  /** Until the engines were first set up, the banner says so rather than guess a tier. */
  private firstLoadDone = false;
  private started = false;
  private disposed = false;
  private lastPublished = '';
  /** Worker incarnation each capability was last set up in (-1: set it up again). */
  private readonly attempted = { listen: -1, speak: -1 };
  /** Incarnation whose VAD is loaded: speech detection works even when STT is missing. */
  private vadGeneration = -1;
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  /** The worker incarnation whose crash was already counted against a capability. */
  private crashCounted = -1;

  private constructor(private readonly options: VoiceServiceOptions) {
    const breaker = { failureThreshold: options.breaker?.failureThreshold, openMs: options.breaker?.openMs, now: options.now };
    this.supervisor = new WorkerSupervisor({ name: 'voice', contract: voiceContract, launcher: options.launcher, logger: options.logger, now: options.now, ...options.breaker });
    this.listenHealth = new CapabilityHealth('listen', breaker);
    this.speakHealth = new CapabilityHealth('speak', breaker);
    for (const health of [this.listenHealth, this.speakHealth]) health.onDidChange(() => this.publish());
    // A failed capability tries again by itself: soon while its breaker is closed, at its half-open time once open.
    for (const health of [this.listenHealth, this.speakHealth]) health.onDidFail(() => this.scheduleRetry(health));
    this.supervisor.onDidChangeState(() => this.publish());
    // A new incarnation has nothing loaded: load again at once, so the tier is right before the next turn.
    this.supervisor.onDidStart(() => {
      if (this.started) void this.ensureLoaded().catch(() => {});
    });
    options.settings.onDidChange(({ keys }) => {
      if (this.started && keys.some((key) => key === 'sttModel' || key === 'ttsVoice' || key === 'vadThreshold' || key === 'silenceCutoffMs')) void this.reload();
    });
    this.handlers = {
      'voice.getState': () => {
        this.start();
        return this.state;
      },
      'voice.retry': async () => {
        this.listenHealth.reset();
        this.speakHealth.reset();
        await this.supervisor.retry();
        await this.reload();
        return this.state;
      },
      'voice.microphone': ({ status, detail }) => {
        if (status !== this.microphone) this.options.logger.info('microphone', { status, detail });
        this.microphone = status;
        this.start();
        this.publish();
        return this.state;
      },
      'voice.listen': (input, { signal }) => this.listen(signal, (client, callSignal) => client.call('listen.audio', input, { signal: callSignal })),
      'voice.listenEnd': (input, { signal }) => this.listen(signal, (client, callSignal) => client.call('listen.end', input, { signal: callSignal })),
      'voice.speak': ({ text }, { signal }) => this.speak(text, signal),
    };
  }

  static async create(options: VoiceServiceOptions): Promise<VoiceService> {
    return new VoiceService(options);
  }

  get state(): VoiceState {
    const listen = this.listenHealth.snapshot;
    const speak = this.speakHealth.snapshot;
    const worker = this.supervisor.state;
    if (!this.firstLoadDone) {
      return { tier: 'TEXT_ONLY', starting: true, message: 'Starting voice…', listen, speak, microphone: this.microphone, worker };
    }
    const { tier, message } = computeVoiceTier(listen, speak, this.microphone);
    return { tier, starting: false, message, listen, speak, microphone: this.microphone, worker };
  }

  /** The voice worker's process id while it runs (tests kill it to prove a crash loses nothing). */
  get workerPid(): number | undefined {
    return this.supervisor.pid;
  }

  /** Models were installed or removed: load again what is missing (a loaded engine stays as it is). */
  modelsChanged(): void {
    if (!this.started || this.disposed) return;
    const { listen, speak } = this.state;
    // The system voice stands in for a Piper voice that was missing: it may be there now.
    if (!listen.available || speak.engine !== 'piper') void this.reload();
  }

  /** Loads the engines that are not loaded in the current worker incarnation (once at a time). */
  ensureLoaded(): Promise<void> {
    this.start();
    this.loading ??= this.load().finally(() => {
      this.loading = null;
      if (!this.firstLoadDone) {
        this.firstLoadDone = true;
        this.publish();
      }
    });
    return this.loading;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.supervisor.stop();
    this.supervisor.dispose();
    this.listenHealth.dispose();
    this.speakHealth.dispose();
    this.changed.dispose();
  }

  private start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    void this.ensureLoaded().catch(() => {});
  }

  /** Settings or Retry: load everything again in the current incarnation. */
  private async reload(): Promise<void> {
    await this.loading?.catch(() => {});
    this.attempted.listen = -1;
    this.attempted.speak = -1;
    await this.ensureLoaded().catch(() => {});
  }

  private scheduleRetry(health: CapabilityHealth): void {
    if (this.disposed) return;
    const delay = Math.max(1_000, (health.retryAt ?? 0) - Date.now());
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.disposed) return;
      this.attempted[health.name] = -1;
      void this.ensureLoaded().catch(() => {});
    }, delay);
    timer.unref?.();
    this.retryTimers.add(timer);
  }

  private async load(): Promise<void> {
    let worker: { client: ContractClient<VoiceContract>; generation: number };
    try {
      worker = await this.supervisor.client();
    } catch (error) {
      const reason = `the voice engine could not start (${toErrorPayload(error).message})`;
      this.listenHealth.failed(reason);
      this.speakHealth.failed(reason);
      return;
    }
    if (this.attempted.listen === worker.generation && this.attempted.speak === worker.generation) return;
    const models = await resolveVoiceModels(this.options.models, this.options.settings.get());
    if (this.attempted.listen !== worker.generation) {
      this.attempted.listen = worker.generation;
      await this.loadListen(worker, models);
    }
    if (this.attempted.speak !== worker.generation) {
      this.attempted.speak = worker.generation;
      await this.loadSpeak(worker, models);
    }
  }

  private async loadListen({ client, generation }: { client: ContractClient<VoiceContract>; generation: number }, models: ResolvedVoiceModels): Promise<void> {
    const health = this.listenHealth;
    if (!models.vad) return health.absent(models.vadProblem ?? 'the voice detector (Silero VAD) is not installed', models.missing.has('vad') ? 'vad' : undefined);
    if (!health.mayTry()) return;
    const settings = this.options.settings.get();
    try {
      await client.call('vad.load', { modelPath: models.vad, threshold: settings.vadThreshold, minSilenceMs: settings.silenceCutoffMs });
      this.vadGeneration = generation;
    } catch (error) {
      return health.failed(`the voice detector failed to load (${toErrorPayload(error).message})`);
    }
    if (!models.stt) return health.absent(models.sttProblem ?? 'no speech-to-text model is installed', models.missing.has('stt') ? 'stt' : undefined);
    try {
      const loaded = await client.call('stt.load', models.stt);
      health.succeeded(generation, loaded.kind);
      this.options.logger.info('speech-to-text loaded', { kind: loaded.kind, streaming: loaded.streaming });
    } catch (error) {
      health.failed(`the speech-to-text model failed to load (${toErrorPayload(error).message})`);
    }
  }

  /** Piper if a voice is installed and loads; the system voice otherwise (same tier, noted as degraded). */
  private async loadSpeak({ client, generation }: { client: ContractClient<VoiceContract>; generation: number }, models: ResolvedVoiceModels): Promise<void> {
    const health = this.speakHealth;
    if (!health.mayTry()) return;
    let piperProblem = models.ttsProblem ?? 'no Piper voice is installed';
    if (models.tts) {
      try {
        const loaded = await client.call('tts.load', models.tts);
        this.options.logger.info('Piper voice loaded', { voice: loaded.voice, sampleRate: loaded.sampleRate });
        // The system voice is also made ready: it stands in if Piper fails on a sentence.
        await client.call('tts.load', { engine: 'system' }).catch(() => {});
        return health.succeeded(generation, 'piper');
      } catch (error) {
        piperProblem = `the Piper voice failed to load (${toErrorPayload(error).message})`;
        this.options.logger.warn('Piper voice unavailable; using the system voice', { error: piperProblem });
      }
    }
    try {
      await client.call('tts.load', { engine: 'system' });
      health.succeeded(generation, 'system', `${piperProblem}: using the system voice`);
    } catch (error) {
      health.failed(`${piperProblem}, and the system voice is unavailable (${toErrorPayload(error).message})`);
    }
  }

  /** Live audio goes through here every 100 ms: speech detection works without STT, only a missing VAD stops it. */
  private async listen(signal: AbortSignal, call: (client: ContractClient<VoiceContract>, signal: AbortSignal) => Promise<{ events: ListenEvent[] }>): Promise<{ events: ListenEvent[] }> {
    await this.ready();
    if (this.supervisor.readyClient()?.generation !== this.vadGeneration) {
      throw new AssistantError(ErrorCode.VoiceUnavailable, `Listening is unavailable: ${this.listenHealth.snapshot.reason ?? 'the voice engine is not running'}.`);
    }
    return this.callEngine(this.listenHealth, signal, this.options.listenTimeoutMs ?? 10_000, call);
  }

  /** Engines set up in the running worker: nothing to wait for (the per-frame path stays a plain call). */
  private async ready(): Promise<void> {
    const generation = this.supervisor.readyClient()?.generation;
    if (generation !== undefined && !this.loading && this.attempted.listen === generation && this.attempted.speak === generation) return;
    await this.ensureLoaded();
  }

  async synthesize(text: string, signal: AbortSignal = new AbortController().signal): Promise<Uint8Array> {
    const audio = fromPcm(await this.speak(text, signal));
    return encodeWav(audio.samples, audio.sampleRate);
  }

  async transcribe(wav: Uint8Array, signal: AbortSignal = new AbortController().signal): Promise<string> {
    let recording: ReturnType<typeof decodeWav>;
    try {
      recording = decodeWav(wav, 'the uploaded recording');
    } catch (error) {
      throw new AssistantError(ErrorCode.InvalidInput, (error as Error).message);
    }
    await this.ready();
    const health = this.listenHealth;
    if (!health.snapshot.available) throw new AssistantError(ErrorCode.VoiceUnavailable, `Transcription is unavailable: ${health.snapshot.reason ?? 'no speech-to-text model is loaded'}.`);
    const samples = recording.sampleRate === 16_000 ? recording.samples : resample(recording.samples, recording.sampleRate, 16_000);
    const pcm = toPcm({ samples, sampleRate: 16_000 });
    // A long recording takes longer to decode: allow real time plus the usual margin.
    const timeoutMs = (this.options.listenTimeoutMs ?? 10_000) + (samples.length / 16_000) * 1000;
    const { text } = await this.callEngine(health, signal, timeoutMs, (client, callSignal) => client.call('stt.transcribe', pcm, { signal: callSignal }));
    return text;
  }

  private async speak(text: string, signal: AbortSignal): Promise<Pcm & { engine: 'piper' | 'system' }> {
    await this.ready();
    const health = this.speakHealth;
    if (!health.snapshot.available) throw new AssistantError(ErrorCode.VoiceUnavailable, `Speaking is unavailable: ${health.snapshot.reason ?? 'no voice is loaded'}.`);
    const speed = this.options.settings.get().speechRate;
    return this.callEngine(health, signal, this.options.speakTimeoutMs ?? 30_000, (client, callSignal) => client.call('tts.speak', { text, speed }, { signal: callSignal }));
  }

  /**
   * One engine call with a timeout; timeouts and crashes count against the capability, bad input does not.
   * A call that outlives its timeout means the worker is stuck (native code ignores the cancel message):
   * it is killed, and the supervisor starts a fresh one with the engines loaded again.
   */
  private async callEngine<T>(health: CapabilityHealth, signal: AbortSignal, timeoutMs: number, call: (client: ContractClient<VoiceContract>, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const cancel = () => controller.abort();
    signal.addEventListener('abort', cancel, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new AssistantError(ErrorCode.VoiceUnavailable, `The voice engine did not answer within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
    });
    let generation = -1;
    try {
      const result = await Promise.race([
        this.supervisor.run((client, current) => {
          generation = current;
          return call(client, controller.signal);
        }),
        timedOut,
      ]);
      health.worked();
      return result;
    } catch (error) {
      if (signal.aborted) throw error;
      const { code, message } = toErrorPayload(error);
      if (code === ErrorCode.VoiceUnavailable) {
        health.failed(`the ${health.name === 'listen' ? 'speech recogniser' : 'voice'} did not answer within ${timeoutMs / 1000} s`);
        this.supervisor.kill(message);
      } else if ((code === ErrorCode.WorkerCrashed || code === ErrorCode.TransportClosed) && this.crashCounted !== generation) {
        // Every call in flight fails with one crash: it is one failure, and the new worker reloads the engines.
        this.crashCounted = generation;
        health.failed(`the voice engine crashed (${message})`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
    }
  }

  private publish(): void {
    if (this.disposed) return;
    const state = this.state;
    const key = JSON.stringify({ ...state, worker: { ...state.worker, retryAt: null } });
    if (key === this.lastPublished) return;
    this.lastPublished = key;
    this.changed.fire(state);
  }
}
