import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import { type SecretsState, auditSecretPrefix } from '../../common/contract/trustSchemas.js';
import { type Disposable, Emitter } from '../../common/disposable.js';
import type { Logger } from '../logger.js';
import type { SecretStore } from './SecretStore.js';

export type SecretMethods = 'secrets.getState' | 'secrets.set' | 'secrets.delete';

export interface SecretChange {
  name: string;
  change: 'set' | 'deleted';
}

export interface SecretServiceOptions {
  store: SecretStore;
  logger: Logger;
  /** Records a change in the audit log (by name only: a value never leaves this service except through `get`). */
  onAudit?: (kind: 'secret.set' | 'secret.deleted', name: string) => void;
}

/**
 * Secrets for the rest of the host. The renderer can set, replace, delete and list names through
 * `handlers`; only host code reads a value, through `get` (API keys of the remote backend, the local API).
 */
export class SecretService implements Disposable {
  private readonly changed = new Emitter<SecretChange>();
  /** A secret was set, replaced or deleted (services holding a key reload it). */
  readonly onDidChange = this.changed.event;
  readonly handlers: Pick<ContractHandlers<HostContract>, SecretMethods>;

  constructor(private readonly options: SecretServiceOptions) {
    this.handlers = {
      'secrets.getState': () => this.state(),
      'secrets.set': async ({ name, value }) => {
        await this.set(name, value);
        return this.state();
      },
      'secrets.delete': async ({ name }) => {
        await this.delete(name);
        return this.state();
      },
    };
  }

  get backend(): SecretStore['backend'] {
    return this.options.store.backend;
  }

  get reason(): string | null {
    return this.options.store.reason;
  }

  /** Host-internal only: never expose through the contract. */
  get(name: string): Promise<string | null> {
    return this.options.store.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    await this.options.store.set(name, value);
    this.options.logger.info('secret saved', { name, backend: this.backend });
    this.options.onAudit?.('secret.set', name);
    this.changed.fire({ name, change: 'set' });
  }

  /** True when there was something to delete. */
  async delete(name: string): Promise<boolean> {
    const deleted = await this.options.store.delete(name);
    if (!deleted) return false;
    this.options.logger.info('secret deleted', { name, backend: this.backend });
    this.options.onAudit?.('secret.deleted', name);
    this.changed.fire({ name, change: 'deleted' });
    return true;
  }

  async state(): Promise<SecretsState> {
    // The audit log's own entries are not the user's to manage (the contract refuses their names).
    return { backend: this.backend, reason: this.reason, names: (await this.options.store.names()).filter((name) => !name.startsWith(auditSecretPrefix)) };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
