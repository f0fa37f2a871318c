import type { DocumentsChanged, DocumentStatus } from '../../common/contract/documentSchemas.js';
import type { WorkerState } from '../../common/contract/schemas.js';
import type { VoiceState } from '../../common/contract/voiceSchemas.js';
import { type Disposable, DisposableStore, type Event } from '../../common/disposable.js';
import { ErrorCode } from '../../common/errors.js';
import type { DocumentLibrary } from '../host/DocumentLibrary.js';
import type { MetricsService } from './MetricsService.js';

export interface MetricsRecorderSources {
  metrics: MetricsService;
  supervisor: { readonly state: WorkerState; readonly onDidChangeState: Event<WorkerState> };
  documents: Pick<DocumentLibrary, 'state' | 'onDidChangeState' | 'onDidChangeDocument'> | null;
  voice: { readonly state: VoiceState; readonly onDidChangeState: Event<VoiceState> } | null;
  now?: () => number;
}

/**
 * Feeds MetricsService from what the host's parts announce (the AuditRecorder's counterpart): worker states
 * (restarts, crashes, breakers), the voice tier, and documents (ingestion throughput, failures). Chat turns
 * and the renderer's voice stages reach the service from the host directly.
 */
export class MetricsRecorder implements Disposable {
  private readonly store = new DisposableStore();
  /** When each document in flight started parsing (a document's throughput is measured from there, not from its wait in the queue). */
  private readonly parsingSince = new Map<string, number>();
  private readonly statuses = new Map<string, DocumentStatus>();

  constructor(private readonly sources: MetricsRecorderSources) {
    const { metrics, supervisor, documents, voice } = sources;
    metrics.workerState(supervisor.state);
    this.store.add(supervisor.onDidChangeState((state) => metrics.workerState(state)));
    if (documents) {
      metrics.workerState(documents.state.ingest);
      this.store.add(documents.onDidChangeState(() => metrics.workerState(documents.state.ingest)));
      this.store.add(documents.onDidChangeDocument((change) => this.documentChanged(change)));
    }
    if (voice) {
      this.voiceChanged(voice.state);
      this.store.add(voice.onDidChangeState((state) => this.voiceChanged(state)));
    }
  }

  dispose(): void {
    this.store.dispose();
  }

  private get now(): number {
    return (this.sources.now ?? Date.now)();
  }

  private voiceChanged(state: VoiceState): void {
    this.sources.metrics.workerState(state.worker);
    // While the engines start for the first time the tier is not known yet.
    if (!state.starting) this.sources.metrics.voiceTier(state.tier);
  }

  private documentChanged({ id, document }: DocumentsChanged): void {
    const before = this.statuses.get(id);
    if (!document) {
      this.statuses.delete(id);
      this.parsingSince.delete(id);
      return;
    }
    this.statuses.set(id, document.status);
    if (document.status === before) return;
    if (document.status === 'parsing') this.parsingSince.set(id, this.now);
    if (document.status === 'queued' || document.status === 'parsing' || document.status === 'embedding') return;
    const since = this.parsingSince.get(id);
    this.parsingSince.delete(id);
    if (document.status === 'ready' && since !== undefined) this.sources.metrics.documentIngested({ bytes: document.sizeBytes, ms: this.now - since });
    if (document.status === 'failed') this.sources.metrics.error('documents', document.error?.code ?? ErrorCode.Internal);
  }
}
