import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChunkDraft } from '@assistant/core';
import { openDatabase } from '@assistant/core/node';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentStore, blobToVector, vectorToBlob } from '../../src/node/store/DocumentStore.js';

let dir: string;
let db: Database;
let store: DocumentStore;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-store-'));
  db = openDatabase({ file: path.join(dir, 'profile.db') });
  clock = 1000;
  store = new DocumentStore(db, () => clock++);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const drafts = (texts: string[], heading: string | null = null): ChunkDraft[] =>
  texts.map((text, ordinal) => ({ ordinal, text, page: null, heading, start: ordinal * 100, end: ordinal * 100 + text.length }));

function addDocument(name: string, texts: string[], options: { status?: 'ready' | 'embedding'; hash?: string; path?: string; replacesId?: string; model?: string } = {}) {
  const doc = store.create({ name, path: options.path ?? `/docs/${name}`, sizeBytes: 10, mtimeMs: 5, contentHash: options.hash ?? name, replacesId: options.replacesId });
  store.insertChunks(doc.id, drafts(texts));
  if (options.model) {
    const rows = store.chunksToEmbed(doc.id, options.model, 1000).map((c, i) => ({ chunkId: c.id, vector: new Float32Array([1, i, 0]) }));
    store.storeEmbeddings(options.model, rows);
  }
  if (options.status === 'ready') store.finish(doc.id);
  else if (options.status) store.update(doc.id, { status: options.status });
  return store.get(doc.id)!;
}

