import type { Logger } from '../logger.js';
import { type KeytarApi, KeytarSecretStore } from './KeytarSecretStore.js';
import type { SecretStore } from './SecretStore.js';
import { UnavailableSecretStore } from './UnavailableSecretStore.js';

/**
 * A store to use when the keychain cannot be (Electron passes its safeStorage file here), given why the
 * keychain failed; it returns the store, or why it cannot serve either.
 */
export type SecretStoreFallback = (keychainReason: string) => SecretStore | string | Promise<SecretStore | string>;

export interface SecretStoreOptions {
  /** The profile folder (ASSISTANT_HOME): secrets are kept per profile. */
  home: string;
  fallback?: SecretStoreFallback;
  logger?: Logger;
  /** For tests: a keytar module instead of loading the installed one. */
  keytar?: KeytarApi;
  probeTimeoutMs?: number;
}

/** The OS keychain if it answers, else the injected fallback, else a store that explains why nothing can be saved. */
export async function createSecretStore(options: SecretStoreOptions): Promise<SecretStore> {
  const keychain = await KeytarSecretStore.open({ home: options.home, keytar: options.keytar, probeTimeoutMs: options.probeTimeoutMs });
  if (keychain instanceof KeytarSecretStore) return keychain;
  let reason = keychain.reason;
  if (options.fallback) {
    try {
      const fallback = await options.fallback(reason);
      if (typeof fallback !== 'string') {
        options.logger?.warn('secrets: the system keychain is not used, falling back', { backend: fallback.backend, reason });
        return fallback;
      }
      reason = `${reason}; and ${fallback}`;
    } catch (error) {
      reason = `${reason}; and the fallback failed (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  options.logger?.warn('secrets: nothing can be stored, features needing a key stay off', { reason });
  return new UnavailableSecretStore(reason);
}
