import { z } from 'zod';

// ------------------------------------------------ audit log ------------------------------------------------

/** What the audit log records; conversation text only when the privacy setting asks for it. */
export const auditKindSchema = z.enum([
  'app.start',
  'app.stop',
  'model.loaded',
  'model.failed',
  'document.ingested',
  'document.replaced',
  'document.removed',
  'settings.changed',
  'secret.set',
  'secret.deleted',
  'voice.tier',
  'breaker',
  'network',
  'api.call',
  'conversation',
  'error',
]);
export type AuditKind = z.output<typeof auditKindSchema>;

export const auditEventSchema = z.object({
  /** 1-based position in the chain. */
  seq: z.number().int(),
  time: z.number(),
  kind: auditKindSchema,
  /** One plain sentence ("Settings changed: temperature 0.7 → 0.2"). */
  summary: z.string(),
  /** Structured details (names and values; secrets only by name). */
  details: z.record(z.string(), z.unknown()),
  /** SHA-256 (hex) of the previous row's hash and this row's canonical content (signed separately with the keychain's key). */
  hash: z.string(),
});
export type AuditEvent = z.output<typeof auditEventSchema>;

export const auditQuerySchema = z
  .object({
    kinds: z.array(auditKindSchema).max(32).optional(),
    /** Epoch ms, inclusive. */
    since: z.number().optional(),
    until: z.number().optional(),
    /** Case-insensitive substring of the summary. */
    text: z.string().max(200).optional(),
    /** Newest first; page backwards with `beforeSeq`. */
    beforeSeq: z.number().int().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditVerifyResultSchema = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  /** The first row that does not fit the chain: edited, inserted, or right after deleted rows. */
  firstBadSeq: z.number().int().nullable(),
  problem: z.enum(['edited', 'inserted', 'deleted']).nullable(),
  /** A sentence for the user ("Row 12 was edited after it was written."). */
  message: z.string(),
  /**
   * What a clean result proves: `keychain`: rows signed with a key in the OS keychain, which also records the
   * log's end (rewriting, cutting or restoring an older copy shows); `encrypted-file`: the same with the key in
   * an encrypted file beside the profile; `hash-chain`: only that no row was changed on its own.
   */
  protection: z.enum(['keychain', 'encrypted-file', 'hash-chain']).optional(),
});
export type AuditVerifyResult = z.output<typeof auditVerifyResultSchema>;

// ------------------------------------------------ secrets ------------------------------------------------

/** A secret's name: the renderer may set, replace, delete and ask about a secret by name, never read it. */
/** Keychain entries the app keeps for the audit log (its signing key and recorded end): whoever could replace or delete them could rewrite the log unnoticed. */
export const auditSecretPrefix = 'audit.';

export const secretNameSchema = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9._-]{0,63}$/, 'a secret name is a lowercase letter followed by up to 63 letters, digits, dots, dashes or underscores')
  .refine((name) => !name.startsWith(auditSecretPrefix), `names starting with "${auditSecretPrefix}" are kept by the app to protect the audit log`);

/** Names the app itself uses. */
export const knownSecrets = { remoteApiKey: 'remoteApiKey', localApiKey: 'localApiKey' } as const;

export const secretsStateSchema = z.object({
  /** Where secrets live: the OS keychain, Electron's safeStorage-encrypted file, or nowhere (features needing one are off). */
  backend: z.enum(['keychain', 'safeStorage', 'unavailable']),
  /** Why the keychain is not used, in plain words; null when it is. */
  reason: z.string().nullable(),
  /** Names of the secrets that are set (never their values). */
  names: z.array(z.string()),
});
export type SecretsState = z.output<typeof secretsStateSchema>;

// ------------------------------------------------ network ------------------------------------------------

export const outboundAttemptSchema = z.object({
  time: z.number(),
  host: z.string(),
  /** Why: "model download", "remote backend", "renderer request". */
  purpose: z.string(),
  allowed: z.boolean(),
  /** Bytes received (downloads) or sent and received (API calls), when known. */
  bytes: z.number().int().nullable(),
});
export type OutboundAttemptInfo = z.output<typeof outboundAttemptSchema>;

export const networkStateSchema = z.object({
  offlineLock: z.boolean(),
  /** Outbound connection attempts this session, newest last (allowed and blocked). */
  attempts: z.array(outboundAttemptSchema),
});
export type NetworkState = z.output<typeof networkStateSchema>;

// ------------------------------------------------ local API and remote backend ------------------------------------------------

export const localApiStateSchema = z.object({
  enabled: z.boolean(),
  /** The base URL while serving (loopback only), e.g. http://127.0.0.1:8765/v1. */
  url: z.string().nullable(),
  /** Why it is not serving although enabled (port taken, no key because the keychain is unavailable…). */
  error: z.string().nullable(),
});
export type LocalApiState = z.output<typeof localApiStateSchema>;

export const remoteBackendStateSchema = z.object({
  /** 'off': not configured; 'ok': answering; 'fallback': failing, the local model answers meanwhile. */
  status: z.enum(['off', 'ok', 'fallback']),
  baseUrl: z.string().nullable(),
  reason: z.string().nullable(),
});
export type RemoteBackendState = z.output<typeof remoteBackendStateSchema>;
