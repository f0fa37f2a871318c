import { AssistantError, type ContractHandlers, ErrorCode, type ListenEvent, type VoiceContract } from '@assistant/core';
import { fromPcm, toPcm } from '../../common/audio/pcm.js';
import { Resampler, resample } from '../../common/audio/Resampler.js';
import { createPiperTts, type PiperTts } from '../engines/PiperTts.js';
import { createSileroVad, type SileroVad, type VadEvent, vadSampleRate, vadWindowSize, type VadListener } from '../engines/SileroVad.js';
import { createStreamingStt, type StreamingStt, type SttSession } from '../engines/StreamingStt.js';
import { createSystemVoice, type SystemVoice, type SystemVoiceOptions } from '../engines/SystemVoice.js';
import { createWhisperStt, type WhisperStt } from '../engines/WhisperStt.js';

type Handlers = ContractHandlers<VoiceContract>;

interface ListenSession {
  sampleRate: number;
  resampler: Resampler;
  listener: VadListener;
  stt: SttSession | null;
  /** Calls of one session run in order even when one awaits (Whisper). */
  queue: Promise<unknown>;
}

/** Live sessions kept at once; the oldest is dropped beyond this (a client that never calls listen.end). */
const maxSessions = 16;

/**
 * The voice worker's state: one VAD, one STT and one TTS engine, each loaded separately so one missing
 * model takes down only its own capability, and the listening sessions. Piper failing at speak time (or
 * not loaded) falls back to the system voice; the result says which engine spoke.
 */
export class VoiceEngines {
  private vad: SileroVad | null = null;
  private stt: StreamingStt | WhisperStt | null = null;
  private piper: PiperTts | null = null;
  private system: SystemVoice | null = null;
  private readonly sessions = new Map<string, ListenSession>();

  constructor(private readonly systemVoiceOptions: SystemVoiceOptions = {}) {}

  readonly handlers: Handlers = {
    'vad.load': async (config) => {
      this.vad = await createSileroVad({ modelPath: config.modelPath, threshold: config.threshold, minSilenceMs: config.minSilenceMs, minSpeechMs: config.minSpeechMs });
      this.sessions.clear();
      return { sampleRate: vadSampleRate, windowSize: vadWindowSize };
    },
    'vad.segments': async (pcm, { signal }) => {
      const vad = this.requireVad();
      const audio = fromPcm(pcm);
      const segments = await vad.segments(resample(audio.samples, audio.sampleRate, vadSampleRate), { signal });
      return { segments, durationMs: (audio.samples.length / audio.sampleRate) * 1000 };
    },
    'stt.load': async (config) => {
      this.stt = config.kind === 'transducer' ? await createStreamingStt(config) : await createWhisperStt(config);
      this.sessions.clear();
      return { kind: this.stt.kind, streaming: this.stt.streaming, sampleRate: this.stt.sampleRate };
    },
    'stt.transcribe': async (pcm, { signal }) => {
      if (!this.stt) throw new AssistantError(ErrorCode.VoiceEngineFailed, 'No speech-to-text model is loaded.');
      const audio = fromPcm(pcm);
      return { text: await this.stt.transcribe(resample(audio.samples, audio.sampleRate, this.stt.sampleRate), { signal }) };
    },
    'listen.audio': ({ sessionId, ...pcm }) => {
      const session = this.session(sessionId, pcm.sampleRate);
      return this.enqueue(session, () => this.feed(session, session.resampler.process(fromPcm(pcm).samples)));
    },
    'listen.end': async ({ sessionId }) => {
      const session = this.sessions.get(sessionId);
      if (!session) return { events: [] };
      this.sessions.delete(sessionId);
      return this.enqueue(session, async () => {
        const { events } = await this.feed(session, session.resampler.flush());
        events.push(...(await this.toListenEvents(session, session.listener.end(), null)));
        return { events };
      });
    },
    'tts.load': async (config) => {
      if (config.engine === 'piper') {
        this.piper = await createPiperTts(config);
        return { engine: 'piper', voice: this.piper.voice, sampleRate: this.piper.sampleRate };
      }
      const system = await this.systemVoice();
      return { engine: 'system', voice: system.voice, sampleRate: system.sampleRate };
    },
    'tts.speak': async ({ text, speed }, { signal }) => {
      let piperError: unknown = null;
      if (this.piper) {
        try {
          return { ...toPcm(await this.piper.speak(text, { speed, signal })), engine: 'piper' as const };
        } catch (error) {
          if (signal.aborted) throw error;
          piperError = error;
        }
      }
      try {
        const system = await this.systemVoice();
        return { ...toPcm(await system.speak(text, { speed, signal })), engine: 'system' as const };
      } catch (error) {
        if (!piperError || signal.aborted) throw error;
        const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
        throw new AssistantError(ErrorCode.VoiceEngineFailed, `Neither voice could speak: Piper failed (${reason(piperError)}) and so did the system voice (${reason(error)}).`);
      }
    },
  };

  private requireVad(): SileroVad {
    if (!this.vad) throw new AssistantError(ErrorCode.VoiceEngineFailed, 'No voice activity detector is loaded (vad.load first).');
    return this.vad;
  }

  private async systemVoice(): Promise<SystemVoice> {
    this.system ??= await createSystemVoice(this.systemVoiceOptions);
    return this.system;
  }

  private session(id: string, sampleRate: number): ListenSession {
    let session = this.sessions.get(id);
    if (session && session.sampleRate !== sampleRate) {
      // The microphone changed rate mid-session: keep the VAD state, restart resampling.
      session.resampler = new Resampler(sampleRate, vadSampleRate);
      session.sampleRate = sampleRate;
    }
    if (!session) {
      const vad = this.requireVad();
      const stt = this.stt?.kind === 'transducer' ? this.stt.createSession() : null;
      session = { sampleRate, resampler: new Resampler(sampleRate, vadSampleRate), listener: vad.createListener(), stt, queue: Promise.resolve() };
      this.sessions.set(id, session);
      if (this.sessions.size > maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    }
    return session;
  }

  private enqueue<T>(session: ListenSession, run: () => Promise<T>): Promise<T> {
    const next = session.queue.then(run, run);
    session.queue = next.catch(() => undefined);
    return next;
  }

  private async feed(session: ListenSession, samples: Float32Array): Promise<{ events: ListenEvent[] }> {
    const vadEvents = session.listener.accept(samples);
    const partial = session.stt?.accept(samples) ?? null;
    return { events: await this.toListenEvents(session, vadEvents, partial) };
  }

  /** VAD events in order, each end of speech becoming a final transcript; a new partial goes before any final. */
  private async toListenEvents(session: ListenSession, vadEvents: VadEvent[], partial: string | null): Promise<ListenEvent[]> {
    const events: ListenEvent[] = [];
    let pendingPartial = partial;
    for (const event of vadEvents) {
      if (event.type === 'speechStart') {
        events.push(event);
        continue;
      }
      if (pendingPartial) events.push({ type: 'partial', text: pendingPartial });
      pendingPartial = null;
      let text = '';
      if (session.stt) text = session.stt.finish();
      else if (this.stt && !this.stt.streaming) text = await this.stt.transcribe(event.samples);
      events.push({ type: 'final', text, startMs: event.startMs, endMs: event.endMs });
    }
    if (pendingPartial && session.listener.speaking) events.push({ type: 'partial', text: pendingPartial });
    return events;
  }
}
