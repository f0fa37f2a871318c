import { describe, expect, it } from 'vitest';
import { type DocumentInfo, type DocumentsChanged, type DocumentsState, type VoiceState, type WorkerState, Emitter, ErrorCode } from '../../src/index.js';
import { MetricsRecorder, MetricsService } from '../../src/node/index.js';

const worker = (name: string, patch: Partial<WorkerState> = {}): WorkerState => ({ name, status: 'ready', breaker: 'closed', restarts: 0, consecutiveFailures: 0, lastError: null, retryAt: null, ...patch });

const doc = (status: DocumentInfo['status'], patch: Partial<DocumentInfo> = {}): DocumentInfo => ({
  id: 'd1',
  name: 'notes.txt',
  path: '/notes.txt',
  format: 'text',
  sizeBytes: 300_000,
  contentHash: 'h',
  status,
  error: null,
  title: null,
  pages: null,
  chunks: 0,
  embeddedChunks: 0,
  createdAt: 0,
  updatedAt: 0,
  ...patch,
});

/** The host's parts as the recorder sees them: states and their change events. */
function setup() {
  let clock = 1000;
  const metrics = new MetricsService();
  const supervisorChanged = new Emitter<WorkerState>();
  const supervisor = { state: worker('inference'), onDidChangeState: supervisorChanged.event };
  const documentChanged = new Emitter<DocumentsChanged>();
  const documentsState = new Emitter<void>();
  const documents = {
    state: { ready: 0, indexing: 0, failed: 0, ingest: worker('ingest'), embeddingModel: null, embeddingReliability: null, search: { mode: 'keywords', reason: null } } as DocumentsState,
    onDidChangeState: documentsState.event,
    onDidChangeDocument: documentChanged.event,
  };
  const voiceChanged = new Emitter<VoiceState>();
  const capability = { available: true, engine: 'system', reason: null };
  const voiceState: VoiceState = { tier: 'TEXT_ONLY', starting: true, message: null, listen: capability, speak: capability, microphone: 'unknown', worker: worker('voice') };
  const voice = { state: voiceState, onDidChangeState: voiceChanged.event };
  const recorder = new MetricsRecorder({ metrics, supervisor, documents, voice, now: () => clock });
  return {
    metrics,
    recorder,
    advance: (ms: number) => (clock += ms),
    document: (document: DocumentInfo | null) => documentChanged.fire({ id: 'd1', document }),
    supervisorChanged,
    documents,
    documentsState,
    voiceChanged,
    voiceState,
  };
}

const figure = (metrics: MetricsService, name: string) => metrics.snapshot().figures.find((item) => item.figure === name)!;

describe('MetricsRecorder', () => {
  it("measures a document's throughput from the start of parsing (not its wait in the queue) to ready", () => {
    const { metrics, advance, document } = setup();
    document(doc('queued'));
    advance(60_000);
    document(doc('parsing'));
    advance(1000);
    document(doc('embedding', { chunks: 4 }));
    // Progress announcements repeat a status; only the change counts.
    document(doc('embedding', { chunks: 4, embeddedChunks: 2 }));
    advance(2000);
    document(doc('ready', { chunks: 4, embeddedChunks: 4 }));
    document(doc('ready', { chunks: 4, embeddedChunks: 4 }));
    expect(figure(metrics, 'ingestThroughput')).toMatchObject({ count: 1, p50: 100_000 });
  });

  it('does not measure a ready document it did not see parsed (new vectors for an old one), and counts a failure once', () => {
    const { metrics, document } = setup();
    document(doc('ready'));
    expect(figure(metrics, 'ingestThroughput').count).toBe(0);
    document(doc('parsing', { id: 'd1' }));
    const failed = doc('failed', { error: { code: ErrorCode.DocumentUnreadable, message: 'unreadable' } });
    document(failed);
    document(failed);
    expect(metrics.snapshot().errors).toEqual([{ source: 'documents', code: ErrorCode.DocumentUnreadable, count: 1 }]);
    expect(figure(metrics, 'ingestThroughput').count).toBe(0);
  });

  it("follows every worker's state and the voice tier once it is known", () => {
    const { metrics, supervisorChanged, documents, documentsState, voiceChanged, voiceState } = setup();
    expect(metrics.snapshot().workers.map((w) => w.name)).toEqual(['inference', 'ingest', 'voice']);
    // Starting: the tier is not known yet.
    expect(metrics.snapshot().voiceTier).toBeNull();
    supervisorChanged.fire(worker('inference', { status: 'crashed', restarts: 1, consecutiveFailures: 1 }));
    documents.state = { ...documents.state, ingest: worker('ingest', { status: 'unavailable', breaker: 'open', restarts: 3 }) };
    documentsState.fire();
    voiceChanged.fire({ ...voiceState, starting: false, tier: 'TTS_ONLY' });
    const snapshot = metrics.snapshot();
    expect(snapshot.workers).toEqual([
      { name: 'inference', breaker: 'closed', restarts: 1 },
      { name: 'ingest', breaker: 'open', restarts: 3 },
      { name: 'voice', breaker: 'closed', restarts: 0 },
    ]);
    expect(snapshot.errors).toEqual([{ source: 'inference', code: ErrorCode.WorkerCrashed, count: 1 }]);
    expect(snapshot.voiceTier).toBe('TTS_ONLY');
  });

  it('stops listening when disposed', () => {
    const { metrics, recorder, supervisorChanged } = setup();
    recorder.dispose();
    supervisorChanged.fire(worker('inference', { status: 'crashed', restarts: 1 }));
    expect(metrics.snapshot().workers[0]!.restarts).toBe(0);
  });
});
