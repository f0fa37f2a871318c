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

/** `image`: a PNG, JPEG, TIFF or WebP page read by OCR (a multi-frame TIFF has one page per frame). */
export const documentFormatSchema = z.enum(['pdf', 'docx', 'epub', 'html', 'markdown', 'text', 'code', 'image']);
export type DocumentFormat = z.output<typeof documentFormatSchema>;

/**
 * What OCR did for a document whose pages (or image) had no text layer: pages read, pages whose Tesseract
 * confidence is under the `ocrMinConfidence` setting, pages left unread over the `ocrMaxPages` limit, and
 * while it runs, which page is being read.
 */
export const documentOcrSchema = z.object({
  /** Pages read by OCR so far (stored, so a restart resumes after them). */
  pages: z.number().int(),
  /** 1-based page numbers whose mean word confidence is below the threshold: "low-quality OCR". */
  lowQualityPages: z.array(z.number().int()),
  /** Pages not read because of the page limit. */
  skippedPages: z.number().int(),
  /** While parsing: "OCR page `index` of `total`" (`page` is the page number in the document). */
  progress: z.object({ index: z.number().int(), total: z.number().int(), page: z.number().int() }).nullable(),
});
export type DocumentOcr = z.output<typeof documentOcrSchema>;

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
  /** Null when no page was read by OCR. */
  ocr: documentOcrSchema.nullable().optional(),
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
  /** Cosine similarity to the query when vectors were searched, else null. */
  similarity: z.number().nullable(),
});
export type SearchHit = z.output<typeof searchHitSchema>;

export const searchModeSchema = z.enum(['hybrid', 'bm25', 'vector', 'exact']);
export type SearchMode = z.output<typeof searchModeSchema>;

export const searchResultSchema = z.object({
  hits: z.array(searchHitSchema),
  /** The mode that actually ran: a hybrid search without usable vectors runs as `bm25`. */
  mode: searchModeSchema,
  /** Why it is not the mode asked for (e.g. "no embedding model is installed"); null when it is. */
  reason: z.string().nullable(),
});
export type SearchResult = z.output<typeof searchResultSchema>;

export const addDocumentsResultSchema = z.object({
  /** Files queued for ingestion (new or changed). */
  queued: z.array(documentSchema),
  /** Files not ingested, each with the reason (already ingested, unsupported, unreadable, too large...). */
  skipped: z.array(z.object({ path: z.string(), reason: z.string(), documentId: id.nullable() })),
});
export type AddDocumentsResult = z.output<typeof addDocumentsResultSchema>;

/**
 * Bytes per upload slice (browser mode). A slice crosses the WebSocket as base64 (4/3 larger) in one
 * message, which the serve mode caps at 4 MiB, so any file size goes through in order, slice by slice.
 */
export const uploadSliceBytes = 2 * 1024 * 1024;

export const uploadSliceSchema = z
  .object({
    /** Chosen by the sender, the same for every slice of one file. */
    uploadId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'uploadId must be 8 to 64 letters, digits, - or _'),
    /** The file's name, or its path inside a dropped folder: a changed file under the same name replaces the old one. */
    name: z.string().trim().min(1).max(1024),
    totalBytes: z.number().int().min(0),
    /** Where this slice starts: slices arrive in order, each starting where the last one ended. */
    offset: z.number().int().min(0),
    dataBase64: z.string().max(Math.ceil(uploadSliceBytes / 3) * 4),
  })
  .strict();

export const uploadSliceResultSchema = z.object({
  receivedBytes: z.number().int(),
  /** Null until the last slice has arrived (or the file was refused up front, e.g. over the size limit). */
  result: addDocumentsResultSchema.nullable(),
});
export type UploadSliceResult = z.output<typeof uploadSliceResultSchema>;

export const documentsChangedSchema = z.object({
  /** The document that changed, or null when it was removed. */
  document: documentSchema.nullable(),
  id,
});
export type DocumentsChanged = z.output<typeof documentsChangedSchema>;
