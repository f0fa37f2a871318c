import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode } from '@assistant/core';
import type { SecretStore, SecretStoreFallback } from '@assistant/core/node';
import { safeStorage } from 'electron';

/** The file under the profile folder; it holds only ciphertext, and only this user may read it. */
export const secretsFileName = 'secrets.enc.json';

interface SecretsFile {
  version: 1;
  /** name → base64 of safeStorage.encryptString(value). */
  secrets: Record<string, string>;
}

/**
 * Electron's fallback when keytar cannot reach the keychain: values encrypted with safeStorage (which
 * keeps its key in the OS keychain or the desktop's wallet) in a JSON file of the profile (0600).
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly backend = 'safeStorage' as const;
  private readonly file: string;

  constructor(
    home: string,
    /** Why the keychain is not used directly. */
    readonly reason: string,
  ) {
    this.file = path.join(home, secretsFileName);
  }

  // async although the work is synchronous (a small file): so a failure arrives as a rejection.
  async get(name: string): Promise<string | null> {
    const encrypted = this.read().secrets[name];
    if (encrypted === undefined) return null;
    try {
      return safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
    } catch (error) {
      // The key changed (another machine, a reset wallet): the ciphertext is useless, say so without it.
      throw new AssistantError(ErrorCode.SecretsUnavailable, `${name} could not be decrypted (${error instanceof Error ? error.message : 'unknown error'}); set it again.`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    const contents = this.read();
    contents.secrets[name] = safeStorage.encryptString(value).toString('base64');
    this.write(contents);
  }

  async delete(name: string): Promise<boolean> {
    const contents = this.read();
    if (!(name in contents.secrets)) return false;
    delete contents.secrets[name];
    this.write(contents);
    return true;
  }

  async names(): Promise<string[]> {
    return Object.keys(this.read().secrets).sort();
  }

  private read(): SecretsFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new AssistantError(ErrorCode.SecretsUnavailable, `The secrets file ${this.file} could not be read: ${(error as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<SecretsFile>;
      if (parsed.version !== 1 || typeof parsed.secrets !== 'object' || parsed.secrets === null) throw new Error('unexpected format');
      return { version: 1, secrets: { ...parsed.secrets } };
    } catch (error) {
      throw new AssistantError(ErrorCode.SecretsUnavailable, `The secrets file ${this.file} is damaged (${(error as Error).message}); delete it and set your keys again.`);
    }
  }

  /** Temp file then rename: a crash mid-write leaves the old file, never half of one. */
  private write(contents: SecretsFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(contents)}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.file);
    // writeFileSync's mode applies only when it creates the file (a leftover temp keeps its own): make sure.
    fs.chmodSync(this.file, 0o600);
  }
}

/**
 * The fallback AssistantHost's secret store gets under Electron: safeStorage when it really encrypts.
 * On Linux without a wallet, Chromium selects 'basic_text', a hard-coded key, which is plain text in
 * effect: refused, so the app reports secrets as unavailable instead of pretending.
 */
export function safeStorageFallback(home: string): SecretStoreFallback {
  return (keychainReason) => {
    if (!safeStorage.isEncryptionAvailable()) return "Electron's safeStorage cannot encrypt on this system";
    if (process.platform === 'linux') {
      const selected = safeStorage.getSelectedStorageBackend();
      if (selected === 'basic_text') return "Electron's safeStorage has only its 'basic_text' backend here, which is not real encryption";
    }
    return new SafeStorageSecretStore(home, keychainReason);
  };
}
