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
});

export const loadedModelSchema = z.object({
  modelPath: z.string(),
  threads: z.number().int(),
  contextSize: z.number().int(),
  trainContextSize: z.number().int(),
  sizeBytes: z.number(),
});
export type LoadedModel = z.output<typeof loadedModelSchema>;

export const generateInputSchema = z.object({
  systemPrompt: z.string(),
  history: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })),
  prompt: z.string().min(1),
  maxTokens: z.number().int().min(1),
  temperature: z.number().min(0).max(2),
  seed: z.number().int().optional(),
});
export type GenerateInput = z.input<typeof generateInputSchema>;

export const generateItemSchema = z.object({ text: z.string(), tokens: z.number().int() });

export const generateResultSchema = z.object({
  text: z.string(),
  stopReason: z.enum(['eos', 'maxTokens', 'cancelled']),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  trimmedMessages: z.number().int(),
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
  /** Embeds a batch of texts; vectors are L2-normalised float32, base64 (compact over IPC). */
  'embed.batch': method(z.object({ texts: z.array(z.string()).min(1).max(1024) }), z.object({ vectors: z.array(z.string()), truncated: z.number().int() })),
});
export type InferenceContract = typeof inferenceContract;
