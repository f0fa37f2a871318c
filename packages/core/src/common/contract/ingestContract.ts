import { z } from 'zod';
import { defineContract, event, stream } from './defineContract.js';
import { documentFormatSchema } from './documentSchemas.js';
import { workerReadySchema } from './schemas.js';

export const parseInputSchema = z.object({
  path: z.string().min(1),
  /** Files larger than this are refused before any parsing. */
  maxBytes: z.number().int().min(1),
  /** Target chunk length and overlap, in characters. */
  chunkSize: z.number().int().min(100),
  chunkOverlap: z.number().int().min(0),
  /** Chunks per streamed batch. */
  batchSize: z.number().int().min(1).default(64),
});
export type ParseInput = z.input<typeof parseInputSchema>;

export const chunkDraftSchema = z.object({
  /** 0-based position of the chunk in the document. */
  ordinal: z.number().int().min(0),
  text: z.string(),
  page: z.number().int().nullable(),
  heading: z.string().nullable(),
  /** Character offsets into the document's extracted text. */
  start: z.number().int(),
  end: z.number().int(),
});
export type ChunkDraft = z.output<typeof chunkDraftSchema>;

export const parseResultSchema = z.object({
  format: documentFormatSchema,
  title: z.string().nullable(),
  /** Pages for paged formats (PDF), otherwise null. */
  pages: z.number().int().nullable(),
  chunks: z.number().int(),
  characters: z.number().int(),
});
export type ParseResult = z.output<typeof parseResultSchema>;

/**
 * The host's channel to the ingest worker. Parsing hostile files happens there, so a parser that hangs,
 * explodes in memory or crashes takes down only that process. Chunks stream back in batches, in order.
 */
export const ingestContract = defineContract({
  'worker.ready': event(workerReadySchema),
  'ingest.parse': stream(parseInputSchema, z.object({ chunks: z.array(chunkDraftSchema) }), parseResultSchema),
});
export type IngestContract = typeof ingestContract;
