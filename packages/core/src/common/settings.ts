import { z } from 'zod';
import type { ModelKind } from './contract/schemas.js';

/**
 * Every setting, its default, range and help text. Stored settings are validated field by field, so one
 * bad value falls back to its default without discarding the others.
 */
export const settingsSchema = z.object({
  chatModel: z.string().min(1).nullable().default(null).describe('Chat model: a name from `models list` or a path to a GGUF file. Empty means the only installed chat model.'),
  threads: z.number().int().min(0).max(256).default(0).describe('CPU threads for inference; 0 chooses from the machine and the model.'),
  contextSize: z.number().int().min(0).max(131_072).default(0).describe("Context window in tokens; 0 uses the model's training context, capped at 4096."),
  maxTokens: z.number().int().min(1).max(32_768).default(1024).describe('Longest reply, in tokens.'),
  maxReplySeconds: z.number().int().min(5).max(3600).default(300).describe('Longest time a reply may take, in seconds; past it the reply stops and can be continued.'),
  contextSequences: z.number().int().min(1).max(8).default(3).describe('Conversations (and local API clients) whose context the model keeps evaluated, so going back to one does not read it all again. Each costs the memory of one context.'),
  temperature: z.number().min(0).max(2).default(0.7).describe('Sampling temperature; 0 always picks the likeliest token.'),
  systemPrompt: z.string().max(8000).default('You are a helpful, concise assistant running entirely on this computer.').describe('Instructions given to the model before every conversation.'),

  embeddingModel: z.string().min(1).nullable().default(null).describe('Embedding model for document search: a name from `models list` or a path to a GGUF file. Empty means the default embedding model if installed; without one, search uses keywords only.'),
  embeddingThreads: z.number().int().min(0).max(256).default(0).describe('CPU threads for embeddings; 0 chooses from the machine and the model.'),
  useDocuments: z.boolean().default(true).describe('Answer from your documents when they match the question, citing them.'),
  retrievalTopK: z.number().int().min(1).max(20).default(5).describe('Passages given to the model (and cited) per question, at most.'),
  passageBudget: z.number().int().min(0).max(32_768).default(500).describe("Most tokens of document passages the model reads per question: fewer tokens mean a faster first word. Capped by what the model's context leaves; 0 answers without passages."),
  relevanceThreshold: z.number().min(0).max(5).default(0.25).describe('How well a passage must match the question (its rarest words, all of them in one passage and one sentence) before an answer uses your documents. Higher answers from documents less often; 0 always uses the best matches.'),
  vectorRelevance: z.number().min(0).max(1).default(0.6).describe('With a reliable embedding model: the similarity in meaning (cosine, 0 to 1) at which a passage counts as relevant even without shared keywords.'),
  rerank: z.boolean().default(true).describe('Rerank passages with the reranker model when one is installed (more relevant sources, a little slower).'),
  bm25Weight: z.number().min(0).max(10).default(1).describe('Weight of keyword (BM25) ranking in hybrid search.'),
  vectorWeight: z.number().min(0).max(10).default(1).describe('Weight of meaning (embedding) ranking in hybrid search.'),
  rrfK: z.number().int().min(1).max(1000).default(60).describe('Reciprocal rank fusion constant: larger values flatten the difference between ranks.'),
  chunkSize: z.number().int().min(200).max(8000).default(1200).describe('Target passage length in characters when ingesting documents.'),
  chunkOverlap: z.number().int().min(0).max(2000).default(200).describe('Characters shared by neighbouring passages, so no sentence is cut off from its context.'),
  maxFileSizeMb: z.number().min(1).max(4096).default(200).describe('Largest file that will be ingested, in MB.'),
  ocr: z.boolean().default(true).describe('Read scanned PDF pages and images (PNG, JPEG, TIFF, WebP) with OCR, on this computer.'),
  ocrLanguages: z.string().regex(/^[a-z][a-z0-9_]{1,30}(\+[a-z][a-z0-9_]{1,30}){0,7}$/, 'Tesseract language codes joined by +, e.g. eng or eng+deu').default('eng').describe('Languages of your scans as Tesseract codes joined by +, e.g. eng+deu. English ships with the app; for another language put its .traineddata file (e.g. deu.traineddata) in a folder and import that folder into your models (models import FOLDER).'),
  ocrMaxPages: z.number().int().min(1).max(10_000).default(500).describe('Most pages of one document read by OCR; pages past it are skipped and counted.'),
  ocrMinConfidence: z.number().int().min(0).max(100).default(60).describe('Pages whose OCR confidence (0-100) is below this are marked low-quality OCR.'),

  sttModel: z.string().min(1).nullable().default(null).describe('Speech-to-text model: a name from `models list` or a folder. Empty means the default streaming model if installed.'),
  ttsVoice: z.string().min(1).nullable().default(null).describe('Piper voice: a name from `models list` or a folder. Empty means the default voice if installed, else the system voice.'),
  voiceMode: z.enum(['pushToTalk', 'handsFree']).default('pushToTalk').describe('Push to talk (hold the button or hotkey) or hands-free (speech is detected).'),
  voiceHotkey: z.string().min(1).max(60).default('CommandOrControl+Shift+Space').describe('Global push-to-talk shortcut (desktop app).'),
  vadThreshold: z.number().min(0.05).max(0.95).default(0.5).describe('How sure the voice detector must be that it hears speech (higher ignores more noise).'),
  silenceCutoffMs: z.number().int().min(200).max(5000).default(700).describe('Silence, in ms, that ends your turn.'),
  bargeIn: z.enum(['auto', 'on', 'off']).default('auto').describe('Speaking while the assistant talks interrupts it. Auto: only with echo cancellation; otherwise the microphone is muted while it speaks.'),
  speechRate: z.number().min(0.5).max(2).default(1).describe('Speed of the spoken replies (1 is normal).'),

  offlineLock: z.boolean().default(false).describe('Forbid every connection to the network, model downloads and the remote backend included.'),
  auditDetail: z.enum(['events', 'eventsAndText']).default('events').describe('What the audit log keeps: events only, or events and the text of your conversations.'),

  remoteUse: z.enum(['off', 'chat', 'embeddings', 'both']).default('off').describe('Use an OpenAI-compatible server (vLLM, llama.cpp server, Ollama) for chat, embeddings or both; the local model answers when it fails.'),
  remoteBaseUrl: z.string().url().max(2000).nullable().default(null).describe('The remote server\'s base URL, e.g. https://gpu.example.org/v1. Its API key is kept in the keychain.'),
  remoteChatModel: z.string().min(1).max(200).nullable().default(null).describe('Model name the remote server knows for chat.'),
  remoteEmbeddingModel: z.string().min(1).max(200).nullable().default(null).describe('Model name the remote server knows for embeddings.'),
  remoteTimeoutS: z.number().int().min(1).max(600).default(30).describe('Seconds to wait for the remote server before falling back to the local model.'),

  localApi: z.boolean().default(false).describe('Serve an OpenAI-compatible API on this computer (loopback only), behind a key kept in the keychain.'),
  localApiPort: z.number().int().min(1024).max(65535).default(8765).describe('Port of the local API on 127.0.0.1.'),
  apiMaxTokens: z.number().int().min(1).max(32_768).default(2048).describe('Longest reply a local API request may ask for (`max_tokens`); a request asking for more is refused.'),
  apiMaxMessages: z.number().int().min(1).max(10_000).default(200).describe('Most messages one local API request may send; a request with more is refused.'),
  apiMaxInputChars: z.number().int().min(1000).max(2_000_000).default(100_000).describe('Most characters of message text one local API request may send; a request with more is refused.'),
  apiMaxReplySeconds: z.number().int().min(1).max(3600).default(120).describe('Longest time a local API reply may take, in seconds; past it the reply ends with `finish_reason` "length".'),
  apiMaxQueued: z.number().int().min(0).max(1000).default(16).describe('Local API requests that may wait for the model while others are answered; more are refused with 429.'),
});

