import path from 'node:path';
import {
  type AddDocumentsResult,
  AssistantError,
  type Citation,
  citationLabel,
  type DocumentInfo,
  type DocumentsChanged,
  type DocumentsState,
  Emitter,
  type SearchMode,
  type SearchResult,
  ErrorCode,
  ingestContract,
  toErrorPayload,
} from '@assistant/core';
import { type DocumentLibrary, type DocumentLibraryContext, type DocumentMethods, type GroundingCandidates, type GroundOptions, WorkerSupervisor } from '@assistant/core/node';
import type { ContractHandlers, HostContract } from '@assistant/core';
import { retrievalOnlyAnswer } from '../../common/citations/groundedPrompt.js';
import { PassageAnalysisCache } from '../../common/grounding/PassageAnalysis.js';
import type { CollectionStats } from '../../common/grounding/passageScore.js';
import { weighTerms } from '../../common/grounding/queryTerms.js';
import { retrievalQuery } from '../../common/grounding/retrievalQuery.js';
import { selectSentences } from '../../common/grounding/selectSentences.js';
import { HybridRetriever } from '../retrieval/HybridRetriever.js';
import { DocumentStore } from '../store/DocumentStore.js';
import { collectFiles } from './collectFiles.js';
import { hashFile } from './hashFile.js';
import { IndexHolder } from './IndexHolder.js';
import { IngestPipeline } from './IngestPipeline.js';
import { UploadReceiver } from './UploadReceiver.js';
import { type Reliability, probeReliability } from './VectorReliability.js';

export interface DocumentServiceOptions extends DocumentLibraryContext {
  embedBatchSize?: number;
}

/** Progress events per document per second, at most: enough for a smooth bar, cheap for the UI. */
const progressPerSecond = 5;

/** Passages retrieval hands to the sentence selection (SQuAD dev: answer-in-context levels off past 8). */
const groundingDepth = 8;

/** An embedding model this reliable (see VectorReliability) also decides relevance by meaning, not only keywords. */
const reliableFactor = 0.5;

/**
 * The user's documents: adding (dedupe by content hash, replace a changed file), a two-stage ingestion
 * queue (parse in the ingest worker while the previous document embeds in the inference worker), cancel,
 * remove, re-index, search and retrieval for answers. SQLite is the source of truth; on start, documents a
 * crash left unfinished are picked up where their last stored batch ended.
 */
export class DocumentService implements DocumentLibrary {
  readonly handlers: Pick<ContractHandlers<HostContract>, DocumentMethods>;
  private readonly store: DocumentStore;
  private readonly ingest: WorkerSupervisor<typeof ingestContract>;
  private readonly index: IndexHolder;
  private readonly pipeline: IngestPipeline;
  private readonly retriever: HybridRetriever;
  private readonly uploads: UploadReceiver;
  private readonly changedDocument = new Emitter<DocumentsChanged>();
  private readonly changedState = new Emitter<void>();
  readonly onDidChangeDocument = this.changedDocument.event;
  readonly onDidChangeState = this.changedState.event;
  private readonly parseQueue: string[] = [];
  private readonly embedQueue: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly lastProgress = new Map<string, number>();
  private parsing = false;
  private embedding = false;
  private disposed = false;
  private counts = { ready: 0, indexing: 0, failed: 0 };
  private reliability: Reliability | null = null;
  /** Document id -> updatedAt as last announced, to tell another process's changes from ours. */
  private readonly announced = new Map<string, number>();
  private probing: Promise<Reliability> | null = null;
  /** Term weights and BM25 are relative to the collection: measured once per change of the documents. */
  private stats: CollectionStats | null = null;
  private readonly frequencies = new Map<string, number>();
  private readonly analyses = new PassageAnalysisCache();

