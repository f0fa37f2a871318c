import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { SecretStore } from './SecretStore.js';

/**
 * The store when neither the keychain nor a fallback can hold a secret. Reading finds nothing (features
 * needing a key stay off and say why); storing fails with the reason, so the user knows what to fix.
 */
export class UnavailableSecretStore implements SecretStore {
  readonly backend = 'unavailable' as const;

  constructor(readonly reason: string) {}

  get(_name: string): Promise<string | null> {
    return Promise.resolve(null);
  }

  set(name: string): Promise<void> {
    return Promise.reject(new AssistantError(ErrorCode.SecretsUnavailable, `${name} was not saved: secrets cannot be stored on this machine because ${this.reason}.`));
  }

  delete(_name: string): Promise<boolean> {
    return Promise.resolve(false);
  }

  names(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
