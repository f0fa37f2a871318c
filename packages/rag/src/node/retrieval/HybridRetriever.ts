import { AssistantError, ErrorCode, type SearchHit, type SearchMode, type SearchResult, toErrorPayload } from '@assistant/core';
import { fuseRankings } from '../../common/retrieval/fuseRankings.js';
import type { VectorIndex } from '../index/VectorIndex.js';
import { dot, type DocumentStore, type ScoredChunk } from '../store/DocumentStore.js';

export interface HybridRetrieverOptions {
  store: DocumentStore;
  /** The current vector index, or null while there is none (no model, or being rebuilt). */
  index: () => VectorIndex | null;
  /** Embeds a query with the current embedding model; null when there is none. */
  embedQuery: (text: string, signal?: AbortSignal) => Promise<Float32Array | null>;
  /** The current embedding model id; null when none is set. */
  model: () => string | null;
  /** A hybrid search fell back to keywords because the query could not be embedded. */
  onVectorFailure?: (error: unknown) => void;
  /** Why there is no embedding model, for the message of a search that needs one. */
  noModelReason?: () => string;
}

export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  /** RRF weight of each list (hybrid only). */
  weights?: { bm25: number; vector: number };
  rrfK?: number;
  signal?: AbortSignal;
}

/**
 * Search over ready documents: BM25 (FTS5), vector (hnswlib, or the exact scan) or both fused with weighted
 * reciprocal rank fusion. Vector candidates from the index are re-scored against the vectors stored in
 * SQLite, so an index that lags the store can cost recall but never return a wrong score or a chunk of a
 * document that is not ready. Without usable vectors a hybrid search runs on keywords alone, and says so
 * and why in its result.
 */
export class HybridRetriever {
  constructor(private readonly options: HybridRetrieverOptions) {}

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const { k = 8, mode = 'hybrid', weights = { bm25: 1, vector: 1 }, rrfK = 60, signal } = options;
    throwIfAborted(signal);
    if (k <= 0 || query.trim() === '') return { hits: [], mode, reason: null };
    // Fusion needs deep lists; keywords alone need only what is returned.
    const depth = Math.max(50, k * 5);
    const { store } = this.options;

    const bm25 = mode === 'hybrid' || mode === 'bm25' ? store.searchBm25(query, mode === 'bm25' ? k : depth) : null;
    const vectorSearch = mode === 'bm25' ? { hits: null, reason: null } : await this.vectorSearch(query, depth, mode, signal);
    const vector = vectorSearch.hits;
    throwIfAborted(signal);

    let ranked: { id: number; score: number; bm25Rank: number | null; vectorRank: number | null }[];
    if (bm25 && vector) {
      ranked = fuseRankings(
        [
          { ids: bm25.map((h) => h.chunkId), weight: weights.bm25 },
          { ids: vector.map((h) => h.chunkId), weight: weights.vector },
        ],
        rrfK,
      ).map((item) => ({ id: item.id, score: item.score, bm25Rank: item.ranks[0] ?? null, vectorRank: item.ranks[1] ?? null }));
    } else if (bm25) {
      ranked = bm25.map((h, i) => ({ id: h.chunkId, score: h.score, bm25Rank: i + 1, vectorRank: null }));
    } else {
      ranked = (vector ?? []).map((h, i) => ({ id: h.chunkId, score: h.score, bm25Rank: null, vectorRank: i + 1 }));
    }

    const similarity = new Map((vector ?? []).map((h) => [h.chunkId, h.score]));
    // Texts are read for the few returned (and a margin for ids of documents no longer ready), not all ranked.
    let passages = store.passages(ranked.slice(0, k * 2).map((r) => r.id));
    if (passages.size < k && ranked.length > k * 2) passages = store.passages(ranked.map((r) => r.id));
    const hits: SearchHit[] = [];
    for (const r of ranked) {
      const passage = passages.get(r.id);
      if (!passage) continue;
      hits.push({ ...passage, score: r.score, bm25Rank: r.bm25Rank, vectorRank: r.vectorRank, similarity: similarity.get(r.id) ?? null });
      if (hits.length === k) break;
    }
    const used = mode === 'hybrid' && !vector ? 'bm25' : mode;
    return { hits, mode: used, reason: used === mode ? null : vectorSearch.reason };
  }

  /** Hits null (with the reason) when a hybrid search has to run on keywords alone. */
  private async vectorSearch(query: string, depth: number, mode: SearchMode, signal?: AbortSignal): Promise<{ hits: ScoredChunk[] | null; reason: string | null }> {
    const { store } = this.options;
    const model = this.options.model();
    const noModel = () => this.options.noModelReason?.() ?? 'no embedding model is set up';
    if (!model) {
      if (mode === 'hybrid') return { hits: null, reason: noModel() };
      throw new AssistantError(ErrorCode.NoEmbeddingModel, `Vector search needs an embedding model: ${noModel()}. Choose one in settings.`);
    }
    let queryVector: Float32Array | null;
    try {
      queryVector = await this.options.embedQuery(query, signal);
    } catch (error) {
      // The embedding engine failed (a remote backend down, a crashed worker): hybrid answers from keywords.
      if (mode !== 'hybrid' || signal?.aborted) throw error;
      this.options.onVectorFailure?.(error);
      return { hits: null, reason: `the question could not be embedded (${toErrorPayload(error).message.replace(/\.$/, '')})` };
    }
    throwIfAborted(signal);
    if (!queryVector) {
      if (mode === 'hybrid') return { hits: null, reason: noModel() };
      throw new AssistantError(ErrorCode.NoEmbeddingModel, `Vector search needs an embedding model: ${noModel()}. Choose one in settings.`);
    }
    // Looked up after embedding the query, which opens (or rebuilds) the index of this model.
    const index = this.options.index();
    const usable = index !== null && index.model === model && index.size > 0;
    // No index (yet): hybrid uses BM25 alone rather than wait for a scan; an explicit vector search scans.
    if (mode === 'hybrid' && !usable) return { hits: null, reason: 'the documents have no vectors of this embedding model yet' };
    if (mode === 'exact' || !usable || index.dimensions !== queryVector.length) return { hits: await store.exactSearch(queryVector, depth, model, signal), reason: null };

    // Over-fetch: the index also holds documents still embedding, which the store filters out.
    const candidates = index.search(queryVector, depth * 2);
    const vectors = store.readyVectors(
      candidates.map((c) => c.chunkId),
      model,
    );
    const queryNorm = Math.sqrt(dot(queryVector, queryVector)) || 1;
    const rescored: ScoredChunk[] = [];
    for (const [chunkId, stored] of vectors) {
      if (stored.length !== queryVector.length) continue;
      rescored.push({ chunkId, score: dot(queryVector, stored) / (queryNorm * (Math.sqrt(dot(stored, stored)) || 1)) });
    }
    return { hits: rescored.sort((a, b) => b.score - a.score || a.chunkId - b.chunkId).slice(0, depth), reason: null };
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AssistantError(ErrorCode.Cancelled, 'Search cancelled.');
}