  private constructor(private readonly options: DocumentServiceOptions) {
    const { db, logger, settings, embeddings } = options;
    this.store = new DocumentStore(db, options.now, () => settings.get().ocrMinConfidence);
    this.ingest = new WorkerSupervisor({ name: 'ingest', contract: ingestContract, launcher: options.launcher, logger, now: options.now, ...options.breaker });
    this.ingest.onDidChangeState(() => this.changedState.fire());
    this.index = new IndexHolder({ store: this.store, folder: path.join(options.paths.home, 'index'), logger });
    this.pipeline = new IngestPipeline({
      store: this.store,
      settings,
      embeddings,
      ingest: this.ingest,
      index: this.index,
      logger,
      modelsDir: options.paths.modelsDir,
      embedBatchSize: options.embedBatchSize,
      onProgress: (document, force) => this.progress(document, force),
      onReplaced: (oldId) => this.announce({ id: oldId, document: null }),
    });
    this.retriever = new HybridRetriever({
      store: this.store,
      index: () => this.index.current(),
      model: () => (embeddings.available ? (embeddings.knownInfo?.key ?? null) : null),
      noModelReason: () => this.noModelReason(),
      onVectorFailure: (error) => logger.warn('query not embedded; searching by keywords only', { error: String(error) }),
      embedQuery: async (text, signal) => {
        if (!embeddings.available) return null;
        const info = await embeddings.ensureLoaded(signal);
        await this.index.forModel(info, signal);
        return (await embeddings.embed([text], signal))[0] ?? null;
      },
    });
    this.uploads = new UploadReceiver({
      folder: path.join(options.paths.home, 'uploads'),
      maxBytes: () => this.maxFileBytes(),
      add: (filePath, signal) => this.add([filePath], signal),
      isReferenced: (filePath) => this.store.findByPath(filePath).length > 0,
      logger,
    });
    for (const document of this.store.list()) this.announced.set(document.id, document.updatedAt);
    embeddings.onDidChange(() => {
      this.changedState.fire();
      void this.backfill();
    });
    this.handlers = {
      'documents.list': () => this.store.list(),
      'documents.add': ({ paths }, { signal }) => this.add(paths, signal),
      'documents.upload': (slice, { signal }) => this.uploads.receive(slice, signal),
      'documents.remove': ({ id }) => ({ removed: this.remove(id) }),
      'documents.reindex': ({ id }) => ({ queued: this.reindex(id) }),
      'documents.cancel': ({ id }) => ({ cancelled: this.cancel(id) }),
      'documents.search': ({ query, k, mode }, { signal }) => this.search(query, k, mode, signal),
      'documents.passage': ({ chunkId }) => {
        const passage = this.store.passageWithContext(chunkId);
        if (!passage) throw new AssistantError(ErrorCode.NotFound, 'That passage is no longer in your documents.');
        return passage;
      },
    };
  }

  static async create(options: DocumentServiceOptions): Promise<DocumentService> {
    const service = new DocumentService(options);
    await service.uploads.cleanUp();
    service.resume();
    void service.backfill();
    return service;
  }

  get state(): DocumentsState {
    const { embeddings } = this.options;
    const keywordsOnly = this.keywordsOnlyReason();
    return {
      ...this.counts,
      ingest: this.ingest.state,
      embeddingModel: embeddings.available ? (embeddings.knownInfo?.name ?? 'loading') : null,
      embeddingReliability: this.reliability ? { hitRate: this.reliability.hitRate, weightFactor: this.reliability.factor } : null,
      search: keywordsOnly ? { mode: 'keywords', reason: keywordsOnly } : { mode: 'hybrid', reason: null },
    };
  }

