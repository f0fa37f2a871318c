import type { SecretStore } from '@assistant/core/node';

/** A secret store in memory, for tests on machines without a keychain. */
export function memorySecrets(initial: Record<string, string> = {}): SecretStore {
  const values = new Map(Object.entries(initial));
  return {
    backend: 'keychain',
    reason: null,
    get: async (name) => values.get(name) ?? null,
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => values.delete(name),
    names: async () => [...values.keys()],
  };
}
