import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ContractHandlers, StreamHandlerContext } from '../../common/contract/defineContract.js';
import { type HostContract, type ModelsList, hostContract } from '../../common/contract/hostContract.js';
import { inferenceContract } from '../../common/contract/inferenceContract.js';
import type { AppState, InstalledModel, PullProgress } from '../../common/contract/schemas.js';
import { modelSettingProblem } from '../../common/describeSetting.js';
import { findInstalledModel } from '../../common/findInstalledModel.js';
import { modelSettingKinds } from '../../common/settings.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { DisposableStore, type Disposable, toDisposable } from '../../common/disposable.js';
import type { RpcTransport } from '../../common/rpc/protocol.js';
import { type RpcServer, serveRpc } from '../../common/rpc/RpcServer.js';
import { ApiService } from '../api/ApiService.js';
import { AuditLog } from '../audit/AuditLog.js';
import { AuditRecorder } from '../audit/AuditRecorder.js';
import { ConversationStore } from '../conversations/ConversationStore.js';
import { openDatabase } from '../db/openDatabase.js';
import type { Logger } from '../logger.js';
import { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import { MetricsService } from '../metrics/MetricsService.js';
import { type Manifest, loadManifest } from '../models/manifest.js';
import { ModelManager, statModelPath } from '../models/ModelManager.js';
import { NetworkGate } from '../network/NetworkGate.js';
import type { AppPaths } from '../paths.js';
import { createSecretStore } from '../secrets/createSecretStore.js';
import { SecretService } from '../secrets/SecretService.js';
import type { SecretStore } from '../secrets/SecretStore.js';
import { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerLauncher } from '../workers/WorkerLauncher.js';
import { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import { ChatModelService } from './ChatModelService.js';
import { ChatService } from './ChatService.js';
import type { DocumentLibrary, DocumentLibraryFactory, DocumentMethods } from './DocumentLibrary.js';
import { EmbeddingKeyStore } from './EmbeddingKeyStore.js';
import { EmbeddingModelService } from './EmbeddingModelService.js';
import { OutsideChanges } from './OutsideChanges.js';
import type { VoiceLibrary, VoiceLibraryFactory, VoiceMethods } from './VoiceLibrary.js';
import type { VoiceState } from '../../common/contract/voiceSchemas.js';

/** How often a long-running app (Electron, serve) looks for changes the CLI made beside it (ms). */
export const outsideChangesIntervalMs = 1000;

export interface AssistantHostOptions {
  paths: AppPaths;
  launcher: WorkerLauncher;
  logger: Logger;
  /** The model manifest, or the file to read it from (ASSISTANT_MODEL_MANIFEST overrides it in apps, for mirrors). */
  manifest: Manifest | string;
  version: string;
  /** `--model NAME|PATH` for this run; wins over the setting. */
  chatModel?: string | null;
  /** Start the inference worker and load the chat model at once, so the first message is fast. */
  preload?: boolean;
  now?: () => number;
  /** Circuit breaker tuning; the defaults are DESIGN.md's (3 failures, 60 s). */
  breaker?: { failureThreshold?: number; openMs?: number };
  /** The user's documents (packages/rag); without it, document methods answer that they are unavailable. */
  documents?: DocumentLibraryFactory;
  /** Listening and speaking (packages/voice); without it, the app is text-only and says so. */
  voice?: VoiceLibraryFactory;
  /** Where secrets live; a factory lets Electron add its safeStorage fallback. Default: the OS keychain, else unavailable. */
  secrets?: SecretStore | (() => Promise<SecretStore>);
  /**
   * How often to look for changes the CLI made beside the running app (ms). Default 0, never: a one-shot
   * command has nothing to keep in sync; long-running apps (Electron, serve) pass `outsideChangesIntervalMs`.
   */
  watchIntervalMs?: number;
}

/**
 * The composition root. Everything the renderer, the CLI and tests can do goes through `connect`, which
 * serves the host contract (validated) over any transport: Electron IPC, a WebSocket, or in memory.
 */
export class AssistantHost implements Disposable {
  private readonly store = new DisposableStore();
  private readonly connections = new Set<RpcServer<HostContract>>();
  private readonly handlers: ContractHandlers<HostContract>;
  private disposed = false;
  private readonly pulling = new Set<string>();
  private readonly recorder: AuditRecorder;
  /** Model setting values found to be paths of the right type (`kind:value`), during one settings update. */
  private modelPaths: ReadonlySet<string> = new Set();
  /** The installed reranker GGUF (re-read with the other models). */
  private rerankerPath: string | null = null;
  /** What the models folder held at the last scan: model settings must name one of these (or a path). */
  private installedModels: InstalledModel[] = [];
  private outside: OutsideChanges | null = null;

  private constructor(
    private readonly options: AssistantHostOptions,
    private readonly db: Database,
    readonly models: ModelManager,
    readonly settings: SettingsStore,
    readonly conversations: ConversationStore,
    readonly supervisor: WorkerSupervisor<typeof inferenceContract>,
    readonly chatModel: ChatModelService,
    readonly network: NetworkGate,
    readonly embeddings: EmbeddingModelService,
    readonly documents: DocumentLibrary | null,
    readonly voice: VoiceLibrary | null,
    readonly secrets: SecretService,
    readonly audit: AuditLog,
    readonly api: ApiService,
    readonly metrics: MetricsService,
  ) {
    // Subscribed first, so each change is recorded before other listeners act on it.
    this.recorder = this.store.add(new AuditRecorder({ audit, settings, network, chatModel, embeddings, supervisor, documents, voice, replacedBy: (id) => replacedBy(db, id) }));
    this.store.add(audit.onDidAppend((event) => this.publish('audit.appended', event)));
    this.store.add(new MetricsRecorder({ metrics, supervisor, documents, voice, now: options.now }));
    const chat = new ChatService({
      documents,
      conversations,
      settings,
      chatModel,
      supervisor,
      logger: options.logger,
      now: options.now,
      onConversationChanged: (conversationId) => this.publish('conversations.changed', { conversationId }),
      remote: api.remote,
      onDidFinishTurn: (turn) => {
        this.recorder.turn(turn);
        metrics.turn(turn);
      },
      reranker: () => this.rerankerPath,
    });
    this.store.add(toDisposable(() => supervisor.dispose()));
    this.store.add(supervisor.onDidChangeState(() => this.publishState()));
    this.store.add(chatModel.onDidChange(() => this.publishState()));
    if (documents) {
      this.store.add(documents.onDidChangeState(() => this.publishState()));
      this.store.add(documents.onDidChangeDocument((change) => this.publish('documents.changed', change)));
    }
    if (voice) this.store.add(voice.onDidChangeState((state) => this.publish('voice.changed', state)));
    this.store.add(api.onDidChange((state) => this.publish('api.changed', state)));
    this.store.add(secrets);
    this.store.add(toDisposable(() => network.dispose()));
    this.store.add(network.onDidChange((state) => this.publish('network.changed', state)));
    this.store.add(settings.onDidChange(({ keys }) => keys.includes('offlineLock') && network.lockChanged()));
    this.store.add(settings.onDidChange(({ settings: next, keys, external }) => this.publish('settings.changed', { settings: next, keys, external })));
    // Paths were looked at (asynchronously, with the right type) by the handler just before the update.
    settings.useCheck((key, value) => modelSettingProblem(key, value, this.installedModels, (file, kind) => this.modelPaths.has(`${kind}:${file}`)));

    this.handlers = {
      'app.getState': () => this.state,
      'workers.retry': async ({ name }) => {
        if (name === 'ingest') {
          await documents?.retryWorker();
          return this.state;
        }
        await supervisor.retry();
        await chatModel.ensureLoaded().catch(() => {});
        return this.state;
      },
      'conversations.list': () => conversations.list(),
      'conversations.create': ({ title }) => {
        const created = conversations.create(title);
        this.publish('conversations.changed', { conversationId: created.id });
        return created;
      },
      'conversations.get': ({ id }) => ({ conversation: conversations.get(id), messages: conversations.messages(id) }),
      'conversations.rename': ({ id, title }) => {
        const renamed = conversations.rename(id, title);
        this.publish('conversations.changed', { conversationId: id });
        return renamed;
      },
      'conversations.delete': ({ id }) => {
        const deleted = conversations.delete(id);
        this.publish('conversations.changed', { conversationId: id });
        return { deleted };
      },
      'conversations.search': ({ query, limit }) => conversations.search(query, limit),
      'chat.send': (input, context) => chat.send(input, context),
      'chat.continue': (input, context) => chat.continue(input, context),
      'models.list': async () => ({ modelsDir: models.modelsDir, installed: await models.installed(), catalog: models.catalog() }),
      'models.rescan': () => this.refreshModels(),
      'models.pull': (input, context) => this.pull(input.id, context),
      ...(documents?.handlers ?? unavailableDocuments()),
      ...(voice?.handlers ?? unavailableVoice()),
      ...secrets.handlers,
      ...network.handlers,
      ...audit.handlers,
      ...api.handlers,
      'diagnostics.get': () => metrics.snapshot(),
      'diagnostics.voiceTurn': (stages) => {
        metrics.voiceTurn(stages);
        return {};
      },
      'settings.get': () => settings.get(),
      'settings.update': async (patch) => {
        const paths = await this.lookAtModelPaths(patch);
        return this.withModelPaths(paths, () => settings.update(patch));
      },
      'settings.export': () => ({ json: settings.exportJson() }),
      'settings.import': async ({ json }) => {
        const paths = await this.lookAtModelPaths(parsedObject(json));
        return this.withModelPaths(paths, () => settings.importJson(json));
      },
    };
  }

  static async create(options: AssistantHostOptions): Promise<AssistantHost> {
    const db = openDatabase({ file: options.paths.database });
    // First: the audit log signs its rows with a key kept in the keychain.
    const secretStore = typeof options.secrets === 'function' ? await options.secrets() : (options.secrets ?? (await createSecretStore({ home: options.paths.home, logger: options.logger })));
    const audit = await AuditLog.open(db, { logger: options.logger, now: options.now, secrets: secretStore });
    audit.append('app.start', `The app started (version ${options.version}).`, { version: options.version });
    const conversations = new ConversationStore(db, options.now);
    const interrupted = conversations.markInterrupted();
    if (interrupted > 0) options.logger.warn('replies interrupted by the previous shutdown were kept', { interrupted });
    const settings = new SettingsStore(db, options.logger);
    const network = new NetworkGate({ logger: options.logger, offline: () => settings.get().offlineLock });
    const manifest = typeof options.manifest === 'string' ? loadManifest(options.manifest) : options.manifest;
    const models = new ModelManager({ modelsDir: options.paths.modelsDir, manifest, network });
    const supervisor = new WorkerSupervisor({ name: 'inference', contract: inferenceContract, launcher: options.launcher, logger: options.logger, now: options.now, ...options.breaker });
    const chatModel = new ChatModelService({ models, settings, supervisor, logger: options.logger, override: options.chatModel });
    await chatModel.refresh();
    const embeddings = new EmbeddingModelService({ models, settings, supervisor, logger: options.logger, keys: new EmbeddingKeyStore(db) });
    await embeddings.refresh();
    const documents = options.documents
      ? await options.documents({ db, paths: options.paths, settings, embeddings, launcher: options.launcher, logger: options.logger, now: options.now, breaker: options.breaker })
      : null;
    const voice = options.voice ? await options.voice({ paths: options.paths, settings, models, launcher: options.launcher, logger: options.logger, now: options.now, breaker: options.breaker }) : null;
    const secrets = new SecretService({
      store: secretStore,
      logger: options.logger,
      // By name only: the value never reaches the audit log.
      onAudit: (kind, name) => audit.append(kind, kind === 'secret.set' ? `The secret "${name}" was set.` : `The secret "${name}" was deleted.`, { name }),
    });
    const metrics = new MetricsService({ now: options.now });
    const api = new ApiService({ metrics, settings, chatModel, supervisor, embeddings, network, voice, logger: options.logger, secrets, onAudit: (summary, details) => audit.append('api.call', summary, details), breaker: options.breaker, now: options.now });
    embeddings.useRemote(api.remote);
    const host = new AssistantHost(options, db, models, settings, conversations, supervisor, chatModel, network, embeddings, documents, voice, secrets, audit, api, metrics);
    host.rerankerPath = (await models.resolveRerankerModel())?.path ?? null;
    host.installedModels = await models.installed();
    const intervalMs = options.watchIntervalMs ?? 0;
    if (intervalMs > 0) {
      const refreshModels = async () => {
        const before = host.installedModels.map((model) => model.name);
        const after = (await host.refreshModels()).installed.map((model) => model.name);
        return { before, after };
      };
      host.outside = await OutsideChanges.start({ db, models, settings, conversations, documents, publish: host.publish, refreshModels, logger: options.logger, intervalMs });
    }
    if (options.preload && chatModel.state.status === 'idle') void chatModel.ensureLoaded().catch(() => {});
    options.logger.info('host started', { home: options.paths.home, modelsDir: options.paths.modelsDir, database: path.basename(options.paths.database) });
    return host;
  }

  get state(): AppState {
    return {
      version: this.options.version,
      modelsDir: this.options.paths.modelsDir,
      inference: this.supervisor.state,
      chatModel: this.chatModel.state,
      setupNeeded: this.chatModel.setupNeeded,
      documents: this.documents?.state ?? { ready: 0, indexing: 0, failed: 0, ingest: unavailableWorker, embeddingModel: null, embeddingReliability: null, search: { mode: 'keywords', reason: 'documents are not part of this build' } },
    };
  }

  /** Serves the host contract over one transport (a window, a browser tab, a CLI session). */
  connect(transport: RpcTransport): Disposable {
    const server = serveRpc(hostContract, transport, this.handlers, {
      onError: (name, error) => this.options.logger.debug('call failed', { name, error: String(error) }),
    });
    this.connections.add(server);
    const closed = transport.onClose(() => dispose.dispose());
    const dispose = toDisposable(() => {
      closed.dispose();
      server.dispose();
      this.connections.delete(server);
    });
    return dispose;
  }

  private async pull(id: string, context: StreamHandlerContext<PullProgress>): Promise<InstalledModel> {
    if (this.pulling.has(id)) throw new AssistantError(ErrorCode.Busy, `${id} is already downloading.`);
    this.pulling.add(id);
    // Progress arrives per network chunk; a few updates a second are enough for a progress bar.
    let lastEmit = 0;
    try {
      const installed = await this.models.pull(id, {
        signal: context.signal,
        onProgress: (progress) => {
          const now = Date.now();
          if (now - lastEmit < 100 && progress.receivedBytes !== progress.totalBytes) return;
          lastEmit = now;
          context.emit(progress);
        },
      });
      this.options.logger.info('model pulled', { model: id });
      return installed;
    } finally {
      this.pulling.delete(id);
      await this.refreshModels();
    }
  }

  /** After models were pulled, or copied in by another process (the folder watcher, Check again): rescan and tell every window. */
  async refreshModels(): Promise<ModelsList> {
    const list = { modelsDir: this.models.modelsDir, installed: await this.models.installed(), catalog: this.models.catalog() };
    this.installedModels = list.installed;
    await this.chatModel.refresh();
    await this.embeddings.refresh();
    this.rerankerPath = (await this.models.resolveRerankerModel())?.path ?? null;
    this.voice?.modelsChanged?.();
    this.publishState();
    this.publish('models.changed', list);
    return list;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.outside?.dispose();
    for (const connection of this.connections) connection.dispose();
    this.connections.clear();
    await this.documents?.dispose();
    await this.voice?.dispose();
    // The local API's calls use the worker and the database: it stops before either.
    await this.api.dispose();
    await this.supervisor.stop();
    this.store.dispose();
    // Written before the database closes: the last events of the session are durable.
    this.recorder.stop(this.options.version);
    this.audit.dispose();
    this.db.close();
    // The keychain's record of the log's end, written once the last rows are on disk.
    await this.audit.sealed;
    this.options.logger.info('host stopped');
  }

  /** The model settings in `values` that name no installed model but a file (GGUF) or folder (voice) of the right type. */
  private async lookAtModelPaths(values: Record<string, unknown>): Promise<Set<string>> {
    const found = new Set<string>();
    for (const [key, value] of Object.entries(values)) {
      if (!(key in modelSettingKinds) || typeof value !== 'string') continue;
      const kind = modelSettingKinds[key as keyof typeof modelSettingKinds];
      if (!findInstalledModel(this.installedModels, kind, value) && (await statModelPath(kind, value))) found.add(`${kind}:${value}`);
    }
    return found;
  }

  /** Runs a (synchronous) settings change with the model paths looked at just before it. */
  private withModelPaths<T>(paths: ReadonlySet<string>, change: () => T): T {
    this.modelPaths = paths;
    try {
      return change();
    } finally {
      this.modelPaths = new Set();
    }
  }

  private publishState(): void {
    this.publish('app.stateChanged', this.state);
  }

  private publish: RpcServer<HostContract>['publish'] = (name, payload) => {
    for (const connection of this.connections) connection.publish(name, payload);
  };
}

/** The document an ingested one replaced (rag's schema keeps it in documents.replaces_id). */
function replacedBy(db: Database, id: string): string | null {
  const row = db.prepare(`SELECT replaces_id FROM documents WHERE id = ?`).get(id) as { replaces_id: string | null } | undefined;
  return row?.replaces_id ?? null;
}

/** A settings file's object, or an empty one (importJson names what is wrong with it). */
function parsedObject(json: string): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(json);
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function unavailableVoice(): Pick<ContractHandlers<HostContract>, VoiceMethods> {
  const state: VoiceState = {
    tier: 'TEXT_ONLY',
    starting: false,
    message: 'Voice is not available in this build: type your messages.',
    listen: { available: false, engine: null, reason: 'voice is not part of this build' },
    speak: { available: false, engine: null, reason: 'voice is not part of this build' },
    microphone: 'unknown',
    worker: { ...unavailableWorker, name: 'voice' },
  };
  const fail = (): never => {
    throw new AssistantError(ErrorCode.WorkerUnavailable, 'Voice is not available in this build.');
  };
  return { 'voice.getState': () => state, 'voice.retry': () => state, 'voice.microphone': () => state, 'voice.listen': fail, 'voice.listenEnd': fail, 'voice.speak': fail };
}

const unavailableWorker = { name: 'ingest', status: 'unavailable', breaker: 'closed', restarts: 0, consecutiveFailures: 0, lastError: null, retryAt: null } as const;

function unavailableDocuments(): Pick<ContractHandlers<HostContract>, DocumentMethods> {
  const fail = (): never => {
    throw new AssistantError(ErrorCode.WorkerUnavailable, 'Documents are not available in this build.');
  };
  return {
    'documents.list': () => [],
    'documents.add': fail,
    'documents.upload': fail,
    'documents.remove': fail,
    'documents.reindex': fail,
    'documents.cancel': fail,
    'documents.search': fail,
    'documents.passage': fail,
  };
}
