import { createHash, createHmac } from 'node:crypto';
import type { AuditEvent } from '../../common/contract/trustSchemas.js';

/** The "previous hash" of the first row. */
export const genesisHash = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members left out, non-finite numbers as
 * null (as JSON.stringify does). The same value always gives the same text, so a hash over it survives a
 * round trip through the database.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return canonicalJson(json.call(value));
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return 'null';
}

export type AuditContent = Pick<AuditEvent, 'seq' | 'time' | 'kind' | 'summary' | 'details'>;

/** SHA-256 (hex) of the previous row's hash followed by this row's canonical content. */
export function auditHash(previousHash: string, content: AuditContent, detailsJson = canonicalJson(content.details)): string {
  // canonicalJson({ seq, time, kind, summary, details }) spelled out, so details already in canonical form
  // (the append path has them) are not serialised twice.
  const { seq, time, kind, summary } = content;
  const canonical = `{"details":${detailsJson},"kind":${JSON.stringify(kind)},"seq":${canonicalJson(seq)},"summary":${JSON.stringify(summary)},"time":${canonicalJson(time)}}`;
  return createHash('sha256').update(previousHash).update(canonical).digest('hex');
}

/** A row's signature: HMAC-SHA256 (hex) of its hash under the audit key, which only the keychain holds. */
export function auditMac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * Names whose values are never recorded (API keys, tokens, passwords): a settings or details member named
 * like one is kept by name with its value replaced. Judged by camelCase/snake_case words, so `maxTokens`
 * (a length), `keys` (a list of names) and `secretName` (a name, not a value) are kept.
 */
const secretWords = new Set(['key', 'apikey', 'token', 'secret', 'password', 'passwd', 'passphrase', 'credential', 'credentials', 'pin']);

export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  if (last === 'name' || last === 'names') return false;
  return words.some((word) => secretWords.has(word));
}

export const redacted = '[redacted]';

/** A JSON-safe copy of `value` with every secret-looking member's value replaced, at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = isSecretName(key) && item !== null && item !== undefined ? redacted : redactSecrets(item);
    return out;
  }
  return value;
}
