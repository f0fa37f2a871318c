import { randomBytes } from 'node:crypto';
import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import type { InferenceContract } from '../../common/contract/inferenceContract.js';
import { type LocalApiState, type RemoteBackendState, knownSecrets } from '../../common/contract/trustSchemas.js';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { SerialQueue } from '../../common/SerialQueue.js';
import type { ChatModelService } from '../host/ChatModelService.js';
import type { EmbeddingModelService } from '../host/EmbeddingModelService.js';
import type { Logger } from '../logger.js';
import type { MetricsService } from '../metrics/MetricsService.js';
import type { NetworkGate } from '../network/NetworkGate.js';
import type { VoiceLibrary } from '../host/VoiceLibrary.js';
import type { SecretStore } from '../secrets/SecretStore.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import { LocalApiChat } from './LocalApiChat.js';
import { type LocalApiHandlers, LocalApiServer } from './LocalApiServer.js';
import { type AuditSink, RemoteBackend } from './RemoteBackend.js';

export interface ApiState {
  local: LocalApiState;
  remote: RemoteBackendState;
}

/** The part of the secret store the API needs (SecretService satisfies it). */
export type SecretAccess = Pick<SecretStore, 'get' | 'set'> & Partial<Pick<SecretStore, 'backend' | 'reason'>>;

export interface ApiServiceOptions {
  settings: SettingsStore;
  chatModel: ChatModelService;
  supervisor: WorkerSupervisor<InferenceContract>;
  embeddings: EmbeddingModelService;
  network: Pick<NetworkGate, 'fetch'>;
  logger: Logger;
  /** Where the local API key and the remote key live; without one the local API refuses to start. */
  secrets?: SecretAccess | null;
  /** 'api.call' audit events (the host wires its AuditLog here). */
  onAudit?: AuditSink;
  /** Speech in and out for /v1/audio/*; without it those routes answer that voice is not available. */
  voice?: Pick<VoiceLibrary, 'synthesize' | 'transcribe'> | null;
  breaker?: { failureThreshold?: number; openMs?: number };
  now?: () => number;
  /** This session's metrics, served as Prometheus text at GET /metrics. */
  metrics?: Pick<MetricsService, 'exposition' | 'apiReply'> | null;
}

/**
 * The OpenAI-compatible local API (started and stopped live as settings change, or for one run with
 * `serve --api`) and the remote backend client. Owns no conversations: API calls are not stored as chats.
 */
export class ApiService {
  readonly remote: RemoteBackend;
  readonly handlers: Pick<ContractHandlers<HostContract>, 'api.getState'>;
  private server: LocalApiServer | null = null;
  private serving: { port: number } | null = null;
  private local: LocalApiState = { enabled: false, url: null, error: null };
  /** `serve --api` or a test: on for this run, whatever the setting says (port 0 = any free port). */
  private runOverride: { port: number | null } | null = null;
  private readonly queue = new SerialQueue();
  private readonly chat: LocalApiChat;
  private readonly changed = new Emitter<ApiState>();
  readonly onDidChange = this.changed.event;
  private disposed = false;

  constructor(private readonly options: ApiServiceOptions) {
    this.remote = new RemoteBackend({
      settings: options.settings,
      network: options.network,
      getSecret: () => (this.options.secrets ? (name) => this.options.secrets!.get(name) : null),
      logger: options.logger,
      onAudit: () => this.options.onAudit,
      breaker: options.breaker,
      now: options.now,
    });
    this.remote.onDidChange(() => this.changed.fire(this.state));
    this.chat = new LocalApiChat(options);
    options.settings.onDidChange(({ keys }) => {
      if (keys.some((key) => key === 'localApi' || key === 'localApiPort')) void this.apply();
    });
    this.handlers = { 'api.getState': () => this.state };
    if (options.settings.get().localApi) void this.apply();
  }

  /** Local API chat requests generating now and waiting for a turn. */
  get chatQueue(): { running: number; waiting: number } {
    return { running: this.chat.queue.running, waiting: this.chat.queue.waiting };
  }

