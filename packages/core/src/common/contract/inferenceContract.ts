import { z } from 'zod';
import { defineContract, event, method, stream } from './defineContract.js';
import { workerReadySchema } from './schemas.js';

export const loadModelInputSchema = z.object({
  modelPath: z.string().min(1),
  /** 0: chosen from the machine's cores and the model's size. */
  threads: z.number().int().min(0),
  /** 0: the model's training context, capped at `maxAutoContextSize`. */
  contextSize: z.number().int().min(0),
  maxAutoContextSize: z.number().int().min(1).default(4096),
  /** Context sequences: conversations (and API clients) whose evaluated prompt is kept for their next turn. */
  sequences: z.number().int().min(1).max(8).default(1),
});

export const loadedModelSchema = z.object({
  modelPath: z.string(),
  threads: z.number().int(),
  contextSize: z.number().int(),
  trainContextSize: z.number().int(),
  sizeBytes: z.number(),
  sequences: z.number().int(),
});
export type LoadedModel = z.output<typeof loadedModelSchema>;

const offset = z.number().int().min(0);

/**
 * Bounds of a grounding request. The code that builds one keeps within them (citationLabel shortens a
 * label, the sentence selection joins sentences and cuts the ranking), so no document fails a turn here.
 */
export const groundingLimits = {
  labelChars: 200,
  passageChars: 20_000,
  sentencesPerPassage: 1000,
  ranked: 1000,
  passages: 64,
} as const;

/** A candidate passage for the worker to pack (see common/chat/packPassages.ts). */
export const groundingPassageSchema = z.object({
  label: z.string().max(groundingLimits.labelChars),
  text: z.string().max(groundingLimits.passageChars),
  /** Sentence spans within `text`, in order, as [start, end). */
  sentences: z.array(z.tuple([offset, offset])).min(1).max(groundingLimits.sentencesPerPassage),
});

export const packedPassageSchema = z.object({ index: offset, sentences: z.array(offset), cutAt: offset.optional() });

/**
 * Who is waiting: the user's live turn (typed or spoken) comes first, then local API requests, then
 * background work (embedding backfill). The worker evaluates higher priorities first.
 */
export const workPrioritySchema = z.enum(['user', 'api', 'background']);
export type WorkPriority = z.output<typeof workPrioritySchema>;

export const generateInputSchema = z.object({
  systemPrompt: z.string(),
  history: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })),
  /** The user's message; with `grounding`, the question the sources are put before. */
  prompt: z.string().min(1),
  maxTokens: z.number().int().min(1),
  temperature: z.number().min(0).max(2),
  seed: z.number().int().optional(),
  priority: workPrioritySchema.exclude(['background']).default('user'),
  /**
   * Which cached context to continue (a conversation id, an API client's thread): turns with the same key
   * reuse what the engine already evaluated for it. Without one, any free context sequence is used.
   */
  cacheKey: z.string().max(200).optional(),
  /** Wall-time limit of the reply in ms, from the request's arrival: past it the reply stops with `timeLimit`. */
  maxWallMs: z.number().int().min(1).optional(),
  /** A reply cut off earlier: the model continues this text instead of starting a new reply. */
  continueReply: z.string().optional(),
  /**
   * Ranked candidate passages: the worker, which has the tokenizer, reranks them (when a reranker is
   * given), packs what fits in `budgetTokens` and the room the context leaves, and evaluates the prompt once.
   */
  grounding: z
    .object({
      passages: z.array(groundingPassageSchema).max(groundingLimits.passages),
      /** The sentences that match the question, best first, as [passage, sentence] indexes. */
      ranked: z.array(z.tuple([offset, offset])).max(groundingLimits.ranked),
      budgetTokens: z.number().int().min(0),
      /** What the reranker judges sentences against: the search text (a follow-up with the questions it carries); else `prompt`. */
      rerankQuery: z.string().optional(),
      reranker: z.object({ modelPath: z.string().min(1), threads: z.number().int().min(0) }).nullable().default(null),
    })
    .optional(),
});
export type GenerateInput = z.input<typeof generateInputSchema>;

/** Streamed text; with grounding, the first item (text '') says which passages the model reads, and their tokens. */
export const generateItemSchema = z.object({ text: z.string(), tokens: z.number().int(), packed: z.array(packedPassageSchema).optional(), passageTokens: z.number().int().optional() });

export const generateResultSchema = z.object({
  text: z.string(),
  stopReason: z.enum(['eos', 'maxTokens', 'timeLimit', 'cancelled']),
  /** Tokens of the user turn as the model got it (sources included). */
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  trimmedMessages: z.number().int(),
  /** Tokens of the packed sources (0 without grounding). */
  passageTokens: z.number().int().optional(),
  /** Prompt tokens the engine evaluated for this turn (its context sequence's token meter). */
  evaluatedTokens: z.number().int(),
  /** Prompt tokens that were already in the context sequence's cache and were not evaluated again. */
  cachedTokens: z.number().int(),
  /** From the first token to the last, in ms (0 without a token): tokens per second come from it. */
  generationMs: z.number(),
});
export type GenerateResult = z.output<typeof generateResultSchema>;

export const loadEmbeddingInputSchema = z.object({
  modelPath: z.string().min(1),
  threads: z.number().int().min(0),
  /** Tokens per text; longer texts are truncated. 0: the model's training context, capped at 512. */
  contextSize: z.number().int().min(0).default(0),
});

export const loadedEmbeddingSchema = z.object({
  modelPath: z.string(),
  dimensions: z.number().int(),
  contextSize: z.number().int(),
  threads: z.number().int(),
});
export type LoadedEmbedding = z.output<typeof loadedEmbeddingSchema>;

/** The host's channel to the inference worker (node-llama-cpp in its own process). */
export const inferenceContract = defineContract({
  'worker.ready': event(workerReadySchema),
  'model.load': method(loadModelInputSchema, loadedModelSchema),
  'model.unload': method(z.object({}), z.object({ unloaded: z.boolean() })),
  'chat.generate': stream(generateInputSchema, generateItemSchema, generateResultSchema),
  'embed.load': method(loadEmbeddingInputSchema, loadedEmbeddingSchema),
  /** Counters since the worker started: how many prompts were evaluated, and their tokens. */
  'engine.stats': method(z.object({}), z.object({ evaluations: z.number().int(), evaluatedTokens: z.number().int() })),
  /** Embeds a batch of texts; vectors are L2-normalised float32, base64 (compact over IPC). */
  'embed.batch': method(z.object({ texts: z.array(z.string()).min(1).max(1024), priority: workPrioritySchema.default('user') }), z.object({ vectors: z.array(z.string()), truncated: z.number().int() })),
});
export type InferenceContract = typeof inferenceContract;