  /** For the CLI and tests: resolves when the queue is empty. */
  async idle(signal?: AbortSignal): Promise<void> {
    while (this.parseQueue.length > 0 || this.embedQueue.length > 0 || this.parsing || this.embedding) {
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get documents(): DocumentStore {
    return this.store;
  }

  /** The ingest worker's process id while it runs (tests kill it to prove a crash loses nothing). */
  get ingestPid(): number | undefined {
    return this.ingest.pid;
  }

  /**
   * Hybrid search weighs the vector list by the embedding model's measured reliability on this collection;
   * when it has no weight, the search runs on keywords and the result says why.
   */
  async search(query: string, k: number, mode: SearchMode, signal?: AbortSignal): Promise<SearchResult> {
    const { bm25Weight, vectorWeight, rrfK } = this.options.settings.get();
    const { embeddings } = this.options;
    // A model never loaded in this process and not remembered from an earlier one: load it to learn its key.
    if (mode !== 'bm25' && embeddings.available && !embeddings.knownInfo) {
      try {
        await embeddings.ensureLoaded(signal);
      } catch (error) {
        if (mode !== 'hybrid' || signal?.aborted) throw error;
      }
    }
    const factor = mode === 'hybrid' && vectorWeight > 0 ? await this.vectorFactor(signal) : 1;
    if (mode === 'hybrid' && (vectorWeight === 0 || factor === 0)) {
      const result = await this.retriever.search(query, { k, mode: 'bm25', rrfK, signal });
      return { ...result, reason: this.keywordsOnlyReason() ?? 'the embedding model is unavailable' };
    }
    return this.retriever.search(query, { k, mode, weights: { bm25: bm25Weight, vector: vectorWeight * factor }, rrfK, signal });
  }

  /** Why a hybrid search runs on keywords alone right now, or null when it uses vectors too. */
  private keywordsOnlyReason(): string | null {
    const { embeddings, settings } = this.options;
    if (!embeddings.available) return this.noModelReason();
    if (settings.get().vectorWeight === 0) return 'the meaning weight (vectorWeight) is 0 in settings';
    const known = this.reliability;
    if (known && known.factor === 0 && known.model === embeddings.knownInfo?.key) {
      const name = embeddings.knownInfo?.name ?? 'the embedding model';
      return `${name} found the passage of only ${Math.round(known.hitRate * 100)}% of ${known.probes} sentences taken from your documents, so its vectors would only add noise`;
    }
    return null;
  }

  private noModelReason(): string {
    const wanted = this.options.settings.get().embeddingModel;
    return wanted ? `the embedding model ${wanted} is not installed` : 'no embedding model is installed';
  }

  /** 0 to 1; measured once per model and again when the collection has grown or shrunk by a quarter. */
  private async vectorFactor(signal?: AbortSignal): Promise<number> {
    const { embeddings } = this.options;
    if (!embeddings.available) return 0;
    try {
      const info = await embeddings.ensureLoaded(signal);
      const index = await this.index.forModel(info, signal);
      // The index's live points are the stored embeddings of indexed documents: no table scan per search.
      const chunks = index.size;
      const known = this.reliability;
      if (known && known.model === info.key && Math.abs(chunks - known.chunks) <= known.chunks * 0.25) return known.factor;
      this.probing ??= probeReliability({ db: this.options.db, index, model: info.key, embed: (texts, s) => embeddings.embed(texts, s), logger: this.options.logger }).finally(() => {
        this.probing = null;
      });
      this.reliability = await this.probing;
      this.changedState.fire();
      return this.reliability.factor;
    } catch (error) {
      if (signal?.aborted) throw error;
      this.options.logger.warn('vector search unavailable; keywords only', { error: String(error) });
      return 0;
    }
  }

  /**
   * The passages to answer a question from: retrieval (with the conversation's earlier questions for a
   * follow-up), then the relevance gate and the sentences worth reading (see selectSentences). Empty when
   * nothing is relevant: the question is then answered without documents.
   */
  async ground(question: string, options: GroundOptions = {}): Promise<GroundingCandidates> {
    const { retrievalTopK, relevanceThreshold, vectorRelevance } = this.options.settings.get();
    const query = retrievalQuery(question, options.history ?? []);
    if (query.terms.length + query.context.length === 0 && !this.vectorsReliable()) return { passages: [], ranked: [], query: query.text };
    const result = await this.search(query.text, groundingDepth, 'hybrid', options.signal);
    const reliable = result.mode === 'hybrid' && this.vectorsReliable();
    const stats = this.collectionStats();
    const terms = weighTerms([...query.terms, ...query.context], (term) => this.documentFrequency(term), stats.passages, (i) => (i < query.terms.length ? 1 : 0.5));
    const selection = selectSentences(terms, result.hits.map((hit) => ({ passage: hit, similarity: hit.similarity })), stats, {
      threshold: relevanceThreshold,
      vectorThreshold: reliable ? vectorRelevance : null,
      maxPassages: retrievalTopK,
      question,
      ownTerms: query.context.length > 0 ? new Set(query.terms) : undefined,
      analyse: (passage) => this.analyses.get(passage),
    });
    return { passages: selection.passages.map((passage) => ({ ...passage, label: citationLabel(passage) })), ranked: selection.ranked, query: query.text };
  }

  private vectorsReliable(): boolean {
    const known = this.reliability;
    return known !== null && known.factor >= reliableFactor && known.model === this.options.embeddings.knownInfo?.key && this.options.settings.get().vectorWeight > 0;
  }

  private collectionStats(): CollectionStats {
    this.stats ??= this.store.collectionStats();
    return this.stats;
  }

  private documentFrequency(term: string): number {
    let n = this.frequencies.get(term);
    if (n === undefined) {
      n = this.store.documentFrequency(term);
      // Bounded: a long session of questions must not grow it without end.
      if (this.frequencies.size > 10_000) this.frequencies.clear();
      this.frequencies.set(term, n);
    }
    return n;
  }

  retrievalOnlyAnswer(question: string, citations: readonly Citation[]): string {
    return retrievalOnlyAnswer(question, citations);
  }

  async retryWorker(): Promise<void> {
    await this.ingest.retry();
    this.pump();
  }

  async add(paths: readonly string[], signal?: AbortSignal): Promise<AddDocumentsResult> {
    const collected = await collectFiles(paths, { maxBytes: this.maxFileBytes(), signal });
    const result: AddDocumentsResult = { queued: [], skipped: collected.skipped.map((skip) => ({ ...skip, documentId: null })) };
    for (const file of collected.files) {
      signal?.throwIfAborted();
      const name = path.basename(file.path);
      let contentHash: string;
      try {
        contentHash = await hashFile(file.path, signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'it no longer exists' : (code ?? (error as Error).message);
        result.skipped.push({ path: file.path, reason: `${name} cannot be read (${why}).`, documentId: null });
        continue;
      }
      const same = this.store.findByHash(contentHash);
      const live = same.find((doc) => doc.status !== 'failed' && doc.status !== 'cancelled');
      if (live) {
        const as = live.path === file.path ? '' : ` (as ${live.name})`;
        result.skipped.push({ path: file.path, reason: `${name} is already in your documents${as}.`, documentId: live.id });
        continue;
      }
      // Earlier failed or cancelled attempts at this content or path give way to the new attempt.
      const atPath = this.store.findByPath(file.path);
      for (const stale of [...same, ...atPath]) if (stale.status === 'failed' || stale.status === 'cancelled') this.removeNow(stale.id);
      const previous = atPath.find((doc) => doc.status === 'ready');
      // An older version still being ingested is superseded outright.
      for (const doc of atPath) if (doc.status !== 'ready' && doc.status !== 'failed' && doc.status !== 'cancelled') this.removeNow(doc.id);
      const created = this.store.create({ name, path: file.path, sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs, contentHash, replacesId: previous?.id ?? null });
      result.queued.push(created);
      this.parseQueue.push(created.id);
      this.progress(created, true);
    }
    this.recount();
    this.pump();
    return result;
  }

  /** Another process (the CLI) changed the stored documents: what differs from what was announced. */
  changedOutside(): { changes: DocumentsChanged[]; added: number; removed: number } {
    // Ours in progress may have moved on unannounced (progress is throttled): they are not outside changes.
    const ours = new Set([...this.parseQueue, ...this.embedQueue, ...this.running.keys()]);
    const changes: DocumentsChanged[] = [];
    let added = 0;
    let removed = 0;
    const listed = new Set<string>();
    for (const document of this.store.list()) {
      listed.add(document.id);
      const seen = this.announced.get(document.id);
      if (ours.has(document.id) || seen === document.updatedAt) continue;
      if (seen === undefined) added++;
      this.announced.set(document.id, document.updatedAt);
      changes.push({ id: document.id, document });
    }
    for (const id of [...this.announced.keys()]) {
      if (listed.has(id)) continue;
      this.announced.delete(id);
      removed++;
      changes.push({ id, document: null });
    }
    // Vectors become searchable when a document is ready (or go with it): only then is this copy of the
    // index stale, to be reopened (or rebuilt) at next use. A document another process is still reading
    // changes every second and must not throw the index away each time.
    if (changes.some((change) => change.document === null || change.document.status === 'ready')) this.index.discard();
    if (changes.length > 0) this.recount();
    return { changes, added, removed };
  }

  cancel(id: string): boolean {
    const document = this.store.get(id);
    if (!document || !['queued', 'parsing', 'embedding'].includes(document.status)) return false;
    this.running.get(id)?.abort();
    this.dequeue(id);
    this.index.current()?.remove(this.store.chunkIds(id));
    this.store.deleteChunks(id);
    this.progress(this.store.update(id, { status: 'cancelled', error: null, chunkCount: 0 }), true);
    this.index.changed();
    this.recount();
    return true;
  }

  remove(id: string): boolean {
    const filePath = this.store.get(id)?.path;
    const removed = this.removeNow(id);
    if (removed) this.recount();
    if (removed) this.store.pruneOcrPages();
    // An uploaded copy belongs to the app: removing its document removes it too (files on disk stay).
    if (removed && filePath) void this.uploads.forget(filePath);
    return removed;
  }

  /** Parses and embeds again: one document or all. Ready documents stay searchable until their new version is ready. */
  reindex(id?: string): number {
    const targets = id ? [this.store.get(id)].filter((doc): doc is DocumentInfo => doc !== null) : this.store.list();
    if (id && targets.length === 0) throw new AssistantError(ErrorCode.NotFound, `No document with id ${id}.`);
    let queued = 0;
    for (const doc of targets) {
      if (doc.status === 'queued' || doc.status === 'parsing' || doc.status === 'embedding') continue;
      const source = this.store.source(doc.id);
      if (!source) continue;
      if (doc.status === 'ready') {
        const created = this.store.create({ name: doc.name, path: doc.path, sizeBytes: source.sizeBytes, mtimeMs: source.mtimeMs, contentHash: doc.contentHash, replacesId: doc.id });
        this.parseQueue.push(created.id);
        this.progress(created, true);
      } else {
        this.parseQueue.push(doc.id);
        this.progress(this.store.update(doc.id, { status: 'queued', error: null }), true);
      }
      queued++;
    }
    this.recount();
    this.pump();
    return queued;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const controller of this.running.values()) controller.abort();
    await this.index.flush().catch((error) => this.options.logger.warn('vector index not persisted', { error: String(error) }));
    await this.uploads.dispose();
    await this.ingest.stop();
    this.ingest.dispose();
  }

  private resume(): void {
    const unfinished = this.store.unfinished();
    for (const doc of unfinished) {
      if (doc.status === 'embedding') this.embedQueue.push(doc.id);
      else this.parseQueue.push(doc.id);
    }
    if (unfinished.length > 0) this.options.logger.info('resuming ingestion', { documents: unfinished.length });
    this.recount();
    this.pump();
  }

  /**
   * Documents added before this embedding model was chosen (or with another one) get its vectors too, in the
   * background; they stay searchable by keywords meanwhile.
   */
  private async backfill(): Promise<void> {
    const { embeddings, logger } = this.options;
    if (this.disposed || !embeddings.available) return;
    try {
      const info = await embeddings.ensureLoaded();
      const pending = new Set([...this.parseQueue, ...this.embedQueue, ...this.running.keys()]);
      const missing = this.store.documentsMissingEmbeddings(info.key).filter((id) => !pending.has(id));
      if (missing.length === 0 || this.disposed) return;
      logger.info('embedding documents added before this model', { documents: missing.length, model: info.name });
      this.embedQueue.push(...missing);
      this.pump();
    } catch (error) {
      logger.warn('documents not embedded with the new model; keywords still work', { error: String(error) });
    }
  }

  private pump(): void {
    if (this.disposed) return;
    if (!this.parsing && this.parseQueue.length > 0) void this.runStage('parse');
    if (!this.embedding && this.embedQueue.length > 0) void this.runStage('embed');
  }

  private async runStage(stage: 'parse' | 'embed'): Promise<void> {
    const queue = stage === 'parse' ? this.parseQueue : this.embedQueue;
    if (stage === 'parse') this.parsing = true;
    else this.embedding = true;
    try {
      for (let id = queue.shift(); id !== undefined && !this.disposed; id = queue.shift()) {
        const controller = new AbortController();
        this.running.set(id, controller);
        try {
          if (stage === 'parse') {
            await this.pipeline.parse(id, controller.signal);
            this.embedQueue.push(id);
            this.pump();
          } else {
            await this.pipeline.embed(id, controller.signal);
            this.recount();
          }
        } catch (error) {
          if (controller.signal.aborted || this.disposed) continue;
          const payload = toErrorPayload(error);
          this.options.logger.warn('document not ingested', { document: id, stage, ...payload });
          // A ready document that was only getting vectors of a new model stays as it was.
          if (this.store.get(id)?.status === 'ready') continue;
          if (this.store.get(id)) {
            this.index.current()?.remove(this.store.chunkIds(id));
            this.store.deleteChunks(id);
            this.progress(this.store.update(id, { status: 'failed', error: payload, chunkCount: 0 }), true);
            this.index.changed();
          }
          this.recount();
        } finally {
          this.running.delete(id);
        }
      }
    } finally {
      if (stage === 'parse') this.parsing = false;
      else this.embedding = false;
    }
    // Measured while nobody waits, so the first question after an ingestion does not pay for it.
    if (stage === 'embed' && !this.disposed && this.embedQueue.length === 0) void this.vectorFactor().catch(() => {});
    this.pump();
  }

  private removeNow(id: string): boolean {
    this.running.get(id)?.abort();
    this.dequeue(id);
    this.index.current()?.remove(this.store.chunkIds(id));
    const removed = this.store.remove(id);
    if (removed) {
      this.index.changed();
      this.announce({ id, document: null });
    }
    return removed;
  }

  private maxFileBytes(): number {
    return Math.round(this.options.settings.get().maxFileSizeMb * 1_048_576);
  }

  private dequeue(id: string): void {
    for (const queue of [this.parseQueue, this.embedQueue]) {
      const at = queue.indexOf(id);
      if (at >= 0) queue.splice(at, 1);
    }
  }

  private announce(change: DocumentsChanged): void {
    if (change.document) this.announced.set(change.id, change.document.updatedAt);
    else this.announced.delete(change.id);
    this.changedDocument.fire(change);
  }

  private progress(document: DocumentInfo, force = false): void {
    const now = Date.now();
    const statusChanged = force || document.status === 'ready' || document.status === 'failed' || document.chunks === document.embeddedChunks;
    if (!statusChanged && now - (this.lastProgress.get(document.id) ?? 0) < 1000 / progressPerSecond) return;
    this.lastProgress.set(document.id, now);
    if (document.status === 'ready' || document.status === 'failed' || document.status === 'cancelled') this.lastProgress.delete(document.id);
    this.announce({ id: document.id, document });
  }

  private recount(): void {
    // Documents came, went or changed: the collection's statistics with them.
    this.stats = null;
    this.frequencies.clear();
    const counts = { ready: 0, indexing: 0, failed: 0 };
    for (const doc of this.store.list()) {
      if (doc.status === 'ready') counts.ready++;
      else if (doc.status === 'failed') counts.failed++;
      else if (doc.status !== 'cancelled') counts.indexing++;
    }
    if (counts.ready === this.counts.ready && counts.indexing === this.counts.indexing && counts.failed === this.counts.failed) return;
    this.counts = counts;
    this.changedState.fire();
  }
}
