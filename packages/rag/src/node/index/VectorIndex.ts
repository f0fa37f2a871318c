import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode } from '@assistant/core';
import { silentLogger, type Logger } from '@assistant/core/node';
import hnswlib from 'hnswlib-node';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

/** What the index is derived from: the document store (or anything with the same two reads). */
export interface EmbeddingSource {
  generation(): number;
  embeddings(model: string): Iterable<{ chunkId: number; vector: Float32Array }>;
  /** Optional: sizes the index up front instead of growing it. */
  embeddingCount?(model: string): number;
}

export interface VectorIndexParameters {
  /** Graph degree (hnswlib M). */
  m: number;
  efConstruction: number;
  /** Minimum search breadth; a search uses max(efSearch, k * 4). */
  efSearch: number;
}

/**
 * Measured with `npm run bench -- search` (100k × 384-dim unit vectors of intrinsic rank 32, like text
 * embeddings): M=16, efConstruction=200 and efSearch=256 give recall@10 = 0.996 at ~2.7 ms a query, where
 * efSearch=64 gives 0.87 and 128 gives 0.96.
 */
export const defaultVectorIndexParameters: VectorIndexParameters = { m: 16, efConstruction: 200, efSearch: 256 };

export interface OpenVectorIndexOptions extends Partial<VectorIndexParameters> {
  /** The index file; its metadata goes beside it in `<file>.meta.json`. */
  file: string;
  dimensions: number;
  /** Embedding model id: an index of another model's vectors is never used. */
  model: string;
  store: EmbeddingSource;
  logger?: Logger;
  signal?: AbortSignal;
  /** Longest stretch of rebuilding between yields to the event loop, in ms. */
  yieldAfterMs?: number;
}

interface Sidecar {
  format: 1;
  generation: number;
  model: string;
  dimensions: number;
  /** Points in the file, deleted ones included (hnswlib's element count). */
  count: number;
  /** Labels marked deleted in the file. */
  deleted: number[];
  sha256: string;
  m: number;
  efConstruction: number;
}

/**
 * The hnswlib index over chunk embeddings (labels = chunk ids, cosine similarity). A derived accelerator:
 * SQLite holds the vectors, so a missing, stale (other generation), foreign (other model or dimensions),
 * corrupt or truncated index file is rebuilt from the store, never used. Writes are atomic (temp file, fsync,
 * rename, fsync the folder), index first and metadata second; the metadata carries the file's sha256, so a
 * crash between the two leaves a mismatch that means "rebuild", never a wrong answer.
 */
export class VectorIndex {
  /** Whether open() loaded the persisted file or rebuilt it. */
  readonly origin: 'loaded' | 'rebuilt';
  private deleted: Set<number>;
  private persisting: Promise<void> = Promise.resolve();
  private changed = false;
  /** Labels in the graph, live or deleted (may still hold labels whose slot was reused). */
  private labels: Set<number> | null = null;
  /** Deleted slots reused since the last reconcile(): `deleted` holds that many labels no longer in the graph. */
  private reusedSlots = 0;
  private storeGeneration: number;

  private constructor(
    private readonly hnsw: Hnsw,
    private readonly file: string,
    readonly model: string,
    readonly dimensions: number,
    private readonly parameters: VectorIndexParameters,
    generation: number,
    deleted: Iterable<number>,
    origin: 'loaded' | 'rebuilt',
    private readonly logger: Logger,
  ) {
    this.storeGeneration = generation;
    this.deleted = new Set(deleted);
    this.origin = origin;
  }

