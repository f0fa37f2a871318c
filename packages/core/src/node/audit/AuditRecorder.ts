import type { DocumentsChanged } from '../../common/contract/documentSchemas.js';
import type { InferenceContract } from '../../common/contract/inferenceContract.js';
import type { ModelState, WorkerState } from '../../common/contract/schemas.js';
import type { VoiceState, VoiceTier } from '../../common/contract/voiceSchemas.js';
import { type Disposable, DisposableStore } from '../../common/disposable.js';
import { plural } from '../../common/text/plural.js';
import { ErrorCode } from '../../common/errors.js';
import type { Settings } from '../../common/settings.js';
import type { ChatModelService } from '../host/ChatModelService.js';
import type { ChatTurn } from '../host/ChatService.js';
import type { DocumentLibrary } from '../host/DocumentLibrary.js';
import type { EmbeddingModelService } from '../host/EmbeddingModelService.js';
import type { VoiceLibrary } from '../host/VoiceLibrary.js';
import type { NetworkGate, OutboundAttempt } from '../network/NetworkGate.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import { isSecretName, redacted } from './auditHash.js';
import type { AuditLog } from './AuditLog.js';

export interface AuditRecorderSources {
  audit: AuditLog;
  settings: SettingsStore;
  network: NetworkGate;
  chatModel: ChatModelService;
  embeddings: EmbeddingModelService;
  supervisor: WorkerSupervisor<InferenceContract>;
  documents: DocumentLibrary | null;
  voice: VoiceLibrary | null;
  /** The document an ingested one replaced, if any (it is gone from the list by the time we hear of it). */
  replacedBy?(documentId: string): string | null;
}