  get state(): ApiState {
    return { local: this.local, remote: this.remote.state };
  }

  /** Late wiring for the host's secret store and audit log (they may be created after this service). */
  attach(wiring: { secrets?: SecretAccess | null; onAudit?: AuditSink }): void {
    if (wiring.secrets !== undefined) this.options.secrets = wiring.secrets;
    if (wiring.onAudit !== undefined) this.options.onAudit = wiring.onAudit;
  }

  /** Serves the API for this run (port: the setting's when null). Resolves to the state, error included. */
  async enableForRun(port: number | null = null): Promise<LocalApiState> {
    this.runOverride = { port };
    await this.apply();
    return this.local;
  }

  /** Starts, restarts or stops the server to match the settings (and the run override). */
  apply(): Promise<void> {
    return this.queue.run(async () => {
      const settings = this.options.settings.get();
      const wanted = this.disposed ? null : this.runOverride ? { port: this.runOverride.port ?? settings.localApiPort } : settings.localApi ? { port: settings.localApiPort } : null;
      if (this.server && wanted && this.serving?.port === wanted.port) return;
      await this.stopServer();
      if (!wanted) return this.setLocal({ enabled: false, url: null, error: null });
      try {
        const key = await this.localKey();
        this.server = await LocalApiServer.listen({ port: wanted.port, key, handlers: this.apiHandlers(), logger: this.options.logger, onAudit: (summary, details) => this.options.onAudit?.(summary, details), now: this.options.now });
        this.serving = wanted;
        this.options.logger.info('local API serving', { url: this.server.url });
        this.setLocal({ enabled: true, url: this.server.url, error: null });
      } catch (error) {
        const message = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `Port ${wanted.port} is taken by another program: choose another local API port.` : (error as Error).message;
        this.options.logger.warn('local API not started', { error: message });
        this.setLocal({ enabled: true, url: null, error: message });
      }
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.apply();
    this.changed.dispose();
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.serving = null;
    await server?.close();
  }

  /** The key clients must send; made (32 random bytes) and stored the first time the API is enabled. */
  private async localKey(): Promise<string> {
    const secrets = this.options.secrets;
    if (!secrets || secrets.backend === 'unavailable') {
      throw new AssistantError(ErrorCode.WorkerUnavailable, `The local API needs a secret store for its key, and none is available${secrets?.reason ? `: ${secrets.reason.replace(/\.$/, '')}` : ''}.`);
    }
    const existing = await secrets.get(knownSecrets.localApiKey);
    if (existing) return existing;
    const key = `sk-local-${randomBytes(32).toString('base64url')}`;
    await secrets.set(knownSecrets.localApiKey, key);
    return key;
  }

  /** What the local API server answers with (public for tests that serve it with their own server options). */
  apiHandlers(): LocalApiHandlers {
    const { chatModel, embeddings } = this.options;
    return {
      models: () => [
        ...(chatModel.state.name ? [{ id: chatModel.state.name, kind: 'chat' as const }] : []),
        ...(embeddings.info ? [{ id: embeddings.info.name, kind: 'embedding' as const }] : []),
      ],
      chat: this.chat.handle,
      embed: async (request, signal) => {
        const texts = typeof request.input === 'string' ? [request.input] : request.input;
        const vectors = await embeddings.embed(texts, signal, { priority: 'api' });
        return { vectors, model: embeddings.info?.name ?? 'local' };
      },
      speech: this.options.voice ? (text, signal) => this.options.voice!.synthesize(text, signal) : undefined,
      transcribe: this.options.voice ? (wav, signal) => this.options.voice!.transcribe(wav, signal) : undefined,
      metrics: this.options.metrics ? () => this.options.metrics!.exposition() : undefined,
    };
  }

  private setLocal(state: LocalApiState): void {
    this.local = state;
    this.changed.fire(this.state);
  }
}
