import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VectorIndex, type EmbeddingSource } from '@assistant/rag/node';
import hnswlib from 'hnswlib-node';
import { median, percentile, printReport, round } from './report.js';

const K = 10;

/**
 * Vector search on random unit vectors (seeded): the exact scan (Float32Array dot products, the baseline and
 * the ground truth), bare hnswlib-node, and our VectorIndex wrapper on the same graph (the wrapper builds and
 * persists it; bare hnswlib-node reads that file), queries interleaved so drift hits both. efSearch is swept
 * upwards until recall@10 reaches the target; the chosen value is then timed. Random vectors are the hard
 * case for HNSW (no clusters), so real embeddings need a smaller efSearch for the same recall.
 */
export async function runSearchBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string', default: '100000' },
      dims: { type: 'string', default: '384' },
      queries: { type: 'string', default: '200' },
      m: { type: 'string', default: '16' },
      'ef-construction': { type: 'string', default: '200' },
      target: { type: 'string', default: '0.99' },
      seed: { type: 'string', default: '42' },
      data: { type: 'string', default: 'lowrank' },
      rank: { type: 'string', default: '32' },
      noise: { type: 'string', default: '0.05' },
    },
  });
  const n = Number(values.n);
  const dims = Number(values.dims);
  const queryCount = Number(values.queries);
  const m = Number(values.m);
  const efConstruction = Number(values['ef-construction']);
  const target = Number(values.target);
  if (![n, dims, queryCount, m, efConstruction].every((x) => Number.isInteger(x) && x > 0) || n < K) throw new Error('--n, --dims, --queries, --m and --ef-construction must be positive integers (n ≥ 10).');

  const kind = values.data;
  const rank = Number(values.rank);
  const noise = Number(values.noise);
  if (kind !== 'lowrank' && kind !== 'uniform') throw new Error('--data is lowrank or uniform.');
  const random = mulberry32(Number(values.seed));
  const generate =
    kind === 'uniform'
      ? (count: number) => randomUnitVectors(count, dims, random)
      : lowRankGenerator(dims, rank, noise, random);
  const data = generate(n);
  const queries = generate(queryCount);
  const row = (i: number) => data.subarray(i * dims, (i + 1) * dims);
  const query = (q: number) => queries.subarray(q * dims, (q + 1) * dims);

  // Ground truth and the exact-scan baseline.
  const truth: Set<number>[] = [];
  const exactMs: number[] = [];
  for (let q = 0; q < queryCount; q++) {
    const start = performance.now();
    const top = exactTopK(data, n, dims, query(q), K);
    exactMs.push(performance.now() - start);
    truth.push(new Set(top));
  }

  // Build through the wrapper (the app's path: yields to the event loop every 500 points, then persists).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-search-'));
  const file = path.join(dir, 'index.hnsw');
  const source: EmbeddingSource = {
    generation: () => 1,
    embeddingCount: () => n,
    *embeddings() {
      for (let i = 0; i < n; i++) yield { chunkId: i, vector: row(i) };
    },
  };
  let start = performance.now();
  const index = await VectorIndex.open({ file, dimensions: dims, model: 'bench', store: source, m, efConstruction });
  const buildS = (performance.now() - start) / 1000;
  start = performance.now();
  await index.persist(1);
  const persistS = (performance.now() - start) / 1000;
  start = performance.now();
  const reopened = await VectorIndex.open({ file, dimensions: dims, model: 'bench', store: source, m, efConstruction });
  const loadS = (performance.now() - start) / 1000;
  if (reopened.origin !== 'loaded') throw new Error('the persisted index was not reused');

  const bare = new hnswlib.HierarchicalNSW('cosine', dims);
  await bare.readIndex(file);
  const bareSearch = (q: number) => bare.searchKnn(Array.from(query(q)), K).neighbors;
  const recallOf = (results: number[][]) => results.reduce((sum, ids, q) => sum + ids.filter((id) => truth[q]!.has(id)).length, 0) / (queryCount * K);

  // Sweep efSearch (bare hnswlib) until recall@10 reaches the target.
  const sweep: Record<string, string | number>[] = [];
  let chosen = 0;
  let chosenRecall = 0;
  for (const ef of [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]) {
    bare.setEf(ef);
    const times: number[] = [];
    const results: number[][] = [];
    for (let q = 0; q < queryCount; q++) {
      const t = performance.now();
      results.push(bareSearch(q));
      times.push(performance.now() - t);
    }
    const recall = recallOf(results);
    sweep.push({ efSearch: ef, 'recall@10': round(recall, 4), 'p50 ms': median(times), 'p95 ms': percentile(times, 95) });
    chosen = ef;
    chosenRecall = recall;
    if (recall >= target) break;
  }
  const dataLabel = kind === 'uniform' ? 'uniform on the sphere' : `rank-${rank} latent + ${noise} noise`;
  console.log(`efSearch sweep (bare hnswlib-node, M=${m}, efConstruction=${efConstruction}, n=${n}, dims=${dims}, data: ${dataLabel}):`);
  printTable(sweep);

  // The chosen efSearch, wrapper vs bare, interleaved.
  bare.setEf(chosen);
  index.efSearch = chosen;
  const timed = { bare: [] as number[], wrapper: [] as number[] };
  const found = { bare: [] as number[][], wrapper: [] as number[][] };
  for (let pass = 0; pass < 2; pass++) {
    for (let q = 0; q < queryCount; q++) {
      // Alternate which goes first: the second search of a query finds the same graph nodes in cache.
      let wrapperMs = 0;
      let bareMs = 0;
      let viaWrapper: number[] = [];
      let viaBare: number[] = [];
      const runWrapper = () => {
        const t = performance.now();
        viaWrapper = index.search(query(q), K).map((h) => h.chunkId);
        wrapperMs = performance.now() - t;
      };
      const runBare = () => {
        const t = performance.now();
        viaBare = bareSearch(q);
        bareMs = performance.now() - t;
      };
      if (q % 2 === 0) {
        runWrapper();
        runBare();
      } else {
        runBare();
        runWrapper();
      }
      // The first round warms caches; only the second is timed.
      if (pass === 1) {
        timed.wrapper.push(wrapperMs);
        timed.bare.push(bareMs);
        found.wrapper.push(viaWrapper);
        found.bare.push(viaBare);
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const stats = (times: number[]) => ({ p50: median(times), p95: percentile(times, 95) });
  const exact = stats(exactMs);
  const wrapper = stats(timed.wrapper);
  const plain = stats(timed.bare);
  const recall = { wrapper: recallOf(found.wrapper), bare: recallOf(found.bare) };
  printReport(
    'search',
    [
      { method: 'exact scan (Float32Array dot products)', 'recall@10': 1, 'p50 ms': exact.p50, 'p95 ms': exact.p95 },
      { method: `bare hnswlib-node (ef=${chosen})`, 'recall@10': round(recall.bare, 4), 'p50 ms': plain.p50, 'p95 ms': plain.p95 },
      { method: `VectorIndex (ef=${chosen})`, 'recall@10': round(recall.wrapper, 4), 'p50 ms': wrapper.p50, 'p95 ms': wrapper.p95 },
    ],
    {
      n,
      dims,
      data: dataLabel,
      queries: queryCount,
      m,
      ef_construction: efConstruction,
      ef_search: chosen,
      recall_target: target,
      recall_target_met: chosenRecall >= target ? 'yes' : 'no',
      build_s: round(buildS, 2),
      persist_s: round(persistS, 3),
      load_s: round(loadS, 3),
      recall_at_10: round(recall.wrapper, 4),
      bare_recall_at_10: round(recall.bare, 4),
      exact_p50_ms: round(exact.p50),
      exact_p95_ms: round(exact.p95),
      bare_p50_ms: round(plain.p50),
      bare_p95_ms: round(plain.p95),
      wrapper_p50_ms: round(wrapper.p50),
      wrapper_p95_ms: round(wrapper.p95),
      wrapper_vs_bare_p50_ratio: round(wrapper.p50 / plain.p50),
      wrapper_vs_bare_p95_ratio: round(wrapper.p95 / plain.p95),
      hnsw_vs_exact_p50_ratio: round(wrapper.p50 / exact.p50, 4),
    },
  );
}

function printTable(rows: Record<string, string | number>[]): void {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(columns));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c] ?? ''))));
  console.log('');
}

