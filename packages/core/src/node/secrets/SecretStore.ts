/**
 * Where secrets (API keys) live: the OS keychain through keytar (macOS Keychain, Windows Credential
 * Manager, libsecret on Linux), or under Electron a safeStorage-encrypted file when keytar's backend is
 * missing. Never plain text, never SQLite, settings files, logs or the renderer.
 */
export interface SecretStore {
  /** 'keychain', 'safeStorage', or 'unavailable' (nothing can be stored: features needing a secret are off). */
  readonly backend: 'keychain' | 'safeStorage' | 'unavailable';
  /** Why the keychain is not used (locked, absent, keytar not built), in plain words; null when it is. */
  readonly reason: string | null;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  /** True when there was something to delete. */
  delete(name: string): Promise<boolean>;
  names(): Promise<string[]>;
}
