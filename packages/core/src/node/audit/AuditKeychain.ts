import { randomBytes } from 'node:crypto';
import { auditSecretPrefix } from '../../common/contract/trustSchemas.js';
import type { SecretStore } from '../secrets/SecretStore.js';
import type { AuditChainKeys } from './verifyAuditChain.js';

/** The signing key and the first row it signed (rows before it were written without a key: they are sealed by it). */
export interface AuditKey {
  key: Buffer;
  since: number;
}

/** A time the app found the log no longer continuing from the end the keychain recorded. */
export interface AuditBreak {
  /** The end the keychain had recorded. */
  seq: number;
  hash: string;
  /** Where the database ended instead. */
  fileEnd: number;
  /** The row that records the finding. */
  at: number;
  time: number;
}

/** The newest row the keychain vouches for, and every break found so far (kept, so verify reports them for good). */
export interface AuditKeychainHead {
  seq: number;
  hash: string;
  breaks: AuditBreak[];
}

/** Secret names reserved for the audit log (secretNameSchema refuses them): the app keeps them, the contract cannot set, delete or list them. */
export const auditSecretNames = { key: `${auditSecretPrefix}key`, head: `${auditSecretPrefix}head` } as const;

/**
 * The audit log's two keychain entries: the key that signs each row (HMAC of its hash), and the log's end as
 * last recorded. Both live outside the database, so rewriting the rows (the key) or restoring an older copy
 * of the file (the end) shows, unless the keychain is in the attacker's hands too.
 */
export class AuditKeychain {
  constructor(private readonly store: SecretStore) {}

  /** 'keychain', or 'safeStorage' (an encrypted file beside the profile: restoring older copies of both would not show). */
  get backend(): SecretStore['backend'] {
    return this.store.backend;
  }

  async readKey(): Promise<AuditKey | null> {
    const text = await this.store.get(auditSecretNames.key);
    if (text === null) return null;
    const value = parse(text, auditSecretNames.key) as { key?: unknown; since?: unknown };
    if (typeof value.key !== 'string' || !Number.isInteger(value.since)) throw new Error(`the keychain entry ${auditSecretNames.key} is not an audit key`);
    return { key: Buffer.from(value.key, 'base64'), since: value.since as number };
  }

  /** A new random key that signs rows from `since` on. */
  async createKey(since: number): Promise<AuditKey> {
    const key = randomBytes(32);
    await this.store.set(auditSecretNames.key, JSON.stringify({ v: 1, key: key.toString('base64'), since }));
    return { key, since };
  }

  async readHead(): Promise<AuditKeychainHead | null> {
    const text = await this.store.get(auditSecretNames.head);
    if (text === null) return null;
    const value = parse(text, auditSecretNames.head) as Partial<AuditKeychainHead>;
    if (!Number.isInteger(value.seq) || typeof value.hash !== 'string') throw new Error(`the keychain entry ${auditSecretNames.head} is not an audit log end`);
    return { seq: value.seq!, hash: value.hash, breaks: Array.isArray(value.breaks) ? value.breaks : [] };
  }

  async writeHead(head: AuditKeychainHead): Promise<void> {
    await this.store.set(auditSecretNames.head, JSON.stringify({ v: 1, ...head }));
  }
}

/** The keychain side of the log at startup: the key (made the first time, signing from `nextSeq`), or why rows stay unsigned. */
export interface AuditKeys {
  keychain: AuditKeychain | null;
  key: AuditKey | null;
  /** Sentences for the log itself: a key that went missing, signed rows now written without one. */
  notes: { summary: string; details: Record<string, unknown> }[];
}

export async function openAuditKeys(store: SecretStore | null | undefined, log: { nextSeq: number; lastSignedSeq: number | undefined }): Promise<AuditKeys> {
  const signedUpTo = log.lastSignedSeq;
  const unsigned = (problem: string): AuditKeys => ({
    keychain: null,
    key: null,
    notes: signedUpTo === undefined ? [] : [{ summary: `The audit log's key could not be used (${problem}): new rows are hash-chained but not signed until it can be.`, details: { signedUpTo, reason: problem } }],
  });
  if (!store || store.backend === 'unavailable') return unsigned(store?.reason ?? 'no secret store');
  const keychain = new AuditKeychain(store);
  try {
    const key = await keychain.readKey();
    if (key) return { keychain, key, notes: [] };
    const created = await keychain.createKey(log.nextSeq);
    const lost = `The key that signed this audit log up to row ${signedUpTo} is not in the keychain (the profile folder moved, or the key was deleted): those rows are checked by their hashes only from now on; rows from ${created.since} are signed with a new key.`;
    return { keychain, key: created, notes: signedUpTo === undefined ? [] : [{ summary: lost, details: { signedUpTo, since: created.since } }] };
  } catch (error) {
    return unsigned(`the keychain could not be read: ${(error as Error).message}`);
  }
}

/** What verify checks against: the key and the end as the keychain holds them now (read fresh: another process may have moved them). */
export async function readAuditKeys(store: SecretStore | null | undefined): Promise<AuditChainKeys> {
  if (!store || store.backend === 'unavailable') return { keychain: null, unavailable: store?.reason ?? 'no secret store' };
  const keychain = new AuditKeychain(store);
  try {
    return { keychain: { key: await keychain.readKey(), head: await keychain.readHead(), backend: store.backend }, unavailable: null };
  } catch (error) {
    return { keychain: null, unavailable: `the keychain could not be read: ${(error as Error).message}` };
  }
}

function parse(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the keychain entry ${name} is not readable`);
  }
}
