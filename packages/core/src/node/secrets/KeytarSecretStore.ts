import { createRequire } from 'node:module';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { profileId } from './profileId.js';
import type { SecretStore } from './SecretStore.js';

/** The part of keytar's API this store uses (declared here: keytar is optional and may not be installed). */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** The keychain entry's service name: what the OS keychain UI lists the app's secrets under. */
export const keychainService = 'local-voice-assistant';

/**
 * Loads keytar lazily: it is an optional native addon that builds from source against libsecret, so an
 * install without that library still succeeds and the app reports the keychain as unavailable instead of
 * failing to start.
 */
export function loadKeytar(): { keytar: KeytarApi } | { reason: string } {
  try {
    const required = createRequire(import.meta.url)('keytar') as KeytarApi & { default?: KeytarApi };
    return { keytar: typeof required.getPassword === 'function' ? required : (required.default as KeytarApi) };
  } catch (error) {
    return { reason: `keytar is not installed or not built for this runtime (on Linux it needs libsecret-1-dev, then npm install): ${firstLine(error)}` };
  }
}

/** The OS keychain through keytar, one account per secret, prefixed by the profile so profiles never share one. */
export class KeytarSecretStore implements SecretStore {
  readonly backend = 'keychain' as const;
  readonly reason = null;
  private readonly prefix: string;

  private constructor(
    private readonly keytar: KeytarApi,
    home: string,
    private readonly service: string,
  ) {
    this.prefix = `${profileId(home)}:`;
  }

  /**
   * Opens the keychain for a profile, or says why it cannot be used. A harmless read probes it: a missing
   * D-Bus session or secret service fails here, at startup, rather than when the user saves a key.
   */
  static async open(options: { home: string; keytar?: KeytarApi; service?: string; probeTimeoutMs?: number }): Promise<KeytarSecretStore | { reason: string }> {
    const loaded = options.keytar ? { keytar: options.keytar } : loadKeytar();
    if (!('keytar' in loaded)) return loaded;
    const store = new KeytarSecretStore(loaded.keytar, options.home, options.service ?? keychainService);
    const failure = await store.probe(options.probeTimeoutMs ?? 5_000);
    return failure === null ? store : { reason: failure };
  }

  async get(name: string): Promise<string | null> {
    try {
      return await this.keytar.getPassword(this.service, this.account(name));
    } catch (error) {
      throw new AssistantError(ErrorCode.SecretsUnavailable, `${name} could not be read: ${keychainProblem(error)}.`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.keytar.setPassword(this.service, this.account(name), value);
    } catch (error) {
      // The native error should never echo the value, but the message crosses to the UI: make sure.
      throw new AssistantError(ErrorCode.SecretsUnavailable, `${name} was not saved: ${keychainProblem(error).split(value).join('[redacted]')}.`);
    }
  }

  async delete(name: string): Promise<boolean> {
    try {
      return await this.keytar.deletePassword(this.service, this.account(name));
    } catch (error) {
      throw new AssistantError(ErrorCode.SecretsUnavailable, `${name} could not be deleted: ${keychainProblem(error)}.`);
    }
  }

  async names(): Promise<string[]> {
    try {
      const credentials = await this.keytar.findCredentials(this.service);
      return credentials
        .filter((credential) => credential.account.startsWith(this.prefix))
        .map((credential) => credential.account.slice(this.prefix.length))
        .sort();
    } catch (error) {
      throw new AssistantError(ErrorCode.SecretsUnavailable, `The saved secrets could not be listed: ${keychainProblem(error)}.`);
    }
  }

  private account(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Null when the keychain answers; otherwise why not, in plain words. */
  private async probe(timeoutMs: number): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    // libsecret waits for D-Bus's own timeout (25 s) when a bus answers but no secret service does.
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the system keychain is locked or not running (it did not answer within ${timeoutMs / 1000} s)`), timeoutMs);
    });
    const read = this.keytar.getPassword(this.service, this.account('.probe')).then(
      () => null,
      (error: unknown) => keychainProblem(error),
    );
    try {
      return await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** "the system keychain is locked or not running (…)" with the native error and, on Linux, the usual cause. */
function keychainProblem(error: unknown): string {
  const hint = process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS ? 'DBUS_SESSION_BUS_ADDRESS is not set, so there is no D-Bus session to reach a secret service: ' : '';
  return `the system keychain is locked or not running (${hint}${firstLine(error)})`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() || 'no details';
}
