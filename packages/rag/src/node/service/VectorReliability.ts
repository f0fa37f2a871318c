import type { Database } from 'better-sqlite3';
import type { Logger } from '@assistant/core/node';
import type { VectorIndex } from '../index/VectorIndex.js';

export interface ReliabilityProbeOptions {
  db: Database;
  index: VectorIndex;
  model: string;
  embed: (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]>;
  logger: Logger;
  signal?: AbortSignal;
  /** Chunks probed. */
  samples?: number;
}

export interface Reliability {
  model: string;
  /** Embedded chunks when measured: a collection that grew a lot is measured again. */
  chunks: number;
  /** Share of probes whose source chunk came back in the vector top 10. */
  hitRate: number;
  /** Probe sentences embedded (0 when the collection was too small to measure, and the model is trusted). */
  probes: number;
  /** What the vector list's fusion weight is multiplied by (0 to 1). */
  factor: number;
}

/** Below this hit rate the vectors are no better than noise for this collection. */
const uselessHitRate = 0.2;

/**
 * How much to trust the embedding model on this collection, measured rather than assumed: a sentence taken
 * from a stored passage is embedded and searched, and a useful model finds that passage in its top 10.
 * Reciprocal rank fusion gives an uninformative vector list as much say as BM25, so a weak model (or one
 * for another language) would make hybrid search worse than keywords alone; scaled by this factor it
 * cannot, while a good model keeps nearly its full weight.
 */
export async function probeReliability(options: ReliabilityProbeOptions): Promise<Reliability> {
  const samples = options.samples ?? 40;
  // Ids first (a scan of small keys), then the texts of the few sampled: sorting whole rows by a hash would
  // read every passage's text.
  const ids = options.db
    .prepare(
      `SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE d.status = 'ready' AND c.embedding_model = ? ORDER BY (c.id * 2654435761) % 4294967296 LIMIT ?`,
    )
    .pluck()
    .all(options.model, samples * 2) as number[];
  const rows = options.db.prepare(`SELECT id, text FROM chunks WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as { id: number; text: string }[];
  const chunks = options.index.size;
  const probes = rows.flatMap((row) => {
    const sentence = probeSentence(row.text);
    return sentence ? [{ id: row.id, sentence }] : [];
  }).slice(0, samples);
  if (probes.length < 5 || chunks < 20) return { model: options.model, chunks, hitRate: 1, probes: 0, factor: 1 };
  const vectors = await options.embed(probes.map((probe) => probe.sentence), options.signal);
  let hits = 0;
  probes.forEach((probe, i) => {
    if (options.index.search(vectors[i]!, 10).some((hit) => hit.chunkId === probe.id)) hits++;
  });
  const hitRate = hits / probes.length;
  const factor = Math.max(0, Math.min(1, (hitRate - uselessHitRate) / (0.9 - uselessHitRate)));
  options.logger.info('embedding model reliability measured', { model: options.model, probes: probes.length, hitRate, factor });
  return { model: options.model, chunks, hitRate, probes: probes.length, factor };
}

/** A middle sentence of 6 to 25 words: a question-sized piece of the passage. */
function probeSentence(text: string): string | null {
  const sentences = text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.split(' ').slice(0, 25).join(' '))
    .filter((sentence) => sentence.split(' ').length >= 6);
  return sentences[Math.floor(sentences.length / 2)] ?? null;
}
