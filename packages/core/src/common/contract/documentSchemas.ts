import { z } from 'zod';
import { passageSchema } from './passageSchemas.js';
import { errorPayloadSchema } from './schemas.js';

export * from './passageSchemas.js';

const id = z.string().min(1).max(100);

/**
 * A document's life: queued → parsing → embedding → ready. Only `ready` documents are searchable, so a
 * half-ingested one never shows up in answers. `failed` keeps the reason; `cancelled` the user's choice.
 */
export const documentStatusSchema = z.enum(['queued', 'parsing', 'embedding', 'ready', 'failed', 'cancelled']);
export type DocumentStatus = z.output<typeof documentStatusSchema>;

export const documentFormatSchema = z.enum(['pdf', 'docx', 'epub', 'html', 'markdown', 'text', 'code']);
export type DocumentFormat = z.output<typeof documentFormatSchema>;

export const documentSchema = z.object({
  id,
  name: z.string(),
  /** Absolute path of the source file (for uploads: the stored copy). */
  path: z.string(),
  format: documentFormatSchema.nullable(),
  sizeBytes: z.number(),
  /** sha256 of the file's bytes, hex. */
  contentHash: z.string(),
  status: documentStatusSchema,
  error: errorPayloadSchema.nullable(),
  title: z.string().nullable(),
  pages: z.number().int().nullable(),
  chunks: z.number().int(),
  /** Chunks whose embedding is stored; equals `chunks` once ready (0 when no embedding model is set). */
  embeddedChunks: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type DocumentInfo = z.output<typeof documentSchema>;

export const searchHitSchema = passageSchema.extend({
  /** Fused score (RRF) or, for a single-method search, that method's score. */
  score: z.number(),
  /** 1-based ranks in each list; null when the chunk was not in that list. */
  bm25Rank: z.number().int().nullable(),
  vectorRank: z.number().int().nullable(),
});
export type SearchHit = z.output<typeof searchHitSchema>;

export const searchModeSchema = z.enum(['hybrid', 'bm25', 'vector', 'exact']);
export type SearchMode = z.output<typeof searchModeSchema>;

export const addDocumentsResultSchema = z.object({
  /** Files queued for ingestion (new or changed). */
  queued: z.array(documentSchema),
  /** Files not ingested, each with the reason (already ingested, unsupported, unreadable, too large...). */
  skipped: z.array(z.object({ path: z.string(), reason: z.string(), documentId: id.nullable() })),
});
export type AddDocumentsResult = z.output<typeof addDocumentsResultSchema>;

export const documentsChangedSchema = z.object({
  /** The document that changed, or null when it was removed. */
  document: documentSchema.nullable(),
  id,
});
export type DocumentsChanged = z.output<typeof documentsChangedSchema>;
