import { z } from 'zod';
import { settingsPatchSchema, settingsSchema } from '../settings.js';
import { defineContract, event, method, stream } from './defineContract.js';
import { addDocumentsResultSchema, citationSchema, documentSchema, documentsChangedSchema, passageSchema, searchModeSchema, searchResultSchema, uploadSliceResultSchema, uploadSliceSchema } from './documentSchemas.js';
import { listenEventSchema, pcmSchema } from './voiceContract.js';
import { microphoneStatusSchema, voiceStateSchema } from './voiceSchemas.js';
import {
  auditEventSchema,
  auditQuerySchema,
  auditVerifyResultSchema,
  localApiStateSchema,
  networkStateSchema,
  remoteBackendStateSchema,
  secretNameSchema,
  secretsStateSchema,
} from './trustSchemas.js';
import { diagnosticsSchema, voiceTurnStagesSchema } from './diagnosticsSchemas.js';
import { appStateSchema, catalogModelSchema, conversationSchema, conversationSearchHitSchema, installedModelSchema, messageGroundingSchema, messageSchema, messageStatsSchema, pullProgressSchema } from './schemas.js';

const id = z.string().min(1).max(100);
/** The longest chat message (after trimming). Even as JSON-escaped UTF-8 it stays well under serve mode's 4 MiB frame limit. */
export const maxMessageChars = 200_000;
const empty = z.object({}).strict();

export const chatItemSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), conversation: conversationSchema, userMessage: messageSchema, assistantMessage: messageSchema }),
  z.object({ type: z.literal('text'), text: z.string() }),
  /** Sent once, before the first text: exactly the passages the model reads, which the reply may cite as [n]. */
  z.object({ type: z.literal('sources'), citations: z.array(citationSchema) }),
  /** Instead of `sources` when the user has documents but the reply does not use them, and why. */
  z.object({ type: z.literal('grounding'), grounding: messageGroundingSchema }),
]);
export type ChatItem = z.output<typeof chatItemSchema>;

export const chatResultSchema = z.object({
  message: messageSchema,
  /** The reply's cost and why it ended (`retrievalOnly`: no chat model, so the reply is the best passages with their citations), as stored with the message. */
  stats: messageStatsSchema,
});
export type ChatResult = z.output<typeof chatResultSchema>;

export const modelsListSchema = z.object({ modelsDir: z.string(), installed: z.array(installedModelSchema), catalog: z.array(catalogModelSchema) });
export type ModelsList = z.output<typeof modelsListSchema>;

/** What another process (the CLI) changed while the app ran, now in use: for a notice. */
export const changedOutsideSchema = z.object({
  /** Setting keys whose stored value changed. */
  settings: z.array(z.string()),
  documentsAdded: z.number().int(),
  documentsRemoved: z.number().int(),
  /** Model names that appeared in or left the models folder. */
  modelsAdded: z.array(z.string()),
  modelsRemoved: z.array(z.string()),
});
export type ChangedOutside = z.output<typeof changedOutsideSchema>;

/**
 * Everything the renderer (Electron or browser), the CLI and tests can ask of the host. This is the single
 * declaration: preload, renderer, serve mode and tests derive their types from it.
 */
