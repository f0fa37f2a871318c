import type { InferenceContract, WorkPriority } from '../../common/contract/inferenceContract.js';
import type { InstalledModel } from '../../common/contract/schemas.js';
import { Emitter } from '../../common/disposable.js';
import { decodeVector } from '../../common/embedding/vectorCodec.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import type { ModelManager } from '../models/ModelManager.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import type { EmbeddingKeyStore } from './EmbeddingKeyStore.js';

export interface EmbeddingModelServiceOptions {
  models: ModelManager;
  settings: SettingsStore;
  supervisor: WorkerSupervisor<InferenceContract>;
  logger: Logger;
  /** Where each model's key is remembered between runs; without it the key is known only once the model ran. */
  keys?: EmbeddingKeyStore;
}

/** Embeddings on a remote server (api/RemoteBackend), used instead of the local model when settings say so. */
export interface RemoteEmbeddings {
  readonly embeddingsActive: boolean;
  /** Never equal to a local model's key: remote and local vectors must never be compared. */
  readonly embeddingKey: string;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export interface EmbedOptions {
  /** Whose work this is: the worker embeds the user's first, then local API requests, then background backfill. */
  priority?: WorkPriority;
}

export interface EmbeddingModelInfo {
  /** Identity stored beside each vector: vectors of different models never mix. */
  key: string;
  name: string;
  path: string;
  dimensions: number;
}

/**
 * The embedding model in the inference worker: which one (setting, else the manifest's default), loaded
 * once per worker incarnation, and `embed` for batches. Without one, retrieval falls back to keywords.
 */
export class EmbeddingModelService {
  private resolved: InstalledModel | null = null;
  private loadedFor: { generation: number; info: EmbeddingModelInfo } | null = null;
  private loading: Promise<EmbeddingModelInfo> | null = null;
  private lastInfo: EmbeddingModelInfo | null = null;
  private remote: RemoteEmbeddings | null = null;
  private remoteInfo: EmbeddingModelInfo | null = null;
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: EmbeddingModelServiceOptions) {
    options.supervisor.onDidStart(() => {
      this.loadedFor = null;
    });
    options.settings.onDidChange(({ keys }) => {
      if (keys.some((key) => key === 'embeddingModel' || key === 'embeddingThreads')) void this.refresh().catch(() => {});
      if (this.remote && keys.some((key) => key === 'remoteUse' || key === 'remoteBaseUrl' || key === 'remoteEmbeddingModel')) {
        this.remoteInfo = null;
        this.changed.fire();
      }
    });
  }

  /** Re-reads the setting and the installed models. Throws when the setting names a model that is not there. */
  async refresh(): Promise<void> {
    const before = this.resolved?.path ?? null;
    try {
      this.resolved = await this.options.models.resolveEmbeddingModel(this.options.settings.get().embeddingModel);
    } catch (error) {
      this.resolved = null;
      this.options.logger.warn('embedding model unavailable', { error: String(error) });
    }
    if ((this.resolved?.path ?? null) !== before) {
      this.loadedFor = null;
      this.lastInfo = null;
      this.changed.fire();
    }
  }

  /** Routes embeddings to a remote server while settings say so (set once by the host). */
  useRemote(remote: RemoteEmbeddings): void {
    this.remote = remote;
    if (remote.embeddingsActive) this.changed.fire();
  }

  get available(): boolean {
    return this.remoteActive || this.resolved !== null;
  }

  /** The model's identity once it has been loaded at least once (dimensions are known only then). */
  get info(): EmbeddingModelInfo | null {
    return this.remoteActive ? this.remoteInfo : this.lastInfo;
  }

