import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssistantError, type ChunkDraft, ErrorCode } from '@assistant/core';
import { openDatabase } from '@assistant/core/node';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildFtsQuery, ftsTokens } from '../../src/common/retrieval/ftsQuery.js';
import { fuseRankings } from '../../src/common/retrieval/fuseRankings.js';
import { VectorIndex } from '../../src/node/index/VectorIndex.js';
import { HybridRetriever } from '../../src/node/retrieval/HybridRetriever.js';
import { DocumentStore } from '../../src/node/store/DocumentStore.js';

describe('buildFtsQuery', () => {
  it('quotes lowercase tokens, drops stopwords and one-letter tokens, dedupes', () => {
    expect(buildFtsQuery('What is the Capital of France? And of FRANCE!')).toBe('"capital" OR "france"');
    expect(ftsTokens('a b cd e2 42 x')).toEqual(['cd', 'e2', '42']);
    expect(buildFtsQuery('Éléphant über straße 東京タワー')).toBe('"éléphant" OR "über" OR "straße" OR "東京タワー"');
  });

  it('turns operators and punctuation into plain words or nothing', () => {
    expect(buildFtsQuery('"')).toBe('');
    expect(buildFtsQuery('')).toBe('');
    expect(buildFtsQuery('AND OR NOT')).toBe('');
    expect(buildFtsQuery('*')).toBe('');
    expect(buildFtsQuery('NEAR(')).toBe('"near"');
    expect(buildFtsQuery('🦊🦊 fox')).toBe('"fox"');
    expect(buildFtsQuery('\u0301\u0301 \u200d\u200d \ufe0f\ufe0f')).toBe('');
    expect(buildFtsQuery('cafe\u0301')).toBe('"café"');
    expect(buildFtsQuery('col:value^2 -minus "quoted phrase"')).toBe('"col" OR "value" OR "minus" OR "quoted" OR "phrase"');
  });

  it('caps the number of tokens', () => {
    const text = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    expect(ftsTokens(text)).toHaveLength(32);
    expect(ftsTokens(text, 5)).toEqual(['word0', 'word1', 'word2', 'word3', 'word4']);
  });
});

describe('fuseRankings', () => {
  it('sums weighted reciprocal ranks and reports each rank', () => {
    const fused = fuseRankings([
      { ids: [1, 2, 3], weight: 1 },
      { ids: [3, 4], weight: 1 },
    ]);
    expect(fused.map((f) => f.id)).toEqual([3, 1, 2, 4]);
    expect(fused[0]).toEqual({ id: 3, score: 1 / 63 + 1 / 61, ranks: [3, 1] });
    expect(fused[1]).toEqual({ id: 1, score: 1 / 61, ranks: [1, null] });
    expect(fused[3]!.ranks).toEqual([null, 2]);
  });

  it('honours weights, k, ties and duplicates deterministically', () => {
    const lists = [
      { ids: [1, 2], weight: 1 },
      { ids: [2, 1], weight: 3 },
    ];
    expect(fuseRankings(lists).map((f) => f.id)).toEqual([2, 1]);
    expect(fuseRankings([{ ids: [5], weight: 1 }, { ids: [6], weight: 1 }], 10)).toEqual([
      { id: 5, score: 1 / 11, ranks: [1, null] },
      { id: 6, score: 1 / 11, ranks: [null, 1] },
    ]);
    expect(fuseRankings([{ ids: [7, 7, 8], weight: 1 }])).toEqual([
      { id: 7, score: 1 / 61, ranks: [1] },
      { id: 8, score: 1 / 63, ranks: [3] },
    ]);
    expect(fuseRankings([])).toEqual([]);
  });
});

