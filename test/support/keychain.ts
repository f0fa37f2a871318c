import { createSecretStore, loadKeytar } from '@assistant/core/node';
import { makeTempDir } from './tempDir.js';

/**
 * Null when a real, unlocked OS keychain answers (gnome-keyring over D-Bus in CI, as .ci/run starts it);
 * otherwise what is missing, for the skip message. Keychain tests never use a fake keychain.
 */
export async function keychainProblem(): Promise<string | null> {
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) return 'DBUS_SESSION_BUS_ADDRESS is not set (run inside dbus-run-session with gnome-keyring-daemon unlocked, as .ci/run does)';
  const loaded = loadKeytar();
  if ('reason' in loaded) return loaded.reason;
  const store = await createSecretStore({ home: makeTempDir('keychain-probe-') });
  if (store.backend !== 'keychain') return store.reason ?? 'the keychain is not used';
  try {
    await store.set('test.probe', 'probe');
    await store.delete('test.probe');
    return null;
  } catch (error) {
    return `the keyring daemon does not store (locked? start it with gnome-keyring-daemon --unlock): ${(error as Error).message}`;
  }
}