  /**
   * The current model's identity without loading it: from this process's load, else as remembered from an
   * earlier run. Stored vectors are searched by this key, so retrieval is the same in every process.
   */
  get knownInfo(): EmbeddingModelInfo | null {
    const info = this.info;
    if (info || !this.available) return info;
    const remote = this.remoteActive ? this.remote : null;
    const identity = remote ? remote.embeddingKey : this.resolved ? localIdentity(this.resolved) : null;
    const known = identity ? this.options.keys?.get(identity) : null;
    if (!known || !identity) return null;
    return { key: known.key, name: known.name, path: remote ? identity : this.resolved!.path, dimensions: known.dimensions };
  }

  private get remoteActive(): boolean {
    return this.remote?.embeddingsActive ?? false;
  }

  async ensureLoaded(signal?: AbortSignal): Promise<EmbeddingModelInfo> {
    if (this.remote?.embeddingsActive) return this.ensureRemote(this.remote, signal);
    for (;;) {
      const model = this.resolved;
      if (!model) throw new AssistantError(ErrorCode.NoEmbeddingModel, 'No embedding model is installed, so documents are searched by keywords only.');
      const { generation } = await this.options.supervisor.client();
      if (this.loadedFor?.generation === generation && this.loadedFor.info.path === model.path) return this.loadedFor.info;
      if (this.loading) {
        await this.loading.catch(() => {});
        continue;
      }
      this.loading = this.load(model, generation, signal);
      try {
        return await this.loading;
      } finally {
        this.loading = null;
      }
    }
  }

  /** Unit-length float32 vectors, one per text, in order. */
  async embed(texts: readonly string[], signal?: AbortSignal, options: EmbedOptions = {}): Promise<Float32Array[]> {
    // Remote failures throw (no local stand-in: its vectors would not match the stored remote ones).
    if (this.remote?.embeddingsActive) {
      await this.ensureRemote(this.remote, signal);
      return this.remote.embed(texts, signal);
    }
    const info = await this.ensureLoaded(signal);
    const result = await this.options.supervisor.run((client) => client.call('embed.batch', { texts: [...texts], priority: options.priority ?? 'user' }, { signal }));
    if (result.truncated > 0) this.options.logger.debug('embedding inputs truncated to the model context', { truncated: result.truncated, model: info.name });
    return result.vectors.map(decodeVector);
  }

  /** The remote model's identity; its dimensions come from embedding one short text the first time. */
  private async ensureRemote(remote: RemoteEmbeddings, signal?: AbortSignal): Promise<EmbeddingModelInfo> {
    if (this.remoteInfo?.path === remote.embeddingKey) return this.remoteInfo;
    const [probe] = await remote.embed(['dimensions'], signal);
    const dimensions = probe?.length ?? 0;
    this.remoteInfo = { key: `${remote.embeddingKey}:${dimensions}`, name: remote.embeddingKey, path: remote.embeddingKey, dimensions };
    if (dimensions > 0) this.options.keys?.put(remote.embeddingKey, { key: this.remoteInfo.key, name: this.remoteInfo.name, dimensions });
    return this.remoteInfo;
  }

  private async load(model: InstalledModel, generation: number, signal?: AbortSignal): Promise<EmbeddingModelInfo> {
    const threads = this.options.settings.get().embeddingThreads;
    const loaded = await this.options.supervisor.run((client) => client.call('embed.load', { modelPath: model.path, threads }, { signal }));
    const info: EmbeddingModelInfo = { key: `${localIdentity(model)}:${loaded.dimensions}`, name: model.name, path: model.path, dimensions: loaded.dimensions };
    this.loadedFor = { generation, info };
    this.options.keys?.put(localIdentity(model), { key: info.key, name: info.name, dimensions: info.dimensions });
    if (this.lastInfo?.key !== info.key) {
      this.lastInfo = info;
      this.options.logger.info('embedding model loaded', { model: model.name, dimensions: loaded.dimensions, threads: loaded.threads, contextSize: loaded.contextSize });
    }
    return info;
  }
}

/** What names a local model's vectors apart from the dimensions: its name and file size. */
function localIdentity(model: InstalledModel): string {
  return `${model.name}@${model.sizeBytes}`;
}
