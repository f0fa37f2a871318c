import type { Database } from 'better-sqlite3';
import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { DocumentsChanged } from '../../common/contract/documentSchemas.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import type { Citation, Passage } from '../../common/contract/passageSchemas.js';
import type { DocumentsState } from '../../common/contract/schemas.js';
import type { Event } from '../../common/disposable.js';
import type { Logger } from '../logger.js';
import type { AppPaths } from '../paths.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerLauncher } from '../workers/WorkerLauncher.js';
import type { EmbeddingModelService } from './EmbeddingModelService.js';

export type DocumentMethods = 'documents.list' | 'documents.add' | 'documents.upload' | 'documents.remove' | 'documents.reindex' | 'documents.cancel' | 'documents.search' | 'documents.passage';

/**
 * The user's documents as the host sees them. packages/rag implements it (ingest worker, SQLite store,
 * vector index, retriever); the host only composes it, so core does not depend on rag.
 */
export interface DocumentLibrary {
  readonly handlers: Pick<ContractHandlers<HostContract>, DocumentMethods>;
  readonly state: DocumentsState;
  readonly onDidChangeDocument: Event<DocumentsChanged>;
  /** Counts, the ingest worker's state or the embedding model changed. */
  readonly onDidChangeState: Event<void>;
  /** Candidate passages for a question, cut into sentences, the matching ones ranked; none when nothing is relevant. */
  ground(question: string, options?: GroundOptions): Promise<GroundingCandidates>;
  /** The answer without a chat model: the passages themselves, cited. */
  retrievalOnlyAnswer(question: string, citations: readonly Citation[]): string;
  retryWorker(): Promise<void>;
  /**
   * Another process (the CLI) changed the stored documents: what differs from what this library last
   * announced, to show it, and a vector index it made stale is dropped.
   */
  changedOutside?(): { changes: DocumentsChanged[]; added: number; removed: number };
  dispose(): Promise<void>;
}

export interface GroundOptions {
  /** The conversation so far: a follow-up question is searched with the questions before it. */
  history?: readonly { role: 'user' | 'assistant'; text: string }[];
  signal?: AbortSignal;
}

/** What the grounding step hands the packer (the inference worker, or packPassages with an estimate). */
export interface GroundingCandidates {
  /** Passages as stored (offsets and text of the whole passage), each cut into sentences, with its citation label. */
  passages: (Passage & { label: string; sentences: [number, number][] })[];
  /** Matching sentences, best first, as [passage, sentence] indexes. */
  ranked: [number, number][];
  /** What was searched: the question, with the earlier ones a follow-up carries (what a reranker should judge against). */
  query: string;
}

export interface DocumentLibraryContext {
  db: Database;
  paths: AppPaths;
  settings: SettingsStore;
  embeddings: EmbeddingModelService;
  launcher: WorkerLauncher;
  logger: Logger;
  now?: () => number;
  breaker?: { failureThreshold?: number; openMs?: number };
}

export type DocumentLibraryFactory = (context: DocumentLibraryContext) => Promise<DocumentLibrary>;
