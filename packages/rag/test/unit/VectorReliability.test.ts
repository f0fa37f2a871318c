// The reliability probe: a useless embedding model is measured as such and hybrid search becomes keywords
// only; a faithful one keeps (nearly) its full weight.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, silentLogger } from '@assistant/core/node';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VectorIndex } from '../../src/node/index/VectorIndex.js';
import { HybridRetriever } from '../../src/node/retrieval/HybridRetriever.js';
import { probeReliability } from '../../src/node/service/VectorReliability.js';
import { DocumentStore } from '../../src/node/store/DocumentStore.js';
import { makeTempDir } from '../../../../test/support/tempDir.js';

const DIMS = 64;
const topics = ['harbour', 'volcano', 'orchestra', 'glacier', 'bakery', 'satellite', 'vineyard', 'library', 'railway', 'reef'];

/** A faithful toy embedder: hashed bag of words, normalised. */
function faithful(text: string): Float32Array {
  const vector = new Float32Array(DIMS);
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    let hash = 7;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % DIMS]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

/** A made-up word per number ("bmc"), so every passage has words of its own. */
const letters = (n: number): string => (n < 26 ? String.fromCharCode(97 + n) : letters(Math.floor(n / 26) - 1) + String.fromCharCode(97 + (n % 26)));

let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

/** A useless one: the same text gets a different direction every time (noise, like a model for another language). */
function useless(): Float32Array {
  const vector = Float32Array.from({ length: DIMS }, () => random() - 0.5);
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

describe('the vector reliability probe', () => {
  let dir: string;
  let db: Database;
  let store: DocumentStore;

  beforeEach(() => {
    dir = makeTempDir('rag-reliability-');
    db = openDatabase({ file: path.join(dir, 'profile.db') });
    store = new DocumentStore(db);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function collection(embed: (text: string) => Float32Array) {
    const index = await VectorIndex.open({ file: path.join(dir, 'index.hnsw'), dimensions: DIMS, model: 'm', store });
    topics.forEach((topic, t) => {
      const doc = store.create({ name: `${topic}.md`, path: `/docs/${topic}.md`, sizeBytes: 1, mtimeMs: 1, contentHash: topic });
      store.insertChunks(doc.id, Array.from({ length: 20 }, (_, c) => {
        const words = Array.from({ length: 8 }, (_, w) => letters((t * 20 + c) * 8 + w + 1000)).join(' ');
        const text = `The ${topic} report begins here. Workers at the ${topic} counted crates of ${words} before the evening shift ended quietly. Nothing else happened that day.`;
        return { ordinal: c, text, page: null, heading: null, start: c * 1000, end: c * 1000 + text.length };
      }));
      const rows = store.chunksToEmbed(doc.id, 'm', 100).map((chunk) => ({ chunkId: chunk.id, vector: embed(chunk.text) }));
      store.storeEmbeddings('m', rows);
      index.add(rows);
      store.finish(doc.id);
    });
    return index;
  }

  it('measures a useless model as noise: factor 0, and hybrid search is then keywords alone', async () => {
    const index = await collection(() => useless());
    const reliability = await probeReliability({ db, index, model: 'm', embed: async (texts) => texts.map(() => useless()), logger: silentLogger });
    // 200 passages: noise finds the right one in its top 10 about 1 time in 20.
    expect(reliability.hitRate).toBeLessThan(0.2);
    expect(reliability.factor).toBe(0);
    const retriever = new HybridRetriever({ store, index: () => index, model: () => 'm', embedQuery: async () => useless() });
    const { hits: hybrid } = await retriever.search('glacier crates', { k: 5, weights: { bm25: 1, vector: 1 * reliability.factor } });
    const { hits: keywords } = await retriever.search('glacier crates', { k: 5, mode: 'bm25' });
    expect(hybrid.map((hit) => hit.chunkId)).toEqual(keywords.map((hit) => hit.chunkId));
    expect(hybrid.every((hit) => hit.documentName === 'glacier.md')).toBe(true);
  });

  it('keeps most of the weight of a model that finds the passages', async () => {
    const index = await collection(faithful);
    const reliability = await probeReliability({ db, index, model: 'm', embed: async (texts) => texts.map(faithful), logger: silentLogger });
    expect(reliability.hitRate).toBeGreaterThan(0.6);
    expect(reliability.factor).toBeGreaterThan(0.5);
  });
});
