import { z } from 'zod';
import { workerStateSchema } from './schemas.js';

/** DESIGN.md's four tiers: what the app can do with voice right now. */
export const voiceTierSchema = z.enum(['FULL', 'STT_ONLY', 'TTS_ONLY', 'TEXT_ONLY']);
export type VoiceTier = z.output<typeof voiceTierSchema>;

/** One side of the voice path (listening or speaking): usable or not, with which engine, and why not. */
export const voiceCapabilitySchema = z.object({
  available: z.boolean(),
  /** 'transducer' | 'whisper' for listening, 'piper' | 'system' for speaking; null when unavailable. */
  engine: z.string().nullable(),
  /** Why it is unavailable (or degraded, e.g. the system voice standing in for Piper), in plain words. */
  reason: z.string().nullable(),
  /** Present when the cause is a model that is not installed: the UI offers to install it instead of Retry. */
  missingModel: z.enum(['vad', 'stt', 'tts']).optional(),
});
export type VoiceCapability = z.output<typeof voiceCapabilitySchema>;

/** What the renderer knows of the microphone: the host cannot see it. */
export const microphoneStatusSchema = z.enum(['unknown', 'ok', 'absent', 'denied', 'lost']);
export type MicrophoneStatus = z.output<typeof microphoneStatusSchema>;

export const voiceStateSchema = z.object({
  tier: voiceTierSchema,
  /** The engines are being set up for the first time: the tier is not known yet. */
  starting: z.boolean(),
  /** The banner's sentence (tier and reason) in every tier but FULL; null in FULL. */
  message: z.string().nullable(),
  listen: voiceCapabilitySchema,
  speak: voiceCapabilitySchema,
  microphone: microphoneStatusSchema,
  worker: workerStateSchema,
});
export type VoiceState = z.output<typeof voiceStateSchema>;