/** Indices of the k largest dot products: the tight loop of an exact scan. */
function exactTopK(data: Float32Array, n: number, dims: number, query: Float32Array, k: number): number[] {
  const ids: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const offset = i * dims;
    for (let j = 0; j < dims; j++) sum += data[offset + j]! * query[j]!;
    if (ids.length === k && sum <= scores[k - 1]!) continue;
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && scores[at - 1]! < sum) {
      if (at < k) {
        scores[at] = scores[at - 1]!;
        ids[at] = ids[at - 1]!;
      }
      at--;
    }
    scores[at] = sum;
    ids[at] = i;
  }
  return ids;
}

/**
 * Unit vectors near a random rank-r subspace (x = normalize(A·z + noise)), like text embeddings: hundreds
 * of coordinates but a low intrinsic dimension. Uniform random vectors have none, so there every point is
 * almost equally far from a query and any graph index needs an efSearch close to a full scan.
 */
function lowRankGenerator(dims: number, rank: number, noise: number, random: () => number): (count: number) => Float32Array {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const basis = Float32Array.from({ length: dims * rank }, gauss);
  return (count) => {
    const out = new Float32Array(count * dims);
    const z = new Float32Array(rank);
    for (let i = 0; i < count; i++) {
      for (let r = 0; r < rank; r++) z[r] = gauss();
      let norm = 0;
      for (let j = 0; j < dims; j++) {
        let x = 0;
        for (let r = 0; r < rank; r++) x += basis[j * rank + r]! * z[r]!;
        x = x / Math.sqrt(rank) + noise * gauss();
        out[i * dims + j] = x;
        norm += x * x;
      }
      const scale = 1 / Math.sqrt(norm);
      for (let j = 0; j < dims; j++) out[i * dims + j]! *= scale;
    }
    return out;
  };
}

function randomUnitVectors(count: number, dims: number, random: () => number): Float32Array {
  const out = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      // Box–Muller: a Gaussian per coordinate makes the direction uniform on the sphere.
      const x = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      out[i * dims + j] = x;
      norm += x * x;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < dims; j++) out[i * dims + j]! *= scale;
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
