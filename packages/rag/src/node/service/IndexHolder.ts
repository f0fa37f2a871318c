import { createHash } from 'node:crypto';
import path from 'node:path';
import type { EmbeddingModelInfo, Logger } from '@assistant/core/node';
import { VectorIndex } from '../index/VectorIndex.js';
import type { DocumentStore } from '../store/DocumentStore.js';

/** Persisting the index is a full rewrite: batch the changes of a busy ingestion into one write. */
const persistDelayMs = 3_000;

/**
 * The vector index of the current embedding model: opened (or rebuilt) once per model, changes persisted
 * a few seconds after they stop, and on shutdown. One file per model, so switching back is instant.
 */
export class IndexHolder {
  private index: VectorIndex | null = null;
  private opening: Promise<VectorIndex> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: { store: DocumentStore; folder: string; logger: Logger },
  ) {}

  current(): VectorIndex | null {
    return this.index;
  }

  /** The index for this model, opening or rebuilding it from the stored vectors first if needed. */
  async forModel(info: EmbeddingModelInfo, signal?: AbortSignal): Promise<VectorIndex> {
    if (this.index?.model === info.key) return this.index;
    if (this.opening) {
      const opened = await this.opening;
      if (opened.model === info.key) return opened;
    }
    await this.flush();
    const file = path.join(this.options.folder, `vectors-${createHash('sha256').update(info.key).digest('hex').slice(0, 16)}.hnsw`);
    this.opening = VectorIndex.open({ file, dimensions: info.dimensions, model: info.key, store: this.options.store, logger: this.options.logger, signal });
    try {
      this.index = await this.opening;
      return this.index;
    } finally {
      this.opening = null;
    }
  }

  /** Call after every change to stored embeddings (or documents that own them). */
  changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush().catch((error) => this.options.logger.warn('vector index not persisted', { error: String(error) })), persistDelayMs);
    this.timer.unref?.();
  }

  /**
   * Another process changed the stored vectors: forget this copy without saving it (saving would stamp it
   * current). The next use loads the file again, or rebuilds it from SQLite when it is stale.
   */
  discard(): void {
    clearTimeout(this.timer);
    this.index = null;
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    const index = this.index;
    if (index?.dirty) await index.persist(this.options.store.generation());
  }
}
