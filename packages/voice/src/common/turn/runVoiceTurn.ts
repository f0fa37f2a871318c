import { AssistantError, type ContractClient, ErrorCode, type HostContract, type ListenEvent } from '@assistant/core';
import { type AudioBuffer, fromPcm, toPcm } from '../audio/pcm.js';
import { resample } from '../audio/Resampler.js';
import { SentenceSplitter } from '../text/SentenceSplitter.js';
import { speakableText } from '../text/speakableText.js';

export interface VoiceTurnOptions {
  /** Live-audio frame length, as the renderer sends it. */
  frameMs?: number;
  /** Stands in for the transcript when no speech-to-text model is installed (the rest of the turn still runs). */
  text?: string;
  conversationId?: string;
  signal?: AbortSignal;
}

/** Milliseconds of each stage, from the moment the user's turn ended (the frame that completed it was sent). */
export interface VoiceTurnTimings {
  /** End of speech (the frame that completed the turn sent) → final transcript. */
  finalTranscriptMs: number | null;
  /** Final transcript → first reply token. */
  firstTokenMs: number | null;
  /** Final transcript → first complete sentence. */
  firstSentenceMs: number | null;
  /** Final transcript → first audio of the reply. */
  firstAudioMs: number | null;
  /** First complete sentence → its audio: what the voice adds before speech starts. */
  sentenceToAudioMs: number | null;
  /** Synthesis of every sentence, summed. */
  speakTotalMs: number;
  totalMs: number;
}

export interface VoiceTurnResult {
  transcript: string;
  /** Whether the transcript came from speech (false: `text` stood in for it). */
  heard: boolean;
  segments: { startMs: number; endMs: number }[];
  reply: string;
  sentences: string[];
  audio: AudioBuffer;
  engine: 'piper' | 'system' | null;
  timings: VoiceTurnTimings;
}

const now = () => performance.now();

/**
 * One spoken turn through the host, as the desktop app runs it: the recording goes in as 16 kHz frames (VAD,
 * streaming STT), the final transcript goes to the conversation like a typed message, the reply is split
 * into sentences as tokens arrive and each sentence is spoken as soon as it is complete. Used by the CLI's
 * `voice-turn` and by `bench voice`.
 */
export async function runVoiceTurn(client: ContractClient<HostContract>, recording: AudioBuffer, options: VoiceTurnOptions = {}): Promise<VoiceTurnResult> {
  const { signal } = options;
  const started = now();
  const samples = recording.sampleRate === 16_000 ? recording.samples : resample(recording.samples, recording.sampleRate, 16_000);
  const frame = Math.round((16_000 * (options.frameMs ?? 100)) / 1000);
  const sessionId = `turn-${Math.random().toString(36).slice(2, 10)}`;
  const segments: { startMs: number; endMs: number }[] = [];
  let transcript = '';
  let finalAt: number | null = null;
  let finalTranscriptMs: number | null = null;
  const take = (events: ListenEvent[], sentAt: number) => {
    for (const event of events) {
      if (event.type !== 'final') continue;
      segments.push({ startMs: event.startMs, endMs: event.endMs });
      if (event.text) transcript = transcript ? `${transcript} ${event.text}` : event.text;
      finalAt = now();
      finalTranscriptMs = finalAt - sentAt;
    }
  };
  for (let offset = 0; offset < samples.length; offset += frame) {
    signal?.throwIfAborted();
    const sentAt = now();
    const { events } = await client.call('voice.listen', { sessionId, ...toPcm({ samples: samples.subarray(offset, offset + frame), sampleRate: 16_000 }) }, { signal });
    take(events, sentAt);
  }
  const endSentAt = now();
  take((await client.call('voice.listenEnd', { sessionId }, { signal })).events, endSentAt);
  if (segments.length === 0) throw new AssistantError(ErrorCode.InvalidInput, 'No speech was detected in the recording.');

  const heard = transcript.trim().length > 0;
  if (!heard && !options.text) {
    const state = await client.call('voice.getState', {});
    throw new AssistantError(ErrorCode.VoiceUnavailable, `Speech was detected but not transcribed: ${state.listen.reason ?? 'the speech-to-text model understood nothing'}.`);
  }
  const text = heard ? transcript : options.text!;
  const turnEnd = finalAt ?? now();

  const splitter = new SentenceSplitter();
  const sentences: string[] = [];
  const chunks: AudioBuffer[] = [];
  let engine: VoiceTurnResult['engine'] = null;
  let firstTokenAt: number | null = null;
  let firstSentenceAt: number | null = null;
  let firstAudioAt: number | null = null;
  let speakTotalMs = 0;
  // Sentences are spoken in order, one synthesis at a time, while the reply keeps streaming.
  let speaking: Promise<void> = Promise.resolve();
  const speak = (sentence: string) => {
    sentences.push(sentence);
    const spoken = speakableText(sentence);
    if (!spoken) return;
    speaking = speaking.then(async () => {
      const t = now();
      const audio = await client.call('voice.speak', { text: spoken }, { signal });
      speakTotalMs += now() - t;
      firstAudioAt ??= now();
      engine = audio.engine;
      chunks.push(fromPcm(audio));
    });
  };
  const onSentences = (completed: string[]) => {
    if (completed.length > 0) firstSentenceAt ??= now();
    for (const sentence of completed) speak(sentence);
  };
  const result = await client.stream('chat.send', { text, conversationId: options.conversationId }, {
    signal,
    onItem: (item) => {
      if (item.type !== 'text') return;
      firstTokenAt ??= now();
      onSentences(splitter.push(item.text));
    },
  });
  onSentences(splitter.flush());
  await speaking;

  const since = (t: number | null) => (t === null ? null : t - turnEnd);
  return {
    transcript: text,
    heard,
    segments,
    reply: result.message.text,
    sentences,
    audio: concatenate(chunks),
    engine,
    timings: {
      finalTranscriptMs,
      firstTokenMs: since(firstTokenAt),
      firstSentenceMs: since(firstSentenceAt),
      firstAudioMs: since(firstAudioAt),
      sentenceToAudioMs: firstAudioAt !== null && firstSentenceAt !== null ? firstAudioAt - firstSentenceAt : null,
      speakTotalMs,
      totalMs: now() - started,
    },
  };
}

/** The reply's sentences as one recording, at the first sentence's rate. */
function concatenate(chunks: AudioBuffer[]): AudioBuffer {
  const sampleRate = chunks[0]?.sampleRate ?? 16_000;
  const parts = chunks.map((chunk) => (chunk.sampleRate === sampleRate ? chunk.samples : resample(chunk.samples, chunk.sampleRate, sampleRate)));
  const samples = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    samples.set(part, at);
    at += part.length;
  }
  return { samples, sampleRate };
}
