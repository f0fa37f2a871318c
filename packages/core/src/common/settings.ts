import { z } from 'zod';

/**
 * Every setting, its default, range and help text. Stored settings are validated field by field, so one
 * bad value falls back to its default without discarding the others.
 */
export const settingsSchema = z.object({
  chatModel: z.string().min(1).nullable().default(null).describe('Chat model: a name from `models list` or a path to a GGUF file. Empty means the only installed chat model.'),
  threads: z.number().int().min(0).max(256).default(0).describe('CPU threads for inference; 0 chooses from the machine and the model.'),
  contextSize: z.number().int().min(0).max(131_072).default(0).describe("Context window in tokens; 0 uses the model's training context, capped at 4096."),
  maxTokens: z.number().int().min(1).max(32_768).default(1024).describe('Longest reply, in tokens.'),
  temperature: z.number().min(0).max(2).default(0.7).describe('Sampling temperature; 0 always picks the likeliest token.'),
  systemPrompt: z.string().max(8000).default('You are a helpful, concise assistant running entirely on this computer.').describe('Instructions given to the model before every conversation.'),

  embeddingModel: z.string().min(1).nullable().default(null).describe('Embedding model for document search: a name from `models list` or a path to a GGUF file. Empty means the default embedding model if installed; without one, search uses keywords only.'),
  embeddingThreads: z.number().int().min(0).max(256).default(0).describe('CPU threads for embeddings; 0 chooses from the machine and the model.'),
  useDocuments: z.boolean().default(true).describe('Answer from your documents when they match the question, citing them.'),
  retrievalTopK: z.number().int().min(1).max(20).default(5).describe('Passages given to the model (and cited) per question.'),
  bm25Weight: z.number().min(0).max(10).default(1).describe('Weight of keyword (BM25) ranking in hybrid search.'),
  vectorWeight: z.number().min(0).max(10).default(1).describe('Weight of meaning (embedding) ranking in hybrid search.'),
  rrfK: z.number().int().min(1).max(1000).default(60).describe('Reciprocal rank fusion constant: larger values flatten the difference between ranks.'),
  chunkSize: z.number().int().min(200).max(8000).default(1200).describe('Target passage length in characters when ingesting documents.'),
  chunkOverlap: z.number().int().min(0).max(2000).default(200).describe('Characters shared by neighbouring passages, so no sentence is cut off from its context.'),
  maxFileSizeMb: z.number().min(1).max(4096).default(200).describe('Largest file that will be ingested, in MB.'),

  sttModel: z.string().min(1).nullable().default(null).describe('Speech-to-text model: a name from `models list` or a folder. Empty means the default streaming model if installed.'),
  ttsVoice: z.string().min(1).nullable().default(null).describe('Piper voice: a name from `models list` or a folder. Empty means the default voice if installed, else the system voice.'),
  voiceMode: z.enum(['pushToTalk', 'handsFree']).default('pushToTalk').describe('Push to talk (hold the button or hotkey) or hands-free (speech is detected).'),
  voiceHotkey: z.string().min(1).max(60).default('CommandOrControl+Shift+Space').describe('Global push-to-talk shortcut (desktop app).'),
  vadThreshold: z.number().min(0.05).max(0.95).default(0.5).describe('How sure the voice detector must be that it hears speech (higher ignores more noise).'),
  silenceCutoffMs: z.number().int().min(200).max(5000).default(700).describe('Silence, in ms, that ends your turn.'),
  bargeIn: z.enum(['auto', 'on', 'off']).default('auto').describe('Speaking while the assistant talks interrupts it. Auto: only with echo cancellation; otherwise the microphone is muted while it speaks.'),
  speechRate: z.number().min(0.5).max(2).default(1).describe('Speed of the spoken replies (1 is normal).'),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingsPatch = Partial<Settings>;
export const settingsPatchSchema = settingsSchema.partial().strict();

export const defaultSettings: Settings = settingsSchema.parse({});

/** Settings that only take effect when the model is reloaded. */
export const modelReloadSettings = ['chatModel', 'threads', 'contextSize'] as const satisfies readonly (keyof Settings)[];

/** Settings that change stored passages or vectors: documents must be re-indexed to apply them. */
export const reindexSettings = ['embeddingModel', 'chunkSize', 'chunkOverlap'] as const satisfies readonly (keyof Settings)[];
