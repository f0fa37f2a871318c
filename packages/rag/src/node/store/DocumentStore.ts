import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { AssistantError, ErrorCode, type ChunkDraft, type DocumentFormat, type DocumentInfo, type DocumentOcr, type DocumentStatus, type ErrorPayload, type OcrPage, type Passage } from '@assistant/core';
import { buildFtsQuery } from '../../common/retrieval/ftsQuery.js';

export interface NewDocument {
  name: string;
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  /** sha256 of the file's bytes, hex. */
  contentHash: string;
  /** The document this one replaces once it is ready (a changed file re-ingested). */
  replacesId?: string | null;
}

export interface DocumentPatch {
  status?: DocumentStatus;
  error?: ErrorPayload | null;
  format?: DocumentFormat | null;
  title?: string | null;
  pages?: number | null;
  chunkCount?: number;
  /** The OCR configuration (languages) the document's OCR pages were read with; null: no page read by OCR. */
  ocrConfig?: string | null;
  ocrSkippedPages?: number;
}

/** What identifies the source file of a document (not part of DocumentInfo, which crosses the contract). */
export interface DocumentSource {
  id: string;
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  contentHash: string;
  replacesId: string | null;
}

export interface ChunkEmbedding {
  chunkId: number;
  vector: Float32Array;
}

export interface ScoredChunk {
  chunkId: number;
  score: number;
}

export type PassageWithContext = Passage & { before: string; after: string };

interface DocumentRow {
  id: string;
  name: string;
  path: string;
  format: DocumentFormat | null;
  size_bytes: number;
  mtime_ms: number;
  content_hash: string;
  status: DocumentStatus;
  error_code: string | null;
  error_message: string | null;
  title: string | null;
  pages: number | null;
  chunk_count: number;
  replaces_id: string | null;
  ocr_config: string | null;
  ocr_skipped_pages: number;
  created_at: number;
  updated_at: number;
}

interface PassageRow {
  id: number;
  document_id: string;
  ordinal: number;
  name: string;
  path: string;
  page: number | null;
  heading: string | null;
  start_offset: number;
  end_offset: number;
  text: string;
  ocr_confidence: number | null;
}

/** Statuses whose stored embeddings belong in the vector index (the query side keeps only `ready`). */
const INDEXED = `('queued', 'parsing', 'embedding', 'ready')`;
const PASSAGE_COLUMNS = `c.id, c.document_id, c.ordinal, d.name, d.path, c.page, c.heading, c.start_offset, c.end_offset, c.text,
  (SELECT o.confidence FROM ocr_pages o WHERE o.content_hash = d.content_hash AND o.config = d.ocr_config AND o.page = c.page) AS ocr_confidence`;
const PAGE_SIZE = 1000;

/** Float32Array → BLOB without copying (the Buffer is a view of the same memory). */
export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** BLOB → Float32Array, copied: a Buffer from SQLite need not be 4-byte aligned. */
export function blobToVector(blob: Buffer): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new AssistantError(ErrorCode.Internal, `Corrupt embedding: ${blob.byteLength} bytes is not a whole number of float32.`);
  const vector = new Float32Array(blob.byteLength / 4);
  new Uint8Array(vector.buffer).set(blob);
  return vector;
}

/**
 * Chunks the mean passage length is measured on. BM25 uses the mean only to normalise length
 * (1 - b + b·words/mean): a mean off by 5% moves a score by under 4%, and the chunker cuts passages to
 * one target size, so a few thousand of them give the mean well within that; the whole collection's text
 * (100k chunks: hundreds of ms) would block the host before every question after an ingestion.
 */
const meanWordsSample = 4096;

/**
 * Documents, their chunks, full-text search and stored embeddings, in the profile database (source of truth;
 * the vector index is derived from it). Synchronous: better-sqlite3, prepared statements, every multi-row
 * write in one transaction. Only chunks of `ready` documents are ever returned by the search and passage
 * methods, so a half-ingested document is never searchable. Every change to the set of stored embeddings
 * bumps `generation()` in the same transaction, so a persisted index of another generation is known stale.
 */
/** Vectors read per page of an exact scan (about 1.5 MB of 384-dim vectors, a few ms of work). */
const exactScanPage = 1000;

