import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VectorIndex, type EmbeddingSource } from '../../src/node/index/VectorIndex.js';

const DIMS = 8;

/** A deterministic unit vector per seed. */
function vectorFor(seed: number): Float32Array {
  const v = new Float32Array(DIMS);
  let s = seed * 2654435761;
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    s = (Math.imul(s ^ (s >>> 13), 1274126177) + i) | 0;
    v[i] = (s >>> 0) / 2 ** 32 - 0.5;
    norm += v[i]! * v[i]!;
  }
  return v.map((x) => x / Math.sqrt(norm));
}

class FakeStore implements EmbeddingSource {
  gen = 1;
  rows = new Map<number, Float32Array>();
  reads = 0;
  constructor(count: number, model = 'm') {
    this.model = model;
    for (let id = 1; id <= count; id++) this.rows.set(id, vectorFor(id));
  }
  readonly model: string;
  generation() {
    return this.gen;
  }
  *embeddings(model: string) {
    this.reads++;
    if (model !== this.model) return;
    for (const [chunkId, vector] of this.rows) yield { chunkId, vector };
  }
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rag-index-'));
  file = path.join(dir, 'vectors', 'index.hnsw');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const open = (store: FakeStore, extra: Partial<Parameters<typeof VectorIndex.open>[0]> = {}) => VectorIndex.open({ file, dimensions: DIMS, model: 'm', store, ...extra });

describe('VectorIndex', () => {
  it('reuses the slots of removed points, so removing and re-adding documents does not grow the index', async () => {
    const store = new FakeStore(200);
    const index = await open(store);
    for (let round = 0; round < 3; round++) {
      const old = [...store.rows.keys()].slice(0, 100);
      index.remove(old);
      const fresh = old.map((id) => id + 1000 * (round + 1));
      for (const id of old) store.rows.delete(id);
      for (const id of fresh) store.rows.set(id, vectorFor(id));
      index.add(fresh.map((id) => ({ chunkId: id, vector: store.rows.get(id)! })));
      expect(index.slots).toBe(200);
      expect(index.size).toBe(200);
    }
    // Every live point is found as its own nearest neighbour; no removed one comes back.
    for (const [id, vector] of store.rows) expect(index.search(vector, 1)[0]?.chunkId).toBe(id);
    // Re-adding a live label updates it in place instead of taking a second slot.
    const [first] = store.rows.keys();
    index.add([{ chunkId: first!, vector: vectorFor(7) }]);
    expect(index.slots).toBe(200);
    expect(index.search(vectorFor(7), 1)[0]?.chunkId).toBe(first);
    // The compacted index survives a persist and a reload.
    store.gen = 2;
    await index.persist(2);
    const reloaded = await open(store);
    expect(reloaded.origin).toBe('loaded');
    expect(reloaded.size).toBe(200);
  });

  it('rebuilds when missing, then loads the persisted file', async () => {
    const store = new FakeStore(300);
    const built = await open(store);
    expect(built.origin).toBe('rebuilt');
    expect(built.size).toBe(300);
    expect(built.generation).toBe(1);
    expect(built.dirty).toBe(false);
    expect(fs.existsSync(file) && fs.existsSync(`${file}.meta.json`)).toBe(true);

    const loaded = await open(store);
    expect(loaded.origin).toBe('loaded');
    expect(loaded.size).toBe(300);
    expect(store.reads).toBe(1);
    const hits = loaded.search(vectorFor(42), 3);
    expect(hits[0]!.chunkId).toBe(42);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeLessThan(hits[0]!.score);
  });

  it('rebuilds when the generation, the model or the dimensions differ', async () => {
    const store = new FakeStore(50);
    await open(store);
    store.gen = 2;
    const stale = await open(store);
    expect(stale.origin).toBe('rebuilt');
    expect(stale.generation).toBe(2);
    expect((await open(store)).origin).toBe('loaded');

    const otherModel = new FakeStore(50, 'other');
    otherModel.gen = 2;
    const foreign = await VectorIndex.open({ file, dimensions: DIMS, model: 'other', store: otherModel });
    expect(foreign.origin).toBe('rebuilt');
    expect(foreign.model).toBe('other');
    expect(await VectorIndex.checkPersisted(file, { generation: 2, model: 'm', dimensions: DIMS })).toMatch(/model/);
    expect(await VectorIndex.checkPersisted(file, { generation: 2, model: 'other', dimensions: 4 })).toMatch(/dimensions/);
  });

  it('rebuilds when bytes of the file are flipped (checksum mismatch)', async () => {
    const store = new FakeStore(100);
    await open(store);
    const bytes = fs.readFileSync(file);
    for (let i = 100; i < bytes.length; i += 997) bytes[i] = bytes[i]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    expect(await VectorIndex.checkPersisted(file, { generation: 1, model: 'm', dimensions: DIMS })).toBe('checksum mismatch');
    const index = await open(store);
    expect(index.origin).toBe('rebuilt');
    expect(index.search(vectorFor(7), 1)[0]!.chunkId).toBe(7);
    expect((await open(store)).origin).toBe('loaded');
  });

  it('rebuilds a truncated file or a corrupt or missing sidecar', async () => {
    const store = new FakeStore(100);
    await open(store);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    expect((await open(store)).origin).toBe('rebuilt');
    fs.writeFileSync(`${file}.meta.json`, '{"format":1,');
    expect((await open(store)).origin).toBe('rebuilt');
    fs.rmSync(`${file}.meta.json`);
    expect((await open(store)).origin).toBe('rebuilt');
    expect((await open(store)).origin).toBe('loaded');
  });

  it('keeps the old index valid after a crash between writes', async () => {
    const store = new FakeStore(100);
    await open(store);
    // A crash mid-persist leaves temp files; they are never read, only cleaned up.
    fs.writeFileSync(`${file}.tmp-99999`, 'half written');
    fs.writeFileSync(`${file}.meta.json.tmp-99999`, '{');
    const index = await open(store);
    expect(index.origin).toBe('loaded');
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['index.hnsw', 'index.hnsw.meta.json']);
    // A crash after the index rename but before the sidecar: the checksum no longer matches → rebuilt.
    const other = new FakeStore(20);
    const small = await VectorIndex.open({ file: path.join(dir, 'other.hnsw'), dimensions: DIMS, model: 'm', store: other });
    expect(small.size).toBe(20);
    fs.copyFileSync(path.join(dir, 'other.hnsw'), file);
    expect((await open(store)).origin).toBe('rebuilt');
  });

  it('adds, replaces and removes points; persists deletions', async () => {
    const store = new FakeStore(10);
    const index = await open(store);
    index.add([{ chunkId: 1000, vector: vectorFor(1000) }]);
    expect(index.size).toBe(11);
    expect(index.dirty).toBe(true);
    expect(index.search(vectorFor(1000), 1)[0]!.chunkId).toBe(1000);

    index.remove([1000, 5, 123456, 5]);
    expect(index.size).toBe(9);
    expect(index.search(vectorFor(1000), 10).map((h) => h.chunkId)).not.toContain(1000);
    expect(index.search(vectorFor(5), 10).map((h) => h.chunkId)).not.toContain(5);
    expect(index.search(vectorFor(5), 100)).toHaveLength(9);

    // A chunk id reused by SQLite gets its new vector and comes back.
    index.add([{ chunkId: 5, vector: vectorFor(777) }]);
    expect(index.size).toBe(10);
    expect(index.search(vectorFor(777), 1)[0]).toMatchObject({ chunkId: 5 });
    expect(() => index.add([{ chunkId: 1, vector: new Float32Array(3) }])).toThrow(/dimensions/);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(/dimensions/);

    store.gen = 5;
    await index.persist(5);
    expect(index.dirty).toBe(false);
    expect(index.generation).toBe(5);
    const loaded = await open(store);
    expect(loaded.origin).toBe('loaded');
    expect(loaded.size).toBe(10);
    expect(loaded.search(vectorFor(1000), 20).map((h) => h.chunkId)).not.toContain(1000);
  });

  it('grows past its initial capacity', async () => {
    const store = new FakeStore(0);
    const index = await open(store);
    expect(index.size).toBe(0);
    expect(index.search(vectorFor(1), 5)).toEqual([]);
    index.add(Array.from({ length: 2500 }, (_, i) => ({ chunkId: i + 1, vector: vectorFor(i + 1) })));
    expect(index.size).toBe(2500);
    expect(index.search(vectorFor(2222), 1)[0]!.chunkId).toBe(2222);
    await index.persist(1);
    const reloaded = await open(store);
    expect(reloaded.origin).toBe('loaded');
    reloaded.add([{ chunkId: 5000, vector: vectorFor(5000) }]);
    expect(reloaded.size).toBe(2501);
  });

  it('an empty index round-trips', async () => {
    const store = new FakeStore(0);
    await open(store);
    const loaded = await open(store);
    expect(loaded.origin).toBe('loaded');
    loaded.add([{ chunkId: 1, vector: vectorFor(1) }]);
    expect(loaded.search(vectorFor(1), 3)).toHaveLength(1);
  });

  it('yields to the event loop while rebuilding and can be cancelled', async () => {
    const store = new FakeStore(2000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const index = await open(store, { yieldAfterMs: 0 });
    clearInterval(timer);
    expect(index.size).toBe(2000);
    expect(ticks).toBeGreaterThan(3);

    const controller = new AbortController();
    controller.abort();
    store.gen = 9;
    await expect(open(store, { signal: controller.signal, yieldAfterMs: 0 })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('finds the exact nearest neighbours on a small set', async () => {
    const store = new FakeStore(1000);
    const index = await open(store);
    for (const q of [3, 99, 512, 1000]) {
      const query = vectorFor(q * 31 + 7);
      const exact = [...store.rows]
        .map(([id, v]) => ({ id, s: v.reduce((sum, x, i) => sum + x * query[i]!, 0) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((r) => r.id);
      expect(index.search(query, 10).map((h) => h.chunkId)).toEqual(exact);
    }
  });
});