  static async open(options: OpenVectorIndexOptions): Promise<VectorIndex> {
    const { file, dimensions, model, store } = options;
    const logger = options.logger ?? silentLogger;
    const parameters: VectorIndexParameters = {
      m: options.m ?? defaultVectorIndexParameters.m,
      efConstruction: options.efConstruction ?? defaultVectorIndexParameters.efConstruction,
      efSearch: options.efSearch ?? defaultVectorIndexParameters.efSearch,
    };
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new AssistantError(ErrorCode.InvalidInput, `Invalid vector dimensions: ${dimensions}.`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    removeLeftoverTemps(file);

    const generation = store.generation();
    const reason = await VectorIndex.checkPersisted(file, { generation, model, dimensions });
    if (reason === null) {
      try {
        const sidecar = readSidecar(file)!;
        const hnsw = new HierarchicalNSW('cosine', dimensions);
        await hnsw.readIndex(file, true);
        if (hnsw.getCurrentCount() !== sidecar.count || hnsw.getNumDimensions() !== dimensions) throw new Error('point count or dimensions differ from the metadata');
        hnsw.setEf(parameters.efSearch);
        const params = { ...parameters, m: sidecar.m, efConstruction: sidecar.efConstruction };
        logger.info('vector index loaded', { file, points: sidecar.count - sidecar.deleted.length, generation });
        return new VectorIndex(hnsw, file, model, dimensions, params, generation, sidecar.deleted, 'loaded', logger);
      } catch (error) {
        logger.warn('vector index unreadable, rebuilding', { file, error: (error as Error).message });
      }
    } else {
      logger.info('vector index rebuild', { file, reason });
    }
    const index = await VectorIndex.build(options, parameters, logger);
    await index.persist(index.storeGeneration);
    return index;
  }

  /** Why the persisted index cannot be used, or null when it can (metadata matches and sha256 verifies). */
  static async checkPersisted(file: string, expected: { generation: number; model: string; dimensions: number }): Promise<string | null> {
    if (!fs.existsSync(file)) return 'missing';
    const sidecar = readSidecar(file);
    if (!sidecar) return 'no or unreadable metadata';
    if (sidecar.model !== expected.model) return `model ${sidecar.model}, expected ${expected.model}`;
    if (sidecar.dimensions !== expected.dimensions) return `dimensions ${sidecar.dimensions}, expected ${expected.dimensions}`;
    if (sidecar.generation !== expected.generation) return `stale: generation ${sidecar.generation}, store at ${expected.generation}`;
    try {
      if ((await sha256File(file)) !== sidecar.sha256) return 'checksum mismatch';
    } catch (error) {
      return `unreadable: ${(error as Error).message}`;
    }
    return null;
  }

  private static async build(options: OpenVectorIndexOptions, parameters: VectorIndexParameters, logger: Logger): Promise<VectorIndex> {
    const { store, model, dimensions, signal } = options;
    const yieldAfterMs = options.yieldAfterMs ?? 10;
    const started = performance.now();
    const generation = store.generation();
    const hnsw = new HierarchicalNSW('cosine', dimensions);
    hnsw.initIndex({ maxElements: Math.max(1024, store.embeddingCount?.(model) ?? 0), m: parameters.m, efConstruction: parameters.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    hnsw.setEf(parameters.efSearch);
    const index = new VectorIndex(hnsw, options.file, model, dimensions, parameters, generation, [], 'rebuilt', logger);
    // Each point costs about efConstruction distance computations: yield by time, not by count, so the host
    // (Electron's main process) never stalls for more than a few ms whatever the graph's parameters.
    let lastYield = performance.now();
    let skipped = 0;
    let added = 0;
    for (const row of store.embeddings(model)) {
      if (row.vector.length !== dimensions) {
        skipped++;
        continue;
      }
      index.addOne(row.chunkId, row.vector);
      if (++added % 8 === 0 && performance.now() - lastYield >= yieldAfterMs) {
        await new Promise(setImmediate);
        lastYield = performance.now();
        if (signal?.aborted) throw new AssistantError(ErrorCode.Cancelled, 'Vector index rebuild cancelled.');
      }
    }
    // Writes during the rebuild may have been missed: keep the generation read before it, so the persisted
    // file is known stale and rebuilt next time (search results are re-scored from the store meanwhile).
    if (store.generation() !== generation) logger.warn('vector index changed during rebuild', { generation, now: store.generation() });
    if (skipped) logger.warn('vector index skipped vectors of other dimensions', { skipped, dimensions });
    logger.info('vector index rebuilt', { points: index.size, ms: Math.round(performance.now() - started) });
    return index;
  }

  /** Graph parameters (as built) and the current efSearch. */
  get settings(): Readonly<VectorIndexParameters> {
    return { ...this.parameters };
  }

  /** Live points (deleted ones excluded). */
  get size(): number {
    this.reconcile();
    return this.hnsw.getCurrentCount() - this.deleted.size;
  }

  /** Slots in the graph: live points plus deleted ones not yet reused. */
  get slots(): number {
    return this.hnsw.getCurrentCount();
  }

  /** The store generation this index reflects (as of open or the last persist). */
  get generation(): number {
    return this.storeGeneration;
  }

  /** Minimum search breadth (hnswlib ef); a search of k uses max(efSearch, 4k). */
  get efSearch(): number {
    return this.parameters.efSearch;
  }

  set efSearch(ef: number) {
    if (!Number.isInteger(ef) || ef < 1) throw new AssistantError(ErrorCode.InvalidInput, `Invalid efSearch ${ef}.`);
    this.parameters.efSearch = ef;
  }

  /** Whether there are changes since the last persist. */
  get dirty(): boolean {
    return this.changed;
  }

  /** Adds or replaces points (a label already present gets the new vector). */
  add(rows: Iterable<{ chunkId: number; vector: Float32Array }>): void {
    for (const row of rows) {
      if (row.vector.length !== this.dimensions) throw new AssistantError(ErrorCode.InvalidInput, `Vector of ${row.vector.length} dimensions for an index of ${this.dimensions}.`);
      this.addOne(row.chunkId, row.vector);
    }
  }

  /** Marks points deleted; unknown or already deleted ids are ignored. */
  remove(chunkIds: Iterable<number>): void {
    for (const id of chunkIds) {
      if (this.deleted.has(id)) continue;
      try {
        this.hnsw.markDelete(id);
        this.deleted.add(id);
        this.changed = true;
      } catch {
        // Not in the index.
      }
    }
  }

  /** The k nearest points by cosine similarity (score = cosine, higher is better). */
  search(vector: Float32Array, k: number): { chunkId: number; score: number }[] {
    if (vector.length !== this.dimensions) throw new AssistantError(ErrorCode.InvalidInput, `Query of ${vector.length} dimensions for an index of ${this.dimensions}.`);
    const live = this.size;
    if (k <= 0 || live === 0) return [];
    const wanted = Math.min(k + (this.deleted.size > 0 ? Math.min(this.deleted.size, k) : 0), live);
    this.hnsw.setEf(Math.max(this.parameters.efSearch, k * 4, wanted));
    const { neighbors, distances } = this.hnsw.searchKnn(Array.from(vector), wanted);
    const hits: { chunkId: number; score: number }[] = [];
    for (let i = 0; i < neighbors.length && hits.length < k; i++) {
      if (!this.deleted.has(neighbors[i]!)) hits.push({ chunkId: neighbors[i]!, score: 1 - distances[i]! });
    }
    return hits;
  }

  /**
   * Writes the index atomically, recording that it reflects store generation `generation`. Concurrent calls
   * run one after the other.
   */
  persist(generation: number): Promise<void> {
    const run = this.persisting.then(() => this.write(generation));
    this.persisting = run.catch(() => undefined);
    return run;
  }

  private async write(generation: number): Promise<void> {
    const suffix = `${process.pid}-${++writes}`;
    const tmp = `${this.file}.tmp-${suffix}`;
    this.reconcile();
    const count = this.hnsw.getCurrentCount();
    const deleted = [...this.deleted];
    // hnswlib cannot write an index with no points (it was never initialised past zero): still valid to read.
    await this.hnsw.writeIndex(tmp);
    await fsyncFile(tmp);
    const sha256 = await sha256File(tmp);
    await fs.promises.rename(tmp, this.file);
    const sidecar: Sidecar = { format: 1, generation, model: this.model, dimensions: this.dimensions, count, deleted, sha256, m: this.parameters.m, efConstruction: this.parameters.efConstruction };
    const sidecarTmp = `${sidecarPath(this.file)}.tmp-${suffix}`;
    await fs.promises.writeFile(sidecarTmp, JSON.stringify(sidecar));
    await fsyncFile(sidecarTmp);
    await fs.promises.rename(sidecarTmp, sidecarPath(this.file));
    await fsyncDirectory(path.dirname(this.file));
    this.storeGeneration = generation;
    this.changed = false;
    this.logger.debug('vector index persisted', { file: this.file, generation, points: count - deleted.length });
  }

  /**
   * A new label takes the slot of a deleted point when there is one, so an index whose documents are removed
   * and re-added does not grow for ever. A label already in the graph (live or deleted) is updated in place:
   * hnswlib would otherwise give it a second slot.
   */
  private addOne(chunkId: number, vector: Float32Array): void {
    if (!Number.isInteger(chunkId) || chunkId < 0 || chunkId > 0xffffffff) throw new AssistantError(ErrorCode.InvalidInput, `Invalid chunk id ${chunkId}.`);
    this.labels ??= new Set(this.hnsw.getIdsList());
    if (this.deleted.has(chunkId)) {
      // Rare (a removed chunk comes back): find out whether its slot is still there, then revive it.
      this.reconcile();
      if (this.deleted.delete(chunkId)) this.hnsw.unmarkDelete(chunkId);
    }
    // A label the set still holds may have lost its slot to a reuse: a plain add is right either way.
    const reuse = !this.labels.has(chunkId) && this.deleted.size - this.reusedSlots > 0;
    if (!reuse && this.hnsw.getCurrentCount() >= this.hnsw.getMaxElements()) this.hnsw.resizeIndex(Math.max(1024, this.hnsw.getMaxElements() * 2));
    this.hnsw.addPoint(Array.from(vector), chunkId, reuse);
    if (reuse) this.reusedSlots++;
    this.labels.add(chunkId);
    this.changed = true;
  }

  /** Deleted labels whose slots were reused are gone from the graph; hnswlib does not say which, so ask it. */
  private reconcile(): void {
    if (this.reusedSlots === 0) return;
    const present = new Set(this.hnsw.getIdsList());
    for (const id of this.deleted) if (!present.has(id)) this.deleted.delete(id);
    this.labels = present;
    this.reusedSlots = 0;
  }
}

let writes = 0;

function sidecarPath(file: string): string {
  return `${file}.meta.json`;
}

function readSidecar(file: string): Sidecar | null {
  try {
    const value = JSON.parse(fs.readFileSync(sidecarPath(file), 'utf8')) as Partial<Sidecar>;
    const valid =
      value.format === 1 &&
      typeof value.generation === 'number' &&
      typeof value.model === 'string' &&
      typeof value.dimensions === 'number' &&
      typeof value.count === 'number' &&
      Array.isArray(value.deleted) &&
      value.deleted.every((id) => typeof id === 'number') &&
      typeof value.sha256 === 'string' &&
      typeof value.m === 'number' &&
      typeof value.efConstruction === 'number';
    return valid ? (value as Sidecar) : null;
  } catch {
    return null;
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  // Not possible on Windows (opening a folder fails), where rename is already durable enough.
  const handle = await fs.promises.open(directory, 'r').catch(() => null);
  try {
    await handle?.sync();
  } catch {
    // Best effort.
  } finally {
    await handle?.close();
  }
}

/** Temp files left by a crash mid-write (another process): never read, only removed. */
function removeLeftoverTemps(file: string): void {
  const directory = path.dirname(file);
  const prefixes = [`${path.basename(file)}.tmp-`, `${path.basename(sidecarPath(file))}.tmp-`];
  for (const name of fs.readdirSync(directory)) {
    const mine = prefixes.some((prefix) => name.startsWith(`${prefix}${process.pid}-`));
    if (!mine && prefixes.some((prefix) => name.startsWith(prefix))) fs.rmSync(path.join(directory, name), { force: true });
  }
}