const show = (value: unknown) => {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

/**
 * Turns what the host's parts announce into audit rows: models, documents, settings, breakers, the voice
 * tier, outbound connections and chat turns. It only listens; nothing it records can fail a user action.
 */
export class AuditRecorder implements Disposable {
  private readonly store = new DisposableStore();
  private settings: Settings;
  private readonly breakers = new Map<string, WorkerState['breaker']>();
  private chatModel: Pick<ModelState, 'status' | 'name'>;
  private embeddingKey: string | null = null;
  private embeddingMissing = false;
  private tier: VoiceTier | null = null;
  private readonly documentStatus = new Map<string, { status: string; name: string }>();
  /** Old versions whose removal is part of a replacement already recorded. */
  private readonly replacedIds = new Set<string>();

  constructor(private readonly sources: AuditRecorderSources) {
    const { settings, network, chatModel, embeddings, supervisor, documents, voice } = sources;
    this.settings = settings.get();
    this.chatModel = chatModel.state;
    this.breakers.set('inference', supervisor.state.breaker);
    // A change another process made (the CLI) is in the log already: that process recorded it.
    this.store.add(settings.onDidChange(({ settings: next, keys, external }) => (external ? (this.settings = next) : this.settingsChanged(next, keys))));
    this.store.add(network.onDidAttempt((attempt) => this.outbound(attempt)));
    this.store.add(network.onDidFinish(({ host, purpose, bytes }) => this.append('network', `Finished a connection to ${host} (${purpose}): ${bytes ?? 0} bytes received.`, { host, purpose, allowed: true, bytes })));
    this.store.add(chatModel.onDidChange((state) => this.chatModelChanged(state)));
    this.store.add(embeddings.onDidChange(() => this.embeddingChanged()));
    this.store.add(supervisor.onDidChangeState((state) => this.breaker(state)));
    if (documents) {
      this.breakers.set(documents.state.ingest.name, documents.state.ingest.breaker);
      this.store.add(documents.onDidChangeDocument((change) => this.documentChanged(change)));
      this.store.add(
        documents.onDidChangeState(() => {
          this.breaker(documents.state.ingest);
          this.embeddingChanged();
        }),
      );
    }
    if (voice) {
      this.breakers.set(voice.state.worker.name, voice.state.worker.breaker);
      this.voiceChanged(voice.state);
      this.store.add(voice.onDidChangeState((state) => this.voiceChanged(state)));
    }
  }

  /** A chat turn ended. Its text is recorded only when the user chose `auditDetail: eventsAndText`. */
  turn(turn: ChatTurn): void {
    const withText = this.sources.settings.get().auditDetail === 'eventsAndText';
    const text = withText ? { userText: turn.userText, reply: turn.reply } : {};
    const base = { conversationId: turn.conversationId, status: turn.status, stopReason: turn.stopReason, ...text };
    if (turn.status === 'error' && turn.error?.code !== ErrorCode.Cancelled) {
      this.append('error', `A chat turn failed: ${turn.error?.message ?? 'unknown error'}`, { ...base, code: turn.error?.code ?? null });
      return;
    }
    this.append('conversation', turn.status !== 'complete' ? 'A chat turn was stopped.' : 'A chat turn was answered.', base);
  }

  /** The app is stopping: 'app.stop' with what this session sent and received over the network. */
  stop(version: string): void {
    const outbound = this.sources.network.history.filter((attempt) => attempt.allowed).map(({ host, purpose, bytes }) => ({ host, purpose, bytes }));
    this.append('app.stop', `The app stopped (version ${version}).`, { version, outbound });
  }

  dispose(): void {
    this.store.dispose();
  }

  private append(...args: Parameters<AuditLog['append']>): void {
    try {
      this.sources.audit.append(...args);
    } catch {
      // The log reports its own write failures; a bad event must never break the action it describes.
    }
  }

  private settingsChanged(next: Settings, keys: readonly (keyof Settings)[]): void {
    const values: Record<string, unknown> = {};
    const previous: Record<string, unknown> = {};
    const parts: string[] = [];
    for (const key of keys) {
      const secret = isSecretName(key);
      values[key] = secret ? redacted : next[key];
      previous[key] = secret ? redacted : this.settings[key];
      parts.push(secret ? `${key} changed` : `${key} ${show(this.settings[key])} → ${show(next[key])}`);
    }
    this.settings = next;
    this.append('settings.changed', `Settings changed: ${parts.join(', ')}.`, { names: [...keys], values, previous });
  }

  private outbound(attempt: OutboundAttempt): void {
    const { host, purpose, allowed, bytes } = attempt;
    this.append('network', `${allowed ? 'Connected' : 'Blocked a connection'} to ${host} (${purpose}).`, { host, purpose, allowed, bytes });
  }

  private chatModelChanged(state: ModelState): void {
    const before = this.chatModel;
    this.chatModel = { status: state.status, name: state.name };
    if (state.status === before.status && state.name === before.name) return;
    if (state.status === 'ready') this.append('model.loaded', `Chat model ${state.name ?? ''} loaded.`, { role: 'chat', name: state.name, threads: state.threads, contextSize: state.contextSize });
    else if (state.status === 'error') this.append('model.failed', `Chat model ${state.name ?? ''} failed to load: ${state.error?.message ?? 'unknown error'}`, { role: 'chat', name: state.name, code: state.error?.code ?? null });
  }

  /** The embedding service announces a changed choice, not loads: its info appears once it has loaded. */
  private embeddingChanged(): void {
    const { embeddings, settings } = this.sources;
    const info = embeddings.info;
    if (info && info.key !== this.embeddingKey) {
      this.embeddingKey = info.key;
      this.append('model.loaded', `Embedding model ${info.name} loaded (${info.dimensions} dimensions).`, { role: 'embedding', name: info.name, dimensions: info.dimensions });
    }
    const wanted = settings.get().embeddingModel;
    const missing = !embeddings.available && wanted !== null;
    if (missing && !this.embeddingMissing) this.append('model.failed', `Embedding model ${wanted} is not available; documents are searched by keywords only.`, { role: 'embedding', name: wanted });
    this.embeddingMissing = missing;
    if (!info) this.embeddingKey = null;
  }

  private documentChanged({ id, document }: DocumentsChanged): void {
    if (!document) {
      const name = this.documentStatus.get(id)?.name ?? null;
      this.documentStatus.delete(id);
      if (this.replacedIds.delete(id)) return;
      this.append('document.removed', `Document ${name ?? id} was removed.`, { id, name });
      return;
    }
    const before = this.documentStatus.get(id)?.status;
    this.documentStatus.set(id, { status: document.status, name: document.name });
    if (document.status === before) return;
    const details = { id, name: document.name, path: document.path, contentHash: document.contentHash, chunks: document.chunks };
    if (document.status === 'ready') {
      this.embeddingChanged();
      const replaced = this.sources.replacedBy?.(id) ?? null;
      if (replaced) {
        this.replacedIds.add(replaced);
        this.append('document.replaced', `Document ${document.name} was re-ingested, replacing its older version.`, { ...details, replaced });
      } else {
        this.append('document.ingested', `Document ${document.name} was ingested (${plural(document.chunks, 'passage')}).`, details);
      }
    } else if (document.status === 'failed') {
      this.append('error', `Document ${document.name} failed: ${document.error?.message ?? 'unknown error'}`, { ...details, code: document.error?.code ?? null });
    }
  }

  private breaker(state: WorkerState): void {
    const before = this.breakers.get(state.name) ?? 'closed';
    if (before === state.breaker) return;
    this.breakers.set(state.name, state.breaker);
    const what = `The ${state.name} worker's circuit breaker`;
    const summary =
      state.breaker === 'open'
        ? `${what} opened after ${state.consecutiveFailures} failures${state.lastError ? ` (${state.lastError})` : ''}.`
        : state.breaker === 'half-open'
          ? `${what} is half-open: trying the worker once.`
          : `${what} closed: the worker works again.`;
    this.append('breaker', summary, { worker: state.name, from: before, to: state.breaker, failures: state.consecutiveFailures, lastError: state.lastError, retryAt: state.retryAt });
  }

  private voiceChanged(state: VoiceState): void {
    this.breaker(state.worker);
    if (state.starting || state.tier === this.tier) return;
    const from = this.tier;
    this.tier = state.tier;
    const capability = (c: VoiceState['listen']) => ({ available: c.available, engine: c.engine, reason: c.reason });
    this.append('voice.tier', state.message ? `Voice: ${state.message}` : `Voice tier ${state.tier}: listening and speaking work.`, { from, to: state.tier, listen: capability(state.listen), speak: capability(state.speak) });
  }
}