export type Settings = z.output<typeof settingsSchema>;
export type SettingsPatch = Partial<Settings>;
type SettingsShape = typeof settingsSchema.shape;
// Not `settingsSchema.partial()`: zod 4 applies defaults inside optional fields, so a one-field patch would
// come out holding every default and reset all other settings. The patch fields are the bare types.
const patchShape = Object.fromEntries(Object.entries(settingsSchema.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
  [K in keyof SettingsShape]: z.ZodOptional<ReturnType<SettingsShape[K]['unwrap']>>;
};
export const settingsPatchSchema = z.object(patchShape).strict();

export const defaultSettings: Settings = settingsSchema.parse({});

/** Settings that only take effect when the model is reloaded. */
export const modelReloadSettings = ['chatModel', 'threads', 'contextSize'] as const satisfies readonly (keyof Settings)[];

/** Settings that change stored passages or vectors: documents must be re-indexed to apply them. */
export const reindexSettings = ['embeddingModel', 'chunkSize', 'chunkOverlap', 'ocr', 'ocrLanguages', 'ocrMaxPages'] as const satisfies readonly (keyof Settings)[];

/** The settings panel's sections, in order. */
export const settingsGroups = [
  { id: 'models', title: 'Models' },
  { id: 'generation', title: 'Generation' },
  { id: 'voice', title: 'Voice' },
  { id: 'documents', title: 'Documents' },
  { id: 'privacy', title: 'Privacy' },
  { id: 'remote', title: 'Remote backend' },
  { id: 'localApi', title: 'Local API' },
] as const;
export type SettingsGroup = (typeof settingsGroups)[number]['id'];

/**
 * Where each setting sits in the panel and its short label. `satisfies` makes a key missing here (or one
 * that is not a setting) a type error, so a new setting cannot silently stay out of the panel.
 */
export const settingsLayout = {
  chatModel: { group: 'models', label: 'Chat model', empty: 'Automatic: the default or only installed chat model' },
  embeddingModel: { group: 'models', label: 'Embedding model', empty: 'Automatic: the default embedding model if installed, else keywords only' },
  sttModel: { group: 'models', label: 'Speech-to-text model', empty: 'Automatic: the default speech-to-text model if installed' },
  ttsVoice: { group: 'models', label: 'Voice (text to speech)', empty: 'Automatic: the default voice if installed, else the system voice' },
  temperature: { group: 'generation', label: 'Temperature' },
  maxTokens: { group: 'generation', label: 'Longest reply (tokens)' },
  maxReplySeconds: { group: 'generation', label: 'Longest reply (seconds)' },
  contextSequences: { group: 'generation', label: 'Conversations kept ready' },
  contextSize: { group: 'generation', label: 'Context size (tokens)' },
  threads: { group: 'generation', label: 'Inference threads' },
  embeddingThreads: { group: 'generation', label: 'Embedding threads' },
  systemPrompt: { group: 'generation', label: 'System prompt' },
  voiceMode: { group: 'voice', label: 'Voice mode' },
  voiceHotkey: { group: 'voice', label: 'Push-to-talk hotkey' },
  vadThreshold: { group: 'voice', label: 'Speech detection threshold' },
  silenceCutoffMs: { group: 'voice', label: 'End of turn silence (ms)' },
  bargeIn: { group: 'voice', label: 'Interrupt by speaking' },
  speechRate: { group: 'voice', label: 'Speech rate' },
  useDocuments: { group: 'documents', label: 'Answer from my documents' },
  chunkSize: { group: 'documents', label: 'Passage length (characters)' },
  chunkOverlap: { group: 'documents', label: 'Passage overlap (characters)' },
  retrievalTopK: { group: 'documents', label: 'Passages per question' },
  passageBudget: { group: 'documents', label: 'Passage budget (tokens)' },
  relevanceThreshold: { group: 'documents', label: 'Relevance threshold' },
  vectorRelevance: { group: 'documents', label: 'Meaning relevance threshold' },
  rerank: { group: 'documents', label: 'Rerank passages' },
  bm25Weight: { group: 'documents', label: 'Keyword weight' },
  vectorWeight: { group: 'documents', label: 'Meaning weight' },
  rrfK: { group: 'documents', label: 'Rank fusion constant' },
  maxFileSizeMb: { group: 'documents', label: 'Largest file (MB)' },
  ocr: { group: 'documents', label: 'Read scans and images (OCR)' },
  ocrLanguages: { group: 'documents', label: 'OCR languages' },
  ocrMaxPages: { group: 'documents', label: 'OCR page limit per document' },
  ocrMinConfidence: { group: 'documents', label: 'Low-quality OCR below (confidence)' },
  auditDetail: { group: 'privacy', label: 'Audit log detail' },
  offlineLock: { group: 'privacy', label: 'Offline lock' },
  remoteUse: { group: 'remote', label: 'Use a remote server for' },
  remoteBaseUrl: { group: 'remote', label: 'Server URL', empty: 'None: no remote server is used' },
  remoteChatModel: { group: 'remote', label: 'Remote chat model', empty: "Empty: the server's own model" },
  remoteEmbeddingModel: { group: 'remote', label: 'Remote embedding model', empty: "Empty: the server's own model" },
  remoteTimeoutS: { group: 'remote', label: 'Timeout (seconds)' },
  localApi: { group: 'localApi', label: 'Serve the local API' },
  localApiPort: { group: 'localApi', label: 'Port' },
  apiMaxTokens: { group: 'localApi', label: 'Longest reply per request (tokens)' },
  apiMaxMessages: { group: 'localApi', label: 'Most messages per request' },
  apiMaxInputChars: { group: 'localApi', label: 'Most characters per request' },
  apiMaxReplySeconds: { group: 'localApi', label: 'Longest reply per request (seconds)' },
  apiMaxQueued: { group: 'localApi', label: 'Requests that may wait' },
} as const satisfies Record<keyof Settings, { group: SettingsGroup; label: string; /** What an empty (null) value means, for nullable settings. */ empty?: string }>;

/** Settings that name a model, and the kind of model each one takes. */
export const modelSettingKinds = { chatModel: 'chat', embeddingModel: 'embedding', sttModel: 'stt', ttsVoice: 'tts' } as const satisfies Partial<Record<keyof Settings, ModelKind>>;