export class DocumentStore {
  private readonly s: Record<string, Statement>;
  private readonly insertChunksTx: (documentId: string, drafts: readonly ChunkDraft[]) => number;
  private readonly storeEmbeddingsTx: (model: string, rows: readonly ChunkEmbedding[]) => ChunkEmbedding[];
  private readonly finishTx: (id: string) => DocumentInfo;
  private readonly removeTx: (id: string) => boolean;
  private readonly deleteChunksTx: (id: string) => void;
  private readonly updateTx: (id: string, patch: DocumentPatch) => DocumentInfo;
  /**
   * Embedded-chunk count per document, computed on first use and dropped when a write changes it: counting
   * on every list() would read every chunk row (a BLOB each), too slow with 100k chunks. This store is the
   * only writer of embeddings (the host process); a count written by another connection may lag.
   */
  private readonly embeddedCounts = new Map<string, number>();

  /** Live OCR progress of documents being parsed (not stored: it only means something while it runs). */
  private readonly ocrProgress = new Map<string, NonNullable<DocumentOcr['progress']>>();

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
    /** Pages read by OCR with a confidence below this are reported as low quality (the `ocrMinConfidence` setting). */
    private readonly ocrMinConfidence: () => number = () => 60,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(
        `INSERT INTO documents (id, name, path, format, size_bytes, mtime_ms, content_hash, status, replaces_id, created_at, updated_at)
         VALUES (@id, @name, @path, NULL, @sizeBytes, @mtimeMs, @contentHash, 'queued', @replacesId, @now, @now)`,
      ),
      get: p(`SELECT d.* FROM documents d WHERE d.id = ?`),
      list: p(`SELECT d.* FROM documents d ORDER BY d.created_at DESC, d.rowid DESC`),
      byHash: p(`SELECT d.* FROM documents d WHERE d.content_hash = ? ORDER BY d.created_at DESC, d.rowid DESC`),
      byPath: p(`SELECT d.* FROM documents d WHERE d.path = ? ORDER BY d.created_at DESC, d.rowid DESC`),
      unfinished: p(`SELECT d.* FROM documents d WHERE d.status IN ('queued', 'parsing', 'embedding') ORDER BY d.created_at ASC, d.rowid ASC`),
      source: p(`SELECT id, path, size_bytes, mtime_ms, content_hash, replaces_id FROM documents WHERE id = ?`),
      update: p(
        `UPDATE documents SET status = @status, error_code = @errorCode, error_message = @errorMessage, format = @format, title = @title,
           pages = @pages, chunk_count = @chunkCount, ocr_config = @ocrConfig, ocr_skipped_pages = @ocrSkippedPages, updated_at = @now WHERE id = @id`,
      ),
      saveOcrPage: p(
        `INSERT INTO ocr_pages (content_hash, config, page, text, confidence, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (content_hash, config, page) DO UPDATE SET text = excluded.text, confidence = excluded.confidence, created_at = excluded.created_at`,
      ),
      ocrPages: p(`SELECT page, text, confidence FROM ocr_pages WHERE content_hash = ? AND config = ? ORDER BY page`),
      ocrSummary: p(`SELECT page, confidence, text != '' AS has_text FROM ocr_pages WHERE content_hash = ? AND config = ? ORDER BY page`),
      pruneOcr: p(`DELETE FROM ocr_pages WHERE content_hash NOT IN (SELECT content_hash FROM documents)`),
      raw: p(`SELECT * FROM documents WHERE id = ?`),
      insertChunk: p(
        `INSERT OR IGNORE INTO chunks (document_id, ordinal, text, page, heading, start_offset, end_offset)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      addChunkCount: p(`UPDATE documents SET chunk_count = chunk_count + ?, updated_at = ? WHERE id = ?`),
      deleteChunks: p(`DELETE FROM chunks WHERE document_id = ?`),
      zeroChunkCount: p(`UPDATE documents SET chunk_count = 0, updated_at = ? WHERE id = ?`),
      chunkIds: p(`SELECT id FROM chunks WHERE document_id = ? ORDER BY ordinal`),
      toEmbed: p(
        `SELECT id, text FROM chunks WHERE document_id = ? AND (embedding IS NULL OR embedding_model IS NOT ?)
         ORDER BY ordinal LIMIT ?`,
      ),
      storeEmbedding: p(`UPDATE chunks SET embedding = ?, embedding_model = ? WHERE id = ? RETURNING document_id`),
      missingEmbeddings: p(
        `SELECT DISTINCT c.document_id FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE d.status = 'ready' AND (c.embedding IS NULL OR c.embedding_model IS NOT ?)`,
      ),
      hadEmbedding: p(`SELECT embedding IS NOT NULL AS had FROM chunks WHERE id = ?`),
      embeddedCount: p(`SELECT COUNT(*) AS n FROM chunks WHERE document_id = ? AND embedding IS NOT NULL`),
      bump: p(`UPDATE vector_index_state SET generation = generation + 1 WHERE id = 1`),
      generation: p(`SELECT generation FROM vector_index_state WHERE id = 1`),
      setReady: p(`UPDATE documents SET status = 'ready', error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ?`),
      remove: p(`DELETE FROM documents WHERE id = ?`),
      embeddingsPage: p(
        `SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.id > ? AND c.embedding IS NOT NULL AND c.embedding_model = ? AND d.status IN ${INDEXED}
         ORDER BY c.id LIMIT ?`,
      ),
      embeddingCount: p(
        `SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.embedding IS NOT NULL AND c.embedding_model = ? AND d.status IN ${INDEXED}`,
      ),
      readyEmbeddingsPage: p(
        `SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE d.status = 'ready' AND c.embedding IS NOT NULL AND c.embedding_model = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
      ),
      readyVectors: p(
        `SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.id IN (SELECT value FROM json_each(?)) AND d.status = 'ready' AND c.embedding IS NOT NULL AND c.embedding_model = ?`,
      ),
      passages: p(
        `SELECT ${PASSAGE_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.id IN (SELECT value FROM json_each(?)) AND d.status = 'ready'`,
      ),
      passage: p(`SELECT ${PASSAGE_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ? AND d.status = 'ready'`),
      neighbour: p(`SELECT text, start_offset, end_offset FROM chunks WHERE document_id = ? AND ordinal = ?`),
      // Matches in documents not ready (being ingested, usually none) are left out through an id list
      // built once per query, so counting reads the full-text index only, never a chunk row.
      termCount: p(
        `SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid NOT IN
           (SELECT c.id FROM documents d JOIN chunks c ON c.document_id = d.id WHERE d.status IN ('queued', 'parsing', 'embedding', 'failed', 'cancelled'))`,
      ),
      // The (document_id, ordinal) index answers this without reading any chunk's text.
      readyChunkCount: p(`SELECT count(*) AS passages, count(DISTINCT d.id) AS documents FROM documents d JOIN chunks c ON c.document_id = d.id WHERE d.status = 'ready'`),
      readyWordsSample: p(
        `SELECT avg(length(text) - length(replace(text, ' ', '')) + 1) FROM
           (SELECT c.text FROM documents d CROSS JOIN chunks c ON c.document_id = d.id WHERE d.status = 'ready' AND c.ordinal < ? LIMIT ?)`,
      ),
      bm25: p(
        `SELECT f.rowid AS id, bm25(chunks_fts, 1.0, 0.5) AS bm25_score FROM chunks_fts f
         JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id
         WHERE chunks_fts MATCH ? AND d.status = 'ready' ORDER BY bm25_score LIMIT ?`,
      ),
    };

    this.insertChunksTx = db.transaction((documentId: string, drafts: readonly ChunkDraft[]) => {
      let inserted = 0;
      for (const d of drafts) inserted += this.s.insertChunk!.run(documentId, d.ordinal, d.text, d.page, d.heading, d.start, d.end).changes;
      if (inserted > 0) this.s.addChunkCount!.run(inserted, this.now(), documentId);
      return inserted;
    });
    this.storeEmbeddingsTx = db.transaction((model: string, rows: readonly ChunkEmbedding[]) => {
      const stored: ChunkEmbedding[] = [];
      for (const row of rows) {
        const had = (this.s.hadEmbedding!.get(row.chunkId) as { had: number } | undefined)?.had === 1;
        const hit = this.s.storeEmbedding!.get(vectorToBlob(row.vector), model, row.chunkId) as { document_id: string } | undefined;
        if (!hit) continue;
        stored.push(row);
        // Counted, not recounted: a recount per batch would make a large document's ingestion quadratic.
        const cached = this.embeddedCounts.get(hit.document_id);
        if (cached !== undefined && !had) this.embeddedCounts.set(hit.document_id, cached + 1);
      }
      if (stored.length > 0) this.s.bump!.run();
      return stored;
    });
    this.deleteChunksTx = db.transaction((id: string) => {
      this.embeddedCounts.delete(id);
      if (this.s.deleteChunks!.run(id).changes > 0) this.s.bump!.run();
      this.s.zeroChunkCount!.run(this.now(), id);
    });
    this.finishTx = db.transaction((id: string) => {
      const source = this.source(id);
      if (!source) throw new AssistantError(ErrorCode.NotFound, `No document ${id}.`);
      this.s.setReady!.run(this.now(), id);
      if (source.replacesId && source.replacesId !== id && this.s.remove!.run(source.replacesId).changes > 0) {
        this.embeddedCounts.delete(source.replacesId);
        this.s.bump!.run();
        this.s.pruneOcr!.run();
      }
      return this.get(id)!;
    });
    this.removeTx = db.transaction((id: string) => {
      this.embeddedCounts.delete(id);
      const removed = this.s.remove!.run(id).changes > 0;
      if (removed) this.s.bump!.run();
      return removed;
    });
    this.updateTx = db.transaction((id: string, patch: DocumentPatch) => {
      const row = this.s.raw!.get(id) as DocumentRow | undefined;
      if (!row) throw new AssistantError(ErrorCode.NotFound, `No document ${id}.`);
      const status = patch.status ?? row.status;
      const error = patch.error === undefined ? (row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null) : patch.error;
      this.s.update!.run({
        id,
        status,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        format: patch.format === undefined ? row.format : patch.format,
        title: patch.title === undefined ? row.title : patch.title,
        pages: patch.pages === undefined ? row.pages : patch.pages,
        chunkCount: patch.chunkCount ?? row.chunk_count,
        ocrConfig: patch.ocrConfig === undefined ? row.ocr_config : patch.ocrConfig,
        ocrSkippedPages: patch.ocrSkippedPages ?? row.ocr_skipped_pages,
        now: this.now(),
      });
      // Leaving the indexed statuses changes which embeddings belong in the index.
      const indexed = (s: DocumentStatus) => s !== 'failed' && s !== 'cancelled';
      if (indexed(row.status) !== indexed(status)) this.s.bump!.run();
      return this.get(id)!;
    });
  }

  // ------------------------------------------------ documents ------------------------------------------------

  create(input: NewDocument): DocumentInfo {
    const id = randomUUID();
    this.s.insert!.run({ id, name: input.name, path: input.path, sizeBytes: input.sizeBytes, mtimeMs: Math.round(input.mtimeMs), contentHash: input.contentHash, replacesId: input.replacesId ?? null, now: this.now() });
    return this.get(id)!;
  }

  get(id: string): DocumentInfo | null {
    const row = this.s.get!.get(id) as DocumentRow | undefined;
    return row ? this.toInfo(row) : null;
  }

  /** Newest first. */
  list(): DocumentInfo[] {
    return (this.s.list!.all() as DocumentRow[]).map((row) => this.toInfo(row));
  }

  /** Documents with these exact bytes (any status), newest first: the dedupe check before ingesting. */
  findByHash(contentHash: string): DocumentInfo[] {
    return (this.s.byHash!.all(contentHash) as DocumentRow[]).map((row) => this.toInfo(row));
  }

  /** Documents ingested from this path (any status), newest first: a changed file replaces its predecessor. */
  findByPath(path: string): DocumentInfo[] {
    return (this.s.byPath!.all(path) as DocumentRow[]).map((row) => this.toInfo(row));
  }

  /** Source-file facts (mtime, replaced document) that DocumentInfo does not carry. */
  source(id: string): DocumentSource | null {
    const row = this.s.source!.get(id) as Pick<DocumentRow, 'id' | 'path' | 'size_bytes' | 'mtime_ms' | 'content_hash' | 'replaces_id'> | undefined;
    return row ? { id: row.id, path: row.path, sizeBytes: row.size_bytes, mtimeMs: row.mtime_ms, contentHash: row.content_hash, replacesId: row.replaces_id } : null;
  }

  /** Queued, parsing or embedding documents, oldest first (to resume after a restart). */
  unfinished(): DocumentInfo[] {
    return (this.s.unfinished!.all() as DocumentRow[]).map((row) => this.toInfo(row));
  }

  /** Fields left out are kept; `error: null` clears it. Throws NOT_FOUND for an unknown id. */
  update(id: string, patch: DocumentPatch): DocumentInfo {
    return this.updateTx(id, patch);
  }

  /** Marks the document ready and, in the same transaction, deletes the document it replaces (if any). */
  finish(id: string): DocumentInfo {
    return this.finishTx(id);
  }

  /** Deletes the document, its chunks, their full-text rows and embeddings. False if there was none. */
  remove(id: string): boolean {
    return this.removeTx(id);
  }

  // --------------------------------------------------- OCR ---------------------------------------------------

  /** Stores one page read by OCR as soon as it is read: a restart resumes after it. */
  saveOcrPage(contentHash: string, config: string, page: OcrPage): void {
    this.s.saveOcrPage!.run(contentHash, config, page.page, page.text, page.confidence, this.now());
  }

  /** Pages of these bytes already read with this configuration, in page order. */
  ocrPages(contentHash: string, config: string): OcrPage[] {
    return this.s.ocrPages!.all(contentHash, config) as OcrPage[];
  }

  /** "OCR page `index` of `total`" while a document is parsed; null when it stops. */
  setOcrProgress(id: string, progress: NonNullable<DocumentOcr['progress']> | null): void {
    if (progress) this.ocrProgress.set(id, progress);
    else this.ocrProgress.delete(id);
  }

  /**
   * Drops OCR pages of bytes no document has any more (after the user removed the last copy). Not done when
   * a failed or cancelled attempt gives way to a new one of the same file, so that one resumes.
   */
  pruneOcrPages(): void {
    this.s.pruneOcr!.run();
  }

  // ------------------------------------------------- chunks --------------------------------------------------

  /** Inserts in one transaction; a chunk already stored at (document, ordinal) is kept (resumable batches). */
  insertChunks(documentId: string, drafts: readonly ChunkDraft[]): number {
    return this.insertChunksTx(documentId, drafts);
  }

  deleteChunks(documentId: string): void {
    this.deleteChunksTx(documentId);
  }

  /** Chunk ids of a document in order: what to remove from the vector index before removing it. */
  chunkIds(documentId: string): number[] {
    return (this.s.chunkIds!.all(documentId) as { id: number }[]).map((r) => r.id);
  }

  // ------------------------------------------------ embeddings -----------------------------------------------

  /** Chunks without an embedding from this model, in order. */
  chunksToEmbed(documentId: string, model: string, limit: number): { id: number; text: string }[] {
    return this.s.toEmbed!.all(documentId, model, limit) as { id: number; text: string }[];
  }

  /** Stores a batch of embeddings in one transaction and bumps the generation. */
  /** Stores vectors; returns those whose chunk still exists (a removed document's are dropped). */
  storeEmbeddings(model: string, rows: readonly ChunkEmbedding[]): ChunkEmbedding[] {
    return rows.length > 0 ? this.storeEmbeddingsTx(model, rows) : [];
  }

  /** Bumped in the same transaction as any change to the set of embeddings the index should hold. */
  generation(): number {
    return (this.s.generation!.get() as { generation: number }).generation;
  }

  /**
   * Every stored embedding of this model that belongs in the vector index (documents not failed or
   * cancelled), by ascending chunk id. Read in pages of 1,000 with keyset pagination, not one open
   * `.iterate()`: a rebuild yields to the event loop between points, and an open iterator would make every
   * write on this connection fail meanwhile ("connection is busy").
   */
  *embeddings(model: string): Generator<ChunkEmbedding> {
    let after = 0;
    for (;;) {
      const page = this.s.embeddingsPage!.all(after, model, PAGE_SIZE) as { id: number; embedding: Buffer }[];
      for (const row of page) yield { chunkId: row.id, vector: blobToVector(row.embedding) };
      if (page.length < PAGE_SIZE) return;
      after = page.at(-1)!.id;
    }
  }

  /** How many points `embeddings(model)` yields (to size an index up front). */
  /** Ready documents with chunks that have no vector of this model (added before it was chosen). */
  documentsMissingEmbeddings(model: string): string[] {
    return this.s.missingEmbeddings!.pluck().all(model) as string[];
  }

  embeddingCount(model: string): number {
    return (this.s.embeddingCount!.get(model) as { n: number }).n;
  }

  /** Stored vectors of these chunks, only for ready documents and this model. */
  readyVectors(chunkIds: readonly number[], model: string): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    if (chunkIds.length === 0) return out;
    for (const row of this.s.readyVectors!.all(JSON.stringify(chunkIds), model) as { id: number; embedding: Buffer }[]) out.set(row.id, blobToVector(row.embedding));
    return out;
  }

  // ------------------------------------------------- search --------------------------------------------------

  /** Passages for these chunk ids: only chunks of ready documents; other ids are absent from the map. */
  passages(chunkIds: readonly number[]): Map<number, Passage> {
    const out = new Map<number, Passage>();
    if (chunkIds.length === 0) return out;
    for (const row of this.s.passages!.all(JSON.stringify(chunkIds)) as PassageRow[]) out.set(row.id, toPassage(row));
    return out;
  }

  /** A passage with up to `chars` characters of the text around it (from the neighbouring chunks). */
  passageWithContext(chunkId: number, chars = 600): PassageWithContext | null {
    const row = this.s.passage!.get(chunkId) as PassageRow | undefined;
    if (!row) return null;
    type Neighbour = { text: string; start_offset: number; end_offset: number } | undefined;
    const previous = this.s.neighbour!.get(row.document_id, row.ordinal - 1) as Neighbour;
    const next = this.s.neighbour!.get(row.document_id, row.ordinal + 1) as Neighbour;
    // Chunks overlap: cut the part of each neighbour that this chunk repeats.
    // Between chunks that do not overlap lies whitespace the chunks do not hold: a space, or a section
    // (page) break. Without it the last word of one page runs into the first of the next.
    const gap = (from: number, to: number) => (to - from > 1 ? '\n\n' : to - from === 1 ? ' ' : '');
    const before = previous ? lastChars(previous.text.slice(0, Math.max(0, row.start_offset - previous.start_offset)) + gap(previous.end_offset, row.start_offset), chars) : '';
    const after = next ? firstChars(gap(row.end_offset, next.start_offset) + next.text.slice(Math.max(0, row.end_offset - next.start_offset)), chars) : '';
    return { ...toPassage(row), before, after };
  }

  /** Full-text search over ready documents; any user text is safe (see buildFtsQuery). Higher score is better. */
  searchBm25(query: string, k: number): ScoredChunk[] {
    const match = buildFtsQuery(query);
    if (!match || k <= 0) return [];
    return (this.s.bm25!.all(match, k) as { id: number; bm25_score: number }[]).map((r) => ({ chunkId: r.id, score: -r.bm25_score }));
  }

  /** Passages of ready documents whose text or heading contains this (stemmed) word: its document frequency, for term weights. */
  documentFrequency(term: string): number {
    const match = buildFtsQuery(term, 1);
    return match ? (this.s.termCount!.pluck().get(match) as number) : 0;
  }

  /**
   * Passages of ready documents and their mean length in words: what term weights and BM25 are relative to.
   * Runs on the host before a chat request leaves, so it never reads every chunk's text: the count comes
   * from an index, the mean from at most `meanWordsSample` chunks (see there).
   */
  collectionStats(): { passages: number; meanWords: number } {
    const { passages, documents } = this.s.readyChunkCount!.get() as { passages: number; documents: number };
    // Every chunk when the collection is small enough (then the mean is exact); else as many of each
    // document's first chunks as spreads the sample over all documents.
    const perDocument = passages <= meanWordsSample ? passages : Math.ceil(meanWordsSample / Math.max(1, documents));
    const meanWords = this.s.readyWordsSample!.pluck().get(perDocument, meanWordsSample) as number | null;
    return { passages, meanWords: meanWords ?? 0 };
  }

  /**
   * Brute-force cosine similarity over every stored vector of this model in ready documents: the exact
   * answer the vector index approximates (and the check of its recall). Reads in pages and yields between
   * them, so a scan of 100k vectors (most of a second) never blocks the host for more than a few ms.
   */
  async exactSearch(query: Float32Array, k: number, model: string, signal?: AbortSignal): Promise<ScoredChunk[]> {
    if (k <= 0) return [];
    const queryNorm = Math.sqrt(dot(query, query)) || 1;
    const top: ScoredChunk[] = [];
    for (let after = -1; ; ) {
      const page = this.s.readyEmbeddingsPage!.all(model, after, exactScanPage) as { id: number; embedding: Buffer }[];
      for (const row of page) {
        const vector = blobToVector(row.embedding);
        if (vector.length !== query.length) continue;
        const score = dot(query, vector) / (queryNorm * (Math.sqrt(dot(vector, vector)) || 1));
        if (top.length === k && score <= top[k - 1]!.score) continue;
        if (top.length < k) top.push({ chunkId: row.id, score });
        else top[k - 1] = { chunkId: row.id, score };
        for (let i = top.length - 1; i > 0 && top[i - 1]!.score < top[i]!.score; i--) [top[i - 1], top[i]] = [top[i]!, top[i - 1]!];
      }
      if (page.length < exactScanPage) return top;
      after = page[page.length - 1]!.id;
      await new Promise(setImmediate);
      if (signal?.aborted) throw new AssistantError(ErrorCode.Cancelled, 'Search cancelled.');
    }
  }

  private toInfo(row: DocumentRow): DocumentInfo {
    let embedded = this.embeddedCounts.get(row.id);
    if (embedded === undefined) {
      embedded = (this.s.embeddedCount!.get(row.id) as { n: number }).n;
      this.embeddedCounts.set(row.id, embedded);
    }
    return { ...toInfo(row, embedded), ocr: this.ocrOf(row) };
  }

  private ocrOf(row: DocumentRow): DocumentOcr | null {
    const progress = this.ocrProgress.get(row.id) ?? null;
    if (!row.ocr_config && !progress) return null;
    const pages = row.ocr_config ? (this.s.ocrSummary!.all(row.content_hash, row.ocr_config) as { page: number; confidence: number; has_text: number }[]) : [];
    if (pages.length === 0 && !progress) return null;
    const threshold = this.ocrMinConfidence();
    // A blank page is not a badly read one: only pages with words can be low quality.
    const lowQualityPages = pages.filter((page) => page.has_text && page.confidence < threshold).map((page) => page.page);
    return { pages: pages.length, lowQualityPages, skippedPages: row.ocr_skipped_pages, progress };
  }
}

/** The end of a text, at most `chars` long, starting at a word: a cut word becomes "…". */
function lastChars(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(-chars);
  const space = cut.search(/\s/);
  return space < 0 ? `…${cut}` : `…${cut.slice(space + 1)}`;
}

/** The start of a text, at most `chars` long, ending at a word: a cut word becomes "…". */
function firstChars(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(0, chars);
  const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'));
  return space < 0 ? `${cut}…` : `${cut.slice(0, space)}…`;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function toInfo(row: DocumentRow, embedded: number): DocumentInfo {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    format: row.format,
    sizeBytes: row.size_bytes,
    contentHash: row.content_hash,
    status: row.status,
    error: row.error_code ? { code: row.error_code as ErrorCode, message: row.error_message ?? '' } : null,
    title: row.title,
    pages: row.pages,
    chunks: row.chunk_count,
    embeddedChunks: embedded,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPassage(row: PassageRow): Passage {
  return {
    chunkId: row.id,
    documentId: row.document_id,
    documentName: row.name,
    path: row.path,
    page: row.page,
    heading: row.heading,
    start: row.start_offset,
    end: row.end_offset,
    text: row.text,
    ...(row.ocr_confidence === null ? {} : { ocrConfidence: row.ocr_confidence }),
  };
}
