import type { Database, Statement } from 'better-sqlite3';

/** A model's stored key and dimensions, as recorded the last time it ran. */
export interface KnownEmbeddingKey {
  key: string;
  name: string;
  dimensions: number;
}

/**
 * The key stored beside each vector, per model identity (name and file size, or a remote model's URL and
 * name). The key includes the dimensions, which only running the model reveals; remembering it lets a
 * fresh process search stored vectors at once, loading the model only to embed the query.
 */
export class EmbeddingKeyStore {
  private readonly select: Statement;
  private readonly upsert: Statement;

  constructor(db: Database) {
    this.select = db.prepare(`SELECT key, name, dimensions FROM embedding_keys WHERE identity = ?`);
    this.upsert = db.prepare(`INSERT INTO embedding_keys (identity, key, name, dimensions) VALUES (?, ?, ?, ?) ON CONFLICT(identity) DO UPDATE SET key = excluded.key, name = excluded.name, dimensions = excluded.dimensions`);
  }

  get(identity: string): KnownEmbeddingKey | null {
    return (this.select.get(identity) as KnownEmbeddingKey | undefined) ?? null;
  }

  put(identity: string, known: KnownEmbeddingKey): void {
    this.upsert.run(identity, known.key, known.name, known.dimensions);
  }
}
