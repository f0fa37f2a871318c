import { z } from 'zod';
import { defineContract, event, method } from './defineContract.js';
import { workerReadySchema } from './schemas.js';

/**
 * Audio crossing a process boundary: mono 16-bit PCM, little endian, base64 (a third of float32 JSON),
 * at the rate it was recorded or synthesised. Receivers resample; a wrong rate is never an error.
 */
export const pcmSchema = z.object({
  sampleRate: z.number().int().min(4000).max(192_000),
  pcm16: z.string(),
});
export type Pcm = z.output<typeof pcmSchema>;

/** A stretch of speech in a recording, in ms from its start. */
export const speechSegmentSchema = z.object({ startMs: z.number(), endMs: z.number() });
export type SpeechSegment = z.output<typeof speechSegmentSchema>;

export const vadConfigSchema = z.object({
  /** Silero VAD ONNX file. */
  modelPath: z.string().min(1),
  /** Speech probability above which a window counts as speech. */
  threshold: z.number().min(0.05).max(0.95).default(0.5),
  /** Silence that ends a segment (the end of the user's turn). */
  minSilenceMs: z.number().int().min(50).max(10_000).default(700),
  /** Shorter blips are not speech (clicks, coughs). */
  minSpeechMs: z.number().int().min(50).max(5_000).default(250),
});
export type VadConfig = z.input<typeof vadConfigSchema>;

export const sttConfigSchema = z.discriminatedUnion('kind', [
  /** Streaming (online) Zipformer transducer: partial results while the user speaks. */
  z.object({ kind: z.literal('transducer'), encoder: z.string().min(1), decoder: z.string().min(1), joiner: z.string().min(1), tokens: z.string().min(1), threads: z.number().int().min(1).max(16).default(1) }),
  /** Offline Whisper: one result per utterance, more languages. */
  z.object({ kind: z.literal('whisper'), encoder: z.string().min(1), decoder: z.string().min(1), tokens: z.string().min(1), language: z.string().default('en'), threads: z.number().int().min(1).max(16).default(1) }),
]);
export type SttConfig = z.input<typeof sttConfigSchema>;

export const ttsConfigSchema = z.discriminatedUnion('engine', [
  /** Piper voice (VITS ONNX) through sherpa-onnx, with the espeak-ng data it phonemises with. */
  z.object({ engine: z.literal('piper'), model: z.string().min(1), tokens: z.string().min(1), dataDir: z.string().min(1), threads: z.number().int().min(1).max(16).default(1) }),
  /** The operating system's voice: espeak-ng (Linux), `say` (macOS), SAPI (Windows). */
  z.object({ engine: z.literal('system') }),
]);
export type TtsConfig = z.input<typeof ttsConfigSchema>;

export const sttLoadedSchema = z.object({ kind: z.enum(['transducer', 'whisper']), streaming: z.boolean(), sampleRate: z.number().int() });
export const ttsLoadedSchema = z.object({ engine: z.enum(['piper', 'system']), voice: z.string(), sampleRate: z.number().int() });

/** What one chunk of live audio changed: speech began or ended, and the transcript so far. */
export const listenEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('speechStart'), atMs: z.number() }),
  /** The transcript so far (streaming STT only). */
  z.object({ type: z.literal('partial'), text: z.string() }),
  /** End of the user's turn (VAD silence): the final transcript; empty when nothing was understood or no STT is loaded. */
  z.object({ type: z.literal('final'), text: z.string(), startMs: z.number(), endMs: z.number() }),
]);
export type ListenEvent = z.output<typeof listenEventSchema>;

/**
 * The host's channel to the voice worker (sherpa-onnx: VAD, STT, TTS, and the system voice). Each engine
 * loads separately, so one missing model takes down only its own capability.
 */
export const voiceContract = defineContract({
  'worker.ready': event(workerReadySchema),
  'vad.load': method(vadConfigSchema, z.object({ sampleRate: z.number().int(), windowSize: z.number().int() })),
  /** Speech segments of a whole recording (any rate; resampled to 16 kHz). */
  'vad.segments': method(pcmSchema, z.object({ segments: z.array(speechSegmentSchema), durationMs: z.number() })),
  'stt.load': method(sttConfigSchema, sttLoadedSchema),
  /** Transcribes one utterance (any rate). */
  'stt.transcribe': method(pcmSchema, z.object({ text: z.string() })),
  /** Live audio of one listening session, in order; VAD (and streaming STT) run as it arrives. */
  'listen.audio': method(pcmSchema.extend({ sessionId: z.string().min(1).max(100) }), z.object({ events: z.array(listenEventSchema) })),
  /** Ends a listening session; speech still in progress is finalised. */
  'listen.end': method(z.object({ sessionId: z.string().min(1).max(100) }), z.object({ events: z.array(listenEventSchema) })),
  'tts.load': method(ttsConfigSchema, ttsLoadedSchema),
  /** Speaks one sentence (or a few); `speed` 1 is the voice's normal rate. */
  'tts.speak': method(z.object({ text: z.string().min(1).max(10_000), speed: z.number().min(0.5).max(2).default(1) }), pcmSchema.extend({ engine: z.enum(['piper', 'system']) })),
});
export type VoiceContract = typeof voiceContract;
