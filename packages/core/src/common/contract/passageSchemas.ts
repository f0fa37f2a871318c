import { z } from 'zod';

// No imports from schemas.ts: messages carry citations, so schemas.ts imports this file.

/** Where a passage comes from, precise enough to open the document there. */
export const passageSchema = z.object({
  chunkId: z.number().int(),
  documentId: z.string().min(1).max(100),
  documentName: z.string(),
  path: z.string(),
  page: z.number().int().nullable(),
  heading: z.string().nullable(),
  /** Character offsets into the document's extracted text. */
  start: z.number().int(),
  end: z.number().int(),
  text: z.string(),
  /** Set when the passage's page was read by OCR: Tesseract's mean word confidence there (0-100). */
  ocrConfidence: z.number().nullable().optional(),
});
export type Passage = z.output<typeof passageSchema>;

/**
 * A numbered source of an answer: [n] in the text refers to it. `text` is what the model read; when that
 * is part of the passage, `spans` are the document offsets of each stretch read (the passage view
 * highlights them) and `start`/`end` enclose them.
 */
export const citationSchema = passageSchema.extend({
  n: z.number().int().min(1),
  spans: z.array(z.tuple([z.number().int(), z.number().int()])).max(200).optional(),
});
export type Citation = z.output<typeof citationSchema>;