describe('DocumentStore', () => {
  it('creates, reads, updates and lists documents', () => {
    const a = store.create({ name: 'a.pdf', path: '/a.pdf', sizeBytes: 3, mtimeMs: 7.6, contentHash: 'h1' });
    expect(a).toMatchObject({ name: 'a.pdf', status: 'queued', format: null, chunks: 0, embeddedChunks: 0, error: null, createdAt: 1000 });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    const b = store.create({ name: 'b.md', path: '/b.md', sizeBytes: 3, mtimeMs: 7, contentHash: 'h2' });
    expect(store.list().map((d) => d.id)).toEqual([b.id, a.id]);
    expect(store.source(a.id)).toEqual({ id: a.id, path: '/a.pdf', sizeBytes: 3, mtimeMs: 8, contentHash: 'h1', replacesId: null });

    const failed = store.update(a.id, { status: 'failed', error: { code: 'DOCUMENT_ENCRYPTED', message: 'a.pdf is encrypted' }, format: 'pdf', pages: 3 });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'DOCUMENT_ENCRYPTED', message: 'a.pdf is encrypted' }, format: 'pdf', pages: 3 });
    expect(store.update(a.id, { title: 'T' })).toMatchObject({ status: 'failed', error: { code: 'DOCUMENT_ENCRYPTED' }, title: 'T', pages: 3 });
    expect(store.update(a.id, { status: 'parsing', error: null }).error).toBeNull();
    expect(() => store.update('nope', { status: 'ready' })).toThrow(/No document/);
    expect(store.get('nope')).toBeNull();
  });

  it('finds duplicates by hash and by path, newest first', () => {
    const a = store.create({ name: 'a', path: '/x/a.txt', sizeBytes: 1, mtimeMs: 1, contentHash: 'same' });
    const b = store.create({ name: 'b', path: '/y/b.txt', sizeBytes: 1, mtimeMs: 1, contentHash: 'same' });
    const c = store.create({ name: 'a', path: '/x/a.txt', sizeBytes: 1, mtimeMs: 2, contentHash: 'other' });
    expect(store.findByHash('same').map((d) => d.id)).toEqual([b.id, a.id]);
    expect(store.findByPath('/x/a.txt').map((d) => d.id)).toEqual([c.id, a.id]);
    expect(store.findByHash('none')).toEqual([]);
  });

  it('lists unfinished documents oldest first', () => {
    const a = addDocument('a', ['x'], { status: 'embedding' });
    addDocument('b', ['x'], { status: 'ready' });
    const c = store.create({ name: 'c', path: '/c', sizeBytes: 1, mtimeMs: 1, contentHash: 'c' });
    const d = addDocument('d', ['x']);
    store.update(d.id, { status: 'failed' });
    expect(store.unfinished().map((x) => x.id)).toEqual([a.id, c.id]);
  });

  it('inserts chunks idempotently and counts chunks and embeddings', () => {
    const doc = store.create({ name: 'a', path: '/a', sizeBytes: 1, mtimeMs: 1, contentHash: 'a' });
    expect(store.insertChunks(doc.id, drafts(['one', 'two']))).toBe(2);
    expect(store.insertChunks(doc.id, drafts(['one', 'two', 'three']))).toBe(1);
    expect(store.get(doc.id)).toMatchObject({ chunks: 3, embeddedChunks: 0 });

    const generation = store.generation();
    const todo = store.chunksToEmbed(doc.id, 'm1', 2);
    expect(todo.map((c) => c.text)).toEqual(['one', 'two']);
    store.storeEmbeddings('m1', todo.map((c) => ({ chunkId: c.id, vector: new Float32Array([1, 2, 3]) })));
    expect(store.generation()).toBe(generation + 1);
    expect(store.get(doc.id)).toMatchObject({ chunks: 3, embeddedChunks: 2 });
    expect(store.chunksToEmbed(doc.id, 'm1', 10).map((c) => c.text)).toEqual(['three']);
    // Another model: everything needs embedding again.
    expect(store.chunksToEmbed(doc.id, 'm2', 10)).toHaveLength(3);
    store.storeEmbeddings('m1', []);
    expect(store.generation()).toBe(generation + 1);

    // The cached count follows each batch: new vectors add, vectors of another model replace.
    store.storeEmbeddings('m1', store.chunksToEmbed(doc.id, 'm1', 10).map((c) => ({ chunkId: c.id, vector: new Float32Array([1, 2, 3]) })));
    expect(store.get(doc.id)).toMatchObject({ embeddedChunks: 3 });
    const m2 = store.chunksToEmbed(doc.id, 'm2', 2).map((c) => ({ chunkId: c.id, vector: new Float32Array([3, 2, 1]) }));
    expect(store.storeEmbeddings('m2', m2)).toHaveLength(2);
    expect(store.get(doc.id)).toMatchObject({ embeddedChunks: 3 });
    expect(store.documentsMissingEmbeddings('m2')).toEqual([]);
    store.finish(doc.id);
    expect(store.documentsMissingEmbeddings('m2')).toEqual([doc.id]);
    expect(store.documentsMissingEmbeddings('m1')).toEqual([doc.id]);
    // Vectors for chunks that are gone (a removed document) are not stored, and are not returned.
    const ids = store.chunkIds(doc.id);
    store.remove(doc.id);
    expect(store.storeEmbeddings('m1', ids.map((chunkId) => ({ chunkId, vector: new Float32Array([1, 1, 1]) })))).toEqual([]);
  });

  it('round-trips vectors through BLOBs, also from unaligned buffers', () => {
    const v = new Float32Array([0.5, -1.25, 3e-8, 42]);
    expect(blobToVector(vectorToBlob(v))).toEqual(v);
    const unaligned = Buffer.concat([Buffer.from([9]), vectorToBlob(v)]).subarray(1);
    expect(unaligned.byteOffset % 4).not.toBe(0);
    expect(blobToVector(unaligned)).toEqual(v);
    expect(() => blobToVector(Buffer.alloc(5))).toThrow(/float32/);
    const sub = new Float32Array([7, 8, 9, 10]).subarray(1, 3);
    expect(blobToVector(vectorToBlob(sub))).toEqual(new Float32Array([8, 9]));
  });

  it('finish() marks ready and deletes the replaced document with its chunks, in one step', () => {
    const old = addDocument('a.md', ['old cheese text'], { status: 'ready', model: 'm' });
    const next = addDocument('a.md', ['new cheese text'], { replacesId: old.id, model: 'm' });
    expect(store.searchBm25('cheese', 10).map((h) => h.chunkId)).toEqual(store.chunkIds(old.id));
    const generation = store.generation();
    const ready = store.finish(next.id);
    expect(ready.status).toBe('ready');
    expect(store.get(old.id)).toBeNull();
    expect(store.generation()).toBe(generation + 1);
    expect(store.searchBm25('cheese', 10).map((h) => h.chunkId)).toEqual(store.chunkIds(next.id));
    expect(db.prepare('SELECT COUNT(*) AS n FROM chunks').get()).toEqual({ n: 1 });
    expect(() => store.finish('nope')).toThrow(/No document/);
  });

  it('remove() deletes chunks, full-text rows and embeddings', () => {
    const doc = addDocument('a', ['alpha bravo', 'charlie delta'], { status: 'ready', model: 'm' });
    addDocument('b', ['alpha echo'], { status: 'ready', model: 'm' });
    const generation = store.generation();
    expect(store.remove(doc.id)).toBe(true);
    expect(store.generation()).toBe(generation + 1);
    expect(store.remove(doc.id)).toBe(false);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM chunks WHERE document_id = ?`).get(doc.id)).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'charlie'`).get()).toEqual({ n: 0 });
    expect(store.searchBm25('alpha charlie', 10)).toHaveLength(1);
    expect([...store.embeddings('m')]).toHaveLength(1);
  });

  it('deleteChunks() clears a document for re-parsing', () => {
    const doc = addDocument('a', ['alpha', 'bravo'], { model: 'm' });
    store.deleteChunks(doc.id);
    expect(store.get(doc.id)).toMatchObject({ chunks: 0, embeddedChunks: 0 });
    expect(store.chunkIds(doc.id)).toEqual([]);
  });

  it('keeps OCR pages per content and languages: summary with low-quality pages, passages marked as OCR, pruned with the last copy', () => {
    let threshold = 60;
    store = new DocumentStore(db, () => clock++, () => threshold);
    const scan = store.create({ name: 'scan.pdf', path: '/docs/scan.pdf', sizeBytes: 10, mtimeMs: 5, contentHash: 'h-scan' });
    expect(scan.ocr).toBeNull();
    store.update(scan.id, { status: 'parsing', ocrConfig: 'eng' });
    store.setOcrProgress(scan.id, { index: 1, total: 3, page: 1 });
    expect(store.get(scan.id)!.ocr).toEqual({ pages: 0, lowQualityPages: [], skippedPages: 0, progress: { index: 1, total: 3, page: 1 } });
    store.saveOcrPage('h-scan', 'eng', { page: 1, text: 'The Moon was buried in the bog.', confidence: 91 });
    store.saveOcrPage('h-scan', 'eng', { page: 2, text: 'Smudged words here.', confidence: 41 });
    store.saveOcrPage('h-scan', 'eng', { page: 3, text: '', confidence: 0 });
    store.saveOcrPage('h-scan', 'eng+deu', { page: 1, text: 'Der Mond', confidence: 70 });
    store.setOcrProgress(scan.id, null);
    expect(store.ocrPages('h-scan', 'eng').map((page) => page.page)).toEqual([1, 2, 3]);
    store.insertChunks(scan.id, [{ ordinal: 0, text: 'The Moon was buried in the bog.', page: 1, heading: null, start: 0, end: 31 }, { ordinal: 1, text: 'Typed page.', page: 4, heading: null, start: 33, end: 44 }]);
    store.update(scan.id, { status: 'embedding', ocrSkippedPages: 2 });
    store.finish(scan.id);
    // A blank page is not "low quality"; the threshold is read when asked.
    expect(store.get(scan.id)!.ocr).toEqual({ pages: 3, lowQualityPages: [2], skippedPages: 2, progress: null });
    threshold = 95;
    expect(store.get(scan.id)!.ocr!.lowQualityPages).toEqual([1, 2]);

    const [moon, typed] = store.chunkIds(scan.id);
    expect(store.passageWithContext(moon!)!.ocrConfidence).toBe(91);
    expect(store.passageWithContext(typed!)).not.toHaveProperty('ocrConfidence');
    // The page break between them is kept in the context, not run together.
    expect(store.passageWithContext(moon!)!.after).toBe('\n\nTyped page.');
    expect(store.passageWithContext(typed!)!.before).toBe('The Moon was buried in the bog.\n\n');
    // Context cut to a length starts and ends at a word, the cut marked.
    expect(store.passageWithContext(typed!, 12)!.before).toBe('…the bog.\n\n');
    expect(store.passageWithContext(moon!, 8)!.after).toBe('\n\nTyped…');

    // Another copy of the same bytes keeps the pages; removing the last copy drops them.
    const copy = store.create({ name: 'copy.pdf', path: '/docs/copy.pdf', sizeBytes: 10, mtimeMs: 5, contentHash: 'h-scan' });
    store.remove(scan.id);
    store.pruneOcrPages();
    expect(store.ocrPages('h-scan', 'eng')).toHaveLength(3);
    store.remove(copy.id);
    store.pruneOcrPages();
    expect(store.ocrPages('h-scan', 'eng')).toEqual([]);
    expect(store.ocrPages('h-scan', 'eng+deu')).toEqual([]);
  });

  it('never returns a half-ingested document from search or passages', async () => {
    const ready = addDocument('ready', ['zebra crossing', 'giraffe'], { status: 'ready', model: 'm' });
    const half = addDocument('half', ['zebra stripes'], { status: 'embedding', model: 'm' });
    const halfChunk = store.chunkIds(half.id)[0]!;
    expect(store.searchBm25('zebra', 10).map((h) => h.chunkId)).toEqual([store.chunkIds(ready.id)[0]]);
    expect(store.passages([halfChunk, ...store.chunkIds(ready.id)]).has(halfChunk)).toBe(false);
    expect(store.passages(store.chunkIds(ready.id)).size).toBe(2);
    expect(store.passageWithContext(halfChunk)).toBeNull();
    const exact = await store.exactSearch(new Float32Array([1, 0, 0]), 10, 'm');
    expect(exact.map((h) => h.chunkId).sort()).toEqual(store.chunkIds(ready.id).sort());
    expect(store.readyVectors([halfChunk], 'm').size).toBe(0);
    // The index is built from both (the query side filters to ready); not from failed documents.
    expect([...store.embeddings('m')]).toHaveLength(3);
    const generation = store.generation();
    store.update(half.id, { status: 'failed' });
    expect(store.generation()).toBe(generation + 1);
    expect([...store.embeddings('m')]).toHaveLength(2);
    expect(store.embeddingCount('m')).toBe(2);
  });

  it('exactSearch ranks by cosine similarity, only this model', async () => {
    const doc = store.create({ name: 'a', path: '/a', sizeBytes: 1, mtimeMs: 1, contentHash: 'a' });
    store.insertChunks(doc.id, drafts(['a', 'b', 'c', 'd']));
    const [a, b, c, d] = store.chunkIds(doc.id) as [number, number, number, number];
    store.storeEmbeddings('m', [
      { chunkId: a, vector: new Float32Array([1, 0]) },
      { chunkId: b, vector: new Float32Array([10, 10]) },
      { chunkId: c, vector: new Float32Array([0, -3]) },
    ]);
    store.storeEmbeddings('other', [{ chunkId: d, vector: new Float32Array([1, 0]) }]);
    store.finish(doc.id);
    const hits = await store.exactSearch(new Float32Array([2, 0]), 2, 'm');
    expect(hits.map((h) => h.chunkId)).toEqual([a, b]);
    expect(hits[0]!.score).toBeCloseTo(1);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2);
    expect((await store.exactSearch(new Float32Array([2, 0]), 10, 'm')).map((h) => h.chunkId)).toEqual([a, b, c]);
    expect(await store.exactSearch(new Float32Array([2, 0]), 0, 'm')).toEqual([]);
  });

  it('exactSearch scans past its page size and finds the best anywhere', async () => {
    const doc = store.create({ name: 'many', path: '/many', sizeBytes: 1, mtimeMs: 1, contentHash: 'many' });
    store.insertChunks(doc.id, drafts(Array.from({ length: 2500 }, (_, i) => `chunk ${i}`)));
    const ids = store.chunkIds(doc.id);
    // Angles spread over a half circle: the query's best match is the chunk at 2,345, on the third page.
    store.storeEmbeddings('m', ids.map((chunkId, i) => ({ chunkId, vector: new Float32Array([Math.cos((i / 2500) * Math.PI), Math.sin((i / 2500) * Math.PI)]) })));
    store.finish(doc.id);
    const angle = (2345 / 2500) * Math.PI;
    const hits = await store.exactSearch(new Float32Array([Math.cos(angle), Math.sin(angle)]), 3, 'm');
    expect(hits[0]!.chunkId).toBe(ids[2345]);
    expect(new Set(hits.map((hit) => hit.chunkId))).toEqual(new Set([ids[2344], ids[2345], ids[2346]]));
  });

  it('ranks bm25 hits and weighs headings lower than text', () => {
    const doc = store.create({ name: 'a', path: '/a', sizeBytes: 1, mtimeMs: 1, contentHash: 'a' });
    store.insertChunks(doc.id, [
      { ordinal: 0, text: 'nothing relevant here at all', page: 1, heading: 'Volcano', start: 0, end: 10 },
      { ordinal: 1, text: 'volcano eruptions and volcanoes', page: 2, heading: null, start: 10, end: 20 },
      { ordinal: 2, text: 'unrelated', page: 3, heading: null, start: 20, end: 30 },
    ]);
    store.finish(doc.id);
    const [first, second] = store.chunkIds(doc.id) as [number, number];
    const hits = store.searchBm25('Tell me about the volcanoes?', 10);
    expect(hits.map((h) => h.chunkId)).toEqual([second, first]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(store.searchBm25('the of and', 10)).toEqual([]);
    expect(store.passages([first]).get(first)).toMatchObject({ documentName: 'a', path: '/a', page: 1, heading: 'Volcano', start: 0, end: 10 });
  });

  it('counts passages and word frequencies over ready documents only', () => {
    addDocument('ready', ['zebra crossing here', 'giraffe'], { status: 'ready' });
    addDocument('ingesting', ['zebra zebra', 'zebra stripes', 'okapi'], { status: 'embedding' });
    expect(store.collectionStats()).toEqual({ passages: 2, meanWords: 2 });
    expect(store.documentFrequency('zebra')).toBe(1);
    expect(store.documentFrequency('okapi')).toBe(0);
  });

  it('measures the mean passage length on a sample spread over every document', () => {
    // Past the sample size: the mean comes from the first chunks of each document, not of the oldest one.
    addDocument('short', Array.from({ length: 3000 }, () => 'one'), { status: 'ready' });
    addDocument('long', Array.from({ length: 3000 }, () => 'one two three'), { status: 'ready' });
    expect(store.collectionStats()).toEqual({ passages: 6000, meanWords: 2 });
  });

  it('survives hostile full-text input', () => {
    addDocument('a', ['quotes "and" operators NEAR stars * and emoji 🦊 naïve café'], { status: 'ready' });
    const hostile = ['"', '""', 'AND OR NOT', '*', 'NEAR(', 'NEAR(a b, 3)', '🦊', '', '   ', '^foo', 'a:b', '(((', ')', "'; DROP TABLE chunks; --", 'col:*', '-x', 'café "naïve', '\u0000', 'x'.repeat(10000)];
    for (const query of hostile) expect(() => store.searchBm25(query, 5), query).not.toThrow();
    expect(store.searchBm25('naive cafe', 5)).toHaveLength(1);
    expect(store.searchBm25('NEAR(', 5)).toHaveLength(1);
  });

  it('gives a passage with the surrounding text, without the overlap', () => {
    const doc = store.create({ name: 'a', path: '/a', sizeBytes: 1, mtimeMs: 1, contentHash: 'a' });
    // Text "0123456789abcdefghij", chunks of 8 with an overlap of 2.
    store.insertChunks(doc.id, [
      { ordinal: 0, text: '01234567', page: null, heading: null, start: 0, end: 8 },
      { ordinal: 1, text: '6789abcd', page: null, heading: null, start: 6, end: 14 },
      { ordinal: 2, text: 'cdefghij', page: null, heading: null, start: 12, end: 20 },
    ]);
    store.finish(doc.id);
    const [first, middle, last] = store.chunkIds(doc.id) as [number, number, number];
    expect(store.passageWithContext(middle)).toMatchObject({ text: '6789abcd', before: '012345', after: 'efghij' });
    expect(store.passageWithContext(middle, 3)).toMatchObject({ before: '…345', after: 'efg…' });
    expect(store.passageWithContext(first)).toMatchObject({ before: '', after: '89abcd' });
    expect(store.passageWithContext(last)).toMatchObject({ before: '6789ab', after: '' });
  });

  it('streams embeddings in pages without holding the connection busy', () => {
    const doc = store.create({ name: 'a', path: '/a', sizeBytes: 1, mtimeMs: 1, contentHash: 'a' });
    store.insertChunks(doc.id, drafts(Array.from({ length: 2500 }, (_, i) => `chunk ${i}`)));
    store.storeEmbeddings('m', store.chunksToEmbed(doc.id, 'm', 5000).map((c) => ({ chunkId: c.id, vector: new Float32Array([c.id, 1]) })));
    let seen = 0;
    let last = 0;
    for (const row of store.embeddings('m')) {
      expect(row.chunkId).toBeGreaterThan(last);
      expect(row.vector[0]).toBe(row.chunkId);
      last = row.chunkId;
      // A write while iterating must work (a rebuild yields to other work between points).
      if (seen++ === 10) store.update(doc.id, { title: 'busy?' });
    }
    expect(seen).toBe(2500);
  });

  it('lists 1,000 documents with 100,000 chunks quickly', () => {
    const vector = vectorToBlob(new Float32Array(384).fill(0.1));
    const insertChunk = db.prepare(`INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, embedding, embedding_model) VALUES (?, ?, 'text', 0, 4, ?, 'm')`);
    db.transaction(() => {
      for (let d = 0; d < 1000; d++) {
        const doc = store.create({ name: `d${d}`, path: `/d${d}`, sizeBytes: 1, mtimeMs: 1, contentHash: `h${d}` });
        for (let i = 0; i < 100; i++) insertChunk.run(doc.id, i, vector);
        store.update(doc.id, { status: 'ready', chunkCount: 100 });
      }
    })();
    // A fresh store, as after a restart: the first list counts embedded chunks, later ones are cached.
    const fresh = new DocumentStore(db);
    let started = performance.now();
    fresh.list();
    const coldMs = performance.now() - started;
    started = performance.now();
    const list = fresh.list();
    const ms = performance.now() - started;
    expect(list).toHaveLength(1000);
    expect(list[0]).toMatchObject({ chunks: 100, embeddedChunks: 100 });
    expect(ms).toBeLessThan(100);
    expect(coldMs).toBeLessThan(3000);
  }, 60_000);
});
