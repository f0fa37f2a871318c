import { z } from 'zod';
import { defineContract, event, stream } from './defineContract.js';
import { documentFormatSchema } from './documentSchemas.js';
import { workerReadySchema } from './schemas.js';

/** One page read by OCR: what the host stores as it arrives, and hands back on a restart to skip it. */
export const ocrPageSchema = z.object({
  /** 1-based page (PDF page, image frame). */
  page: z.number().int().min(1),
  text: z.string(),
  /** Tesseract's mean word confidence, 0-100 (0 when no word was found). */
  confidence: z.number().min(0).max(100),
});
export type OcrPage = z.output<typeof ocrPageSchema>;

export const ocrOptionsSchema = z.object({
  /** Tesseract language codes ("eng", "deu"): English ships with the app, others come from `modelsDir`. */
  languages: z.array(z.string().regex(/^[a-z][a-z0-9_]{1,30}$/)).min(1).max(8),
  /** Where imported models live: other languages' `<code>.traineddata` files are looked up there. */
  modelsDir: z.string().nullable(),
  /** Pages read by OCR per document at most; the rest are skipped and counted. */
  maxPages: z.number().int().min(1),
  /** Pages read before (a restart after a crash or cancel): not read again. */
  donePages: z.array(ocrPageSchema).default([]),
});
export type OcrOptions = z.input<typeof ocrOptionsSchema>;

export const parseInputSchema = z.object({
  path: z.string().min(1),
  /** Files larger than this are refused before any parsing. */
  maxBytes: z.number().int().min(1),
  /** Target chunk length and overlap, in characters. */
  chunkSize: z.number().int().min(100),
  chunkOverlap: z.number().int().min(0),
  /** Chunks per streamed batch. */
  batchSize: z.number().int().min(1).default(64),
  /** Pages and images without text are read by OCR with these options; null: OCR is off. */
  ocr: ocrOptionsSchema.nullable().default(null),
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
  /** Pages read by OCR (including those handed in as done) and pages skipped over the limit. */
  ocr: z.object({ pages: z.array(z.number().int()), skippedPages: z.number().int() }).nullable().default(null),
});
export type ParseResult = z.output<typeof parseResultSchema>;

/**
 * The host's channel to the ingest worker. Parsing hostile files happens there, so a parser that hangs,
 * explodes in memory or crashes takes down only that process. Chunks stream back in batches, in order.
 */
export const ingestContract = defineContract({
  'worker.ready': event(workerReadySchema),
  /**
   * Items: chunk batches (after the whole document is read), and while OCR runs, `ocrProgress` before each
   * page and `ocrPage` after it (stored by the host at once, so a restart resumes at the next page).
   */
  'ingest.parse': stream(
    parseInputSchema,
    z.object({
      chunks: z.array(chunkDraftSchema).optional(),
      ocrPage: ocrPageSchema.optional(),
      ocrProgress: z.object({ index: z.number().int(), total: z.number().int(), page: z.number().int() }).optional(),
    }),
    parseResultSchema,
  ),
});
export type IngestContract = typeof ingestContract;
