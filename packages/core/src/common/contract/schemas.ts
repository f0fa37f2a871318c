import { z } from 'zod';
import { ErrorCode } from '../errors.js';
import { citationSchema } from './passageSchemas.js';

const id = z.string().min(1).max(100);

export const errorPayloadSchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

export const conversationSchema = z.object({
  id,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messageCount: z.number().int(),
});
export type Conversation = z.output<typeof conversationSchema>;

/** A conversation found by the sidebar's search: by its title, or by a message (with the words around the match). */
export const conversationSearchHitSchema = z.object({
  conversation: conversationSchema,
  /** The best matching message, or null when only the title matched. */
  messageId: id.nullable(),
  /** That message's text around the match, in pieces (`match`: a word searched for); empty when only the title matched. */
  snippet: z.array(z.object({ text: z.string(), match: z.boolean() })),
});
export type ConversationSearchHit = z.output<typeof conversationSearchHitSchema>;

export const messageStatusSchema = z.enum(['complete', 'streaming', 'cancelled', 'error', 'interrupted']);
export type MessageStatus = z.output<typeof messageStatusSchema>;

/**
 * Why a reply did not use the user's documents although there are some: none matched the question
 * (`noMatch`), or no passage fitted the passage budget and the context (`noRoom`). Null otherwise.
 */
export const messageGroundingSchema = z.enum(['noMatch', 'noRoom']);
export type MessageGrounding = z.output<typeof messageGroundingSchema>;

/** Why a reply ended: the end of the answer, the reply-length or time limit, the user's Stop, a failure, or no chat model. */
export const replyStopReasonSchema = z.enum(['eos', 'maxTokens', 'timeLimit', 'cancelled', 'error', 'retrievalOnly']);
export type ReplyStopReason = z.output<typeof replyStopReasonSchema>;

/** What one reply cost: stored with it, shown under it on demand, printed by `ask --json`, observed by /metrics. */
export const messageStatsSchema = z.object({
  /** From the question reaching the host to the reply's first token, in ms; null when no token came. */
  ttftMs: z.number().nullable(),
  /** Reply tokens per second after the first one; null with fewer than two tokens. */
  tokensPerSecond: z.number().nullable(),
  /** Prompt tokens the engine evaluated for this reply. */
  promptTokens: z.number().int(),
  /** Prompt tokens taken from the context's cache instead of being evaluated again. */
  cachedTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Document passages the model read, and their tokens. */
  passages: z.number().int(),
  passageTokens: z.number().int(),
  /** Time the search for passages took, in ms; null when there was no search. */
  retrievalMs: z.number().nullable(),
  /** Oldest messages left out because the history did not fit the context. */
  trimmedMessages: z.number().int(),
  /** From the question reaching the host to the end of the reply, in ms. */
  totalMs: z.number(),
  stopReason: replyStopReasonSchema,
});
export type MessageStats = z.output<typeof messageStatsSchema>;

export const messageSchema = z.object({
  id,
  conversationId: id,
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  status: messageStatusSchema,
  error: errorPayloadSchema.nullable(),
  /** Sources the reply cites as [n]; empty when it used no documents. */
  citations: z.array(citationSchema).default([]),
  grounding: messageGroundingSchema.nullable().default(null),
  /** A reply's cost (null for user messages and replies stored before stats existed). */
  stats: messageStatsSchema.nullable().default(null),
  createdAt: z.number(),
});
export type Message = z.output<typeof messageSchema>;

export const modelKindSchema = z.enum(['chat', 'embedding', 'stt', 'tts', 'vad', 'reranker']);
export type ModelKind = z.output<typeof modelKindSchema>;

export const installedModelSchema = z.object({
  /** Manifest id for known models, otherwise the GGUF's path relative to the models folder, without extension. */
  name: z.string(),
  kinds: z.array(modelKindSchema),
  /** The main file (GGUF) or the model's folder. */
  path: z.string(),
  sizeBytes: z.number(),
  fromManifest: z.boolean(),
});
export type InstalledModel = z.output<typeof installedModelSchema>;

export const catalogModelSchema = z.object({
  id: z.string(),
  kind: modelKindSchema,
  title: z.string(),
  description: z.string(),
  sizeBytes: z.number(),
  installed: z.boolean(),
});
export type CatalogModel = z.output<typeof catalogModelSchema>;

export const pullProgressSchema = z.object({
  model: z.string(),
  file: z.string(),
  receivedBytes: z.number(),
  /** 0 when the server does not say. */
  totalBytes: z.number(),
});
export type PullProgress = z.output<typeof pullProgressSchema>;

export const breakerStateSchema = z.enum(['closed', 'open', 'half-open']);

export const workerStateSchema = z.object({
  name: z.string(),
  status: z.enum(['stopped', 'starting', 'ready', 'crashed', 'unavailable']),
  breaker: breakerStateSchema,
  restarts: z.number().int(),
  /** Failures since the last success; the circuit opens at the threshold. */
  consecutiveFailures: z.number().int(),
  lastError: z.string().nullable(),
  /** When the breaker is open: epoch ms of the next automatic probe. */
  retryAt: z.number().nullable(),
});
export type WorkerState = z.output<typeof workerStateSchema>;

export const modelStateSchema = z.object({
  status: z.enum(['none', 'idle', 'loading', 'ready', 'error']),
  name: z.string().nullable(),
  path: z.string().nullable(),
  threads: z.number().int().nullable(),
  contextSize: z.number().int().nullable(),
  error: errorPayloadSchema.nullable(),
});
export type ModelState = z.output<typeof modelStateSchema>;

export const documentsStateSchema = z.object({
  /** Documents that can be searched. */
  ready: z.number().int(),
  /** Documents queued, being parsed or embedded. */
  indexing: z.number().int(),
  failed: z.number().int(),
  ingest: workerStateSchema,
  /** The embedding model's name, or null: then search uses keywords only. */
  embeddingModel: z.string().nullable(),
  /**
   * Share of probe sentences whose own passage the embedding model found (top 10) on this collection, and
   * the resulting multiplier of the vector weight in hybrid search; null until measured.
   */
  embeddingReliability: z.object({ hitRate: z.number(), weightFactor: z.number() }).nullable(),
  /** How a hybrid search runs now: with vectors, or keywords only and why (e.g. no embedding model). */
  search: z.object({ mode: z.enum(['hybrid', 'keywords']), reason: z.string().nullable() }),
});
export type DocumentsState = z.output<typeof documentsStateSchema>;

export const appStateSchema = z.object({
  version: z.string(),
  modelsDir: z.string(),
  inference: workerStateSchema,
  chatModel: modelStateSchema,
  /** True when no chat model is installed: the UI shows the setup screen. */
  setupNeeded: z.boolean(),
  documents: documentsStateSchema,
});
export type AppState = z.output<typeof appStateSchema>;

/** Every worker contract declares this event; the supervisor waits for it before using the worker. */
export const workerReadySchema = z.object({ pid: z.number().int() });