describe('HybridRetriever', () => {
  const DIMS = 16;
  const vocabulary = ['volcano', 'lava', 'ocean', 'whale', 'piano', 'music', 'bread', 'oven'];
  /** Deterministic "embedding": a bag of known words, normalized (what a fake embedder can do). */
  const embed = (text: string): Float32Array => {
    const v = new Float32Array(DIMS);
    for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
      const i = vocabulary.indexOf(word.replace(/s$/, ''));
      v[i >= 0 ? i : DIMS - 1 - (word.length % 4)]! += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };

  let dir: string;
  let db: Database;
  let store: DocumentStore;
  let index: VectorIndex | null;
  let model: string | null;
  let embedCalls: number;
  let retriever: HybridRetriever;

  const add = (name: string, texts: string[], status: 'ready' | 'embedding' = 'ready') => {
    const doc = store.create({ name, path: `/docs/${name}`, sizeBytes: 1, mtimeMs: 1, contentHash: name });
    const drafts: ChunkDraft[] = texts.map((text, ordinal) => ({ ordinal, text, page: null, heading: null, start: ordinal * 1000, end: ordinal * 1000 + text.length }));
    store.insertChunks(doc.id, drafts);
    const rows = store.chunksToEmbed(doc.id, 'fake', 100).map((c) => ({ chunkId: c.id, vector: embed(c.text) }));
    store.storeEmbeddings('fake', rows);
    index?.add(rows);
    if (status === 'ready') store.finish(doc.id);
    else store.update(doc.id, { status });
    return store.chunkIds(doc.id);
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-retrieval-'));
    db = openDatabase({ file: path.join(dir, 'profile.db') });
    store = new DocumentStore(db);
    model = 'fake';
    embedCalls = 0;
    index = await VectorIndex.open({ file: path.join(dir, 'index.hnsw'), dimensions: DIMS, model: 'fake', store });
    retriever = new HybridRetriever({
      store,
      index: () => index,
      model: () => model,
      embedQuery: async (text) => {
        embedCalls++;
        return model ? embed(text) : null;
      },
    });
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fuses bm25 and vector rankings over ready documents', async () => {
    const [lava, ocean] = add('geo.md', ['Lava flows from the volcano', 'The ocean is deep']);
    const [piano] = add('music.md', ['Piano music lessons']);
    const [halfLava] = add('half.md', ['volcano lava volcano lava'], 'embedding');

    const { hits } = await retriever.search('volcanoes and lava', { k: 5 });
    expect(hits[0]).toMatchObject({ chunkId: lava, documentName: 'geo.md', path: '/docs/geo.md', bm25Rank: 1, vectorRank: 1 });
    expect(hits[0]!.score).toBeCloseTo(2 / 61);
    expect(hits.map((h) => h.chunkId)).not.toContain(halfLava);
    expect(hits.every((h) => h.chunkId === lava || h.vectorRank !== null)).toBe(true);

    const { hits: bm25 } = await retriever.search('ocean', { mode: 'bm25', k: 5 });
    expect(bm25.map((h) => [h.chunkId, h.bm25Rank, h.vectorRank])).toEqual([[ocean, 1, null]]);
    expect(bm25[0]!.score).toBeGreaterThan(0);

    const { hits: vector } = await retriever.search('whale piano', { mode: 'vector', k: 2 });
    expect(vector[0]).toMatchObject({ chunkId: piano, bm25Rank: null, vectorRank: 1 });
    const { hits: exact } = await retriever.search('whale piano', { mode: 'exact', k: 2 });
    expect(exact.map((h) => [h.chunkId, h.score])).toEqual(vector.map((h) => [h.chunkId, h.score]));
  });

  it('weights shift the fused order', async () => {
    // Keywords prefer the chunk that says "oven" four times (the porter stemmer reads "ovening" as "oven");
    // the toy embedder does not stem, so the vectors prefer the one about bread and ovens in equal measure,
    // like the query. Both chunks are in both lists, so only the weights decide the fused order.
    const [ovenHeavy] = add('a.md', ['ovening ovening ovening ovening bread']);
    const [balanced] = add('b.md', ['oven bread crust']);
    const query = 'oven bread';
    const { hits: keywords } = await retriever.search(query, { k: 2, mode: 'bm25' });
    const { hits: vectors } = await retriever.search(query, { k: 2, mode: 'vector' });
    expect(keywords.map((hit) => hit.chunkId)).toEqual([ovenHeavy, balanced]);
    expect(vectors.map((hit) => hit.chunkId)).toEqual([balanced, ovenHeavy]);

    const order = async (weights: { bm25: number; vector: number }) => (await retriever.search(query, { k: 2, weights })).hits.map((hit) => hit.chunkId);
    expect(await order({ bm25: 1, vector: 0 })).toEqual([ovenHeavy, balanced]);
    expect(await order({ bm25: 0, vector: 1 })).toEqual([balanced, ovenHeavy]);
    expect(await order({ bm25: 3, vector: 1 })).toEqual([ovenHeavy, balanced]);
    expect(await order({ bm25: 1, vector: 3 })).toEqual([balanced, ovenHeavy]);
  });

  it('answers a hybrid search from keywords when the query cannot be embedded; an explicit vector search says why', async () => {
    const [lava] = add('geo.md', ['Lava flows from the volcano']);
    const failures: unknown[] = [];
    const failing = new HybridRetriever({
      store,
      index: () => index,
      model: () => model,
      embedQuery: async () => {
        throw new AssistantError(ErrorCode.RemoteFailed, 'The remote server failed: no answer within 30 s.');
      },
      onVectorFailure: (error) => failures.push(error),
    });
    const { hits, mode, reason } = await failing.search('lava', { k: 3 });
    expect(hits.map((h) => [h.chunkId, h.bm25Rank, h.vectorRank])).toEqual([[lava, 1, null]]);
    expect({ mode, reason }).toEqual({ mode: 'bm25', reason: 'the question could not be embedded (The remote server failed: no answer within 30 s)' });
    expect(failures).toHaveLength(1);
    await expect(failing.search('lava', { mode: 'vector', k: 3 })).rejects.toMatchObject({ code: ErrorCode.RemoteFailed });
  });

  it('degrades hybrid to bm25 without an embedding model or index', async () => {
    const [lava] = add('geo.md', ['Lava flows from the volcano']);
    model = null;
    const { hits, mode, reason } = await retriever.search('lava', { k: 3 });
    expect(hits.map((h) => [h.chunkId, h.bm25Rank, h.vectorRank])).toEqual([[lava, 1, null]]);
    expect({ mode, reason }).toEqual({ mode: 'bm25', reason: 'no embedding model is set up' });
    expect(embedCalls).toBe(0);
    await expect(retriever.search('lava', { mode: 'vector' })).rejects.toMatchObject({ code: 'NO_EMBEDDING_MODEL' });
    await expect(retriever.search('lava', { mode: 'exact' })).rejects.toMatchObject({ code: 'NO_EMBEDDING_MODEL' });

    model = 'fake';
    index = null;
    const noIndex = await retriever.search('lava', { k: 3 });
    expect(noIndex.hits.map((h) => h.vectorRank)).toEqual([null]);
    expect(noIndex).toMatchObject({ mode: 'bm25', reason: 'the documents have no vectors of this embedding model yet' });
    // An explicit vector search without an index falls back to the exact scan.
    expect((await retriever.search('lava', { mode: 'vector', k: 3 })).hits[0]).toMatchObject({ chunkId: lava, vectorRank: 1 });
  });

  it('never returns removed chunks or stale index entries', async () => {
    const [lava] = add('geo.md', ['Lava flows from the volcano']);
    const doc = store.list()[0]!;
    store.remove(doc.id); // the index is not told: its entry is stale
    expect((await retriever.search('lava volcano', { k: 5 })).hits).toEqual([]);
    expect((await retriever.search('lava volcano', { mode: 'vector', k: 5 })).hits).toEqual([]);
    // SQLite may reuse the chunk id for a new chunk; the index still has the old vector, scores come from the store.
    const [reused] = add('new.md', ['Piano music']);
    expect(reused).toBe(lava);
    const { hits } = await retriever.search('piano', { mode: 'vector', k: 1 });
    expect(hits[0]!.chunkId).toBe(reused);
    expect(hits[0]!.score).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('returns nothing for empty input, handles hostile input, and honours k and cancellation', async () => {
    add('geo.md', ['Lava flows from the volcano', 'volcano ash', 'volcano rock']);
    expect((await retriever.search('   ', {})).hits).toEqual([]);
    for (const query of ['"', 'AND OR NOT', '*', 'NEAR(', '🦊', '']) expect((await retriever.search(query, {})).hits).toBeInstanceOf(Array);
    expect((await retriever.search('volcano', { k: 2 })).hits).toHaveLength(2);
    const controller = new AbortController();
    controller.abort();
    await expect(retriever.search('volcano', { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