export const hostContract = defineContract({
  'app.getState': method(empty, appStateSchema),
  'app.stateChanged': event(appStateSchema),
  'app.changedOutside': event(changedOutsideSchema),
  'workers.retry': method(z.object({ name: z.enum(['inference', 'ingest']) }).strict(), appStateSchema),

  'conversations.list': method(empty, z.array(conversationSchema)),
  'conversations.create': method(z.object({ title: z.string().max(200).optional() }).strict(), conversationSchema),
  'conversations.get': method(z.object({ id }).strict(), z.object({ conversation: conversationSchema, messages: z.array(messageSchema) })),
  'conversations.rename': method(z.object({ id, title: z.string().trim().min(1).max(200) }).strict(), conversationSchema),
  'conversations.delete': method(z.object({ id }).strict(), z.object({ deleted: z.boolean() })),
  'conversations.changed': event(z.object({ conversationId: id.nullable() })),
  /** Conversations whose title, or one of whose messages, contains every word typed (a word being typed matches as a prefix); newest first. Any text is a valid query. */
  'conversations.search': method(z.object({ query: z.string().max(1000), limit: z.number().int().min(1).max(200).default(50) }).strict(), z.array(conversationSearchHitSchema)),

  /** Sends a user message and streams the reply; without conversationId a new conversation starts. */
  'chat.send': stream(z.object({ conversationId: id.optional(), text: z.string().trim().min(1).max(maxMessageChars) }).strict(), chatItemSchema, chatResultSchema),
  /**
   * Continues a reply cut off by the reply-length or time limit, appending to the same message (the
   * conversation's last one). `start` repeats that message with its text so far.
   */
  'chat.continue': stream(z.object({ conversationId: id, messageId: id }).strict(), chatItemSchema, chatResultSchema),

  'models.list': method(empty, modelsListSchema),
  /** "Check again": reads the models folder now (the host also notices changes by itself within seconds). */
  'models.rescan': method(empty, modelsListSchema),
  /** Models were installed or removed (a download, the CLI, a copy into the folder). */
  'models.changed': event(modelsListSchema),
  /** Downloads a catalog model (resumes a partial download, verifies it); cancel keeps the partial file. */
  'models.pull': stream(z.object({ id: z.string().min(1).max(200) }).strict(), pullProgressSchema, installedModelSchema),

  'documents.list': method(empty, z.array(documentSchema)),
  /** Files and folders by path (Electron, CLI); folders are walked. Each file is deduplicated by content hash. */
  'documents.add': method(z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }).strict(), addDocumentsResultSchema),
  /** Browser mode: a file's bytes, slice by slice. The host keeps a copy under its profile and ingests that. */
  'documents.upload': method(uploadSliceSchema, uploadSliceResultSchema),
  'documents.remove': method(z.object({ id }).strict(), z.object({ removed: z.boolean() })),
  /** Parses and embeds again: one document, or all of them (after changing the embedding model). */
  'documents.reindex': method(z.object({ id: id.optional() }).strict(), z.object({ queued: z.number().int() })),
  'documents.cancel': method(z.object({ id }).strict(), z.object({ cancelled: z.boolean() })),
  'documents.changed': event(documentsChangedSchema),
  'documents.search': method(
    z.object({ query: z.string().trim().min(1).max(4000), k: z.number().int().min(1).max(100).default(5), mode: searchModeSchema.default('hybrid') }).strict(),
    searchResultSchema,
  ),
  /** One passage with its surrounding text, to show where a citation points (browser mode). */
  'documents.passage': method(z.object({ chunkId: z.number().int() }).strict(), passageSchema.extend({ before: z.string(), after: z.string() })),

  'voice.getState': method(empty, voiceStateSchema),
  'voice.changed': event(voiceStateSchema),
  /** Tries the voice engines again now (the banner's Retry) instead of waiting for the breaker's probe. */
  'voice.retry': method(empty, voiceStateSchema),
  /** The renderer reports the microphone (present, permission, unplugged): part of the tier. */
  'voice.microphone': method(z.object({ status: microphoneStatusSchema, detail: z.string().max(500).optional() }).strict(), voiceStateSchema),
  /** Live microphone audio (16 kHz 16-bit frames), in order per session: speech start, partial and final transcripts. */
  'voice.listen': method(pcmSchema.extend({ sessionId: z.string().min(1).max(100), pcm16: z.string().max(2_000_000) }).strict(), z.object({ events: z.array(listenEventSchema) })),
  'voice.listenEnd': method(z.object({ sessionId: z.string().min(1).max(100) }).strict(), z.object({ events: z.array(listenEventSchema) })),
  /** Speech for one sentence of a reply, with the engine that made it (Piper, or the system voice standing in). */
  'voice.speak': method(z.object({ text: z.string().trim().min(1).max(10_000) }).strict(), pcmSchema.extend({ engine: z.enum(['piper', 'system']) })),

  'settings.get': method(empty, settingsSchema),
  'settings.update': method(settingsPatchSchema, settingsSchema),
  /** Settings changed: in a window, or (`external`) by another process such as the CLI. */
  'settings.changed': event(z.object({ settings: settingsSchema, keys: z.array(z.string()), external: z.boolean() })),
  /** Every setting as JSON (secrets are not settings and are never included). */
  'settings.export': method(empty, z.object({ json: z.string() })),
  /** Applies a settings JSON: valid fields are applied, the others refused with the field named (they keep their value). */
  'settings.import': method(z.object({ json: z.string().max(1_000_000) }).strict(), z.object({ settings: settingsSchema, refused: z.array(z.object({ field: z.string(), reason: z.string() })) })),

  'audit.list': method(auditQuerySchema, z.object({ events: z.array(auditEventSchema) })),
  'audit.verify': method(empty, auditVerifyResultSchema),
  /** A row was appended (the viewer follows live). */
  'audit.appended': event(auditEventSchema),

  /** The renderer can set, replace, delete and ask which secrets exist: never read one back. */
  'secrets.getState': method(empty, secretsStateSchema),
  'secrets.set': method(z.object({ name: secretNameSchema, value: z.string().min(1).max(16_384) }).strict(), secretsStateSchema),
  'secrets.delete': method(z.object({ name: secretNameSchema }).strict(), secretsStateSchema),

  /** Outbound connections of this session (zero by default) and the offline lock. */
  'network.getState': method(empty, networkStateSchema),
  'network.changed': event(networkStateSchema),

  'api.getState': method(empty, z.object({ local: localApiStateSchema, remote: remoteBackendStateSchema })),
  'api.changed': event(z.object({ local: localApiStateSchema, remote: remoteBackendStateSchema })),

  /** This session's figures (median and 95th percentile), restarts, errors, breakers and voice tier: Settings → Diagnostics. */
  'diagnostics.get': method(empty, diagnosticsSchema),
  /** The renderer reports a spoken turn's stages, which only it can time (the reply's first audio plays there). */
  'diagnostics.voiceTurn': method(voiceTurnStagesSchema, z.object({})),
});
export type HostContract = typeof hostContract;
