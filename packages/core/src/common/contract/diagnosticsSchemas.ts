import { z } from 'zod';
import { breakerStateSchema } from './schemas.js';
import { voiceTierSchema } from './voiceSchemas.js';

/**
 * The figures Settings → Diagnostics shows and /metrics exports as histograms. Times are in ms here (the
 * histograms use seconds, as Prometheus asks); `ingestThroughput` is bytes per second of a document's
 * parse and embed, `tokensPerSecond` the reply's generation speed.
 */
export const diagnosticFigureSchema = z.enum([
  'timeToFirstToken',
  'tokensPerSecond',
  'promptTokensEvaluated',
  'promptTokensCached',
  'retrieval',
  'voiceFinalTranscript',
  'voiceFirstAudio',
  'ingestThroughput',
  /** The same four for local API requests, timed from the request's arrival (its wait in the queue included). */
  'apiTimeToFirstToken',
  'apiTokensPerSecond',
  'apiPromptTokensEvaluated',
  'apiPromptTokensCached',
]);
export type DiagnosticFigure = z.output<typeof diagnosticFigureSchema>;

export const diagnosticsSchema = z.object({
  /** When this session (the host process) started, epoch ms. */
  startedAt: z.number(),
  /** Every figure, in the order above: how many were observed this session, and the median and 95th percentile of the latest ones (null before the first). */
  figures: z.array(z.object({ figure: diagnosticFigureSchema, count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable() })),
  /** Each worker's circuit breaker and its restarts after a crash this session. */
  workers: z.array(z.object({ name: z.string(), breaker: breakerStateSchema, restarts: z.number().int() })),
  /** Failures this session by where they happened (chat, documents, a worker) and error code. */
  errors: z.array(z.object({ source: z.string(), code: z.string(), count: z.number().int() })),
  /** The voice tier; null in a build without voice. */
  voiceTier: voiceTierSchema.nullable(),
});
export type Diagnostics = z.output<typeof diagnosticsSchema>;

const stageMs = z.number().min(0).max(600_000).nullable();

/**
 * A spoken turn's stages as the renderer lives them (only it knows when the reply's first audio played),
 * in ms from the end of the user's speech (the audio frame that completed the turn was sent). Each stage
 * is reported once it is known, the other left null, so a reply that is never spoken loses nothing.
 */
export const voiceTurnStagesSchema = z
  .object({
    /** End of speech → final transcript. */
    finalTranscriptMs: stageMs,
    /** End of speech → the reply's first audio; null when the reply was not spoken. */
    firstAudioMs: stageMs,
  })
  .strict();
export type VoiceTurnStages = z.output<typeof voiceTurnStagesSchema>;
