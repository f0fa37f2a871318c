import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DiagnosticFigure, Diagnostics, VoiceTurnStages } from '../../common/contract/diagnosticsSchemas.js';
import { diagnosticFigureSchema } from '../../common/contract/diagnosticsSchemas.js';
import { breakerStateSchema, type MessageStats, type WorkerState } from '../../common/contract/schemas.js';
import { type VoiceTier, voiceTierSchema } from '../../common/contract/voiceSchemas.js';
import { ErrorCode } from '../../common/errors.js';
import type { ChatTurn } from '../host/ChatService.js';
import { SampleRing } from './SampleRing.js';

export interface MetricsServiceOptions {
  /** Values kept per figure for Diagnostics' percentiles (default 1,000). */
  samples?: number;
  now?: () => number;
}

/**
 * Buckets for a laptop CPU: a first token from 50 ms (a short prompt in the context's cache) to a minute (a
 * long grounded prompt on a 7B model), generation from 1 to 500 tokens a second, prompts up to a 32K context.
 */
const buckets = {
  ttftSeconds: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60],
  tokensPerSecond: [1, 2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500],
  tokens: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768],
  retrievalSeconds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  voiceSeconds: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60],
  // OCR'd scans read a few KB a second; plain text parses and embeds at MB a second.
  bytesPerSecond: [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7, 3e7, 1e8],
};

/**
 * This session's metrics: Prometheus series for `/metrics` on the local API (prom-client, in a registry of
 * its own so tests and two hosts in one process never share series), and the same figures' recent values
 * for Settings → Diagnostics. It only records: MetricsRecorder and the host feed it.
 */
export class MetricsService {
  readonly registry = new Registry();
  readonly startedAt: number;
  private readonly rings: Record<DiagnosticFigure, SampleRing>;
  private readonly ttft: Histogram;
  private readonly tokensPerSecond: Histogram;
  private readonly promptEvaluated: Histogram;
  private readonly promptCached: Histogram;
  private readonly retrieval: Histogram;
  private readonly voiceTranscript: Histogram;
  private readonly voiceFirstAudio: Histogram;
  private readonly ingest: Histogram;
  private readonly api: { ttft: Histogram; tokensPerSecond: Histogram; promptEvaluated: Histogram; promptCached: Histogram };
  private readonly restarts: Counter<'worker'>;
  private readonly errors: Counter<'source' | 'code'>;
  private readonly breaker: Gauge<'worker' | 'state'>;
  private readonly tier: Gauge<'tier'>;
  private readonly workers = new Map<string, Pick<WorkerState, 'status' | 'breaker' | 'restarts'>>();
  private readonly errorCounts = new Map<string, { source: string; code: string; count: number }>();
  private currentTier: VoiceTier | null = null;

  constructor(options: MetricsServiceOptions = {}) {
    this.startedAt = (options.now ?? Date.now)();
    const registers = [this.registry];
    const histogram = (name: string, help: string, bucketList: number[]) => new Histogram({ name, help, buckets: bucketList, registers });
    this.ttft = histogram('assistant_chat_time_to_first_token_seconds', 'From the question reaching the host to the reply\'s first token.', buckets.ttftSeconds);
    this.tokensPerSecond = histogram('assistant_chat_generation_tokens_per_second', 'Reply tokens per second after the first one.', buckets.tokensPerSecond);
    this.promptEvaluated = histogram('assistant_chat_prompt_evaluated_tokens', 'Prompt tokens the engine evaluated for a reply.', buckets.tokens);
    this.promptCached = histogram('assistant_chat_prompt_cached_tokens', 'Prompt tokens reused from the context\'s cache instead of being evaluated.', buckets.tokens);
    this.retrieval = histogram('assistant_retrieval_duration_seconds', 'The search for passages of a question.', buckets.retrievalSeconds);
    // Two histograms rather than one with a stage label: they are different waits, and parse-prometheus-text-format (the tests' parser) reads no labelled histogram.
    this.voiceTranscript = histogram('assistant_voice_final_transcript_seconds', 'A spoken turn from the end of speech to its final transcript.', buckets.voiceSeconds);
    this.voiceFirstAudio = histogram('assistant_voice_first_audio_seconds', 'A spoken turn from the end of speech to the first audio of the reply.', buckets.voiceSeconds);
    this.ingest = histogram('assistant_ingest_throughput_bytes_per_second', 'A document\'s bytes over the time it took to parse and embed.', buckets.bytesPerSecond);
    // Local API replies apart from the user's (histograms of their own: the tests' parser reads no labelled histogram).
    this.api = {
      ttft: histogram('assistant_api_time_to_first_token_seconds', 'From a local API request\'s arrival to its first token, its wait in the queue included.', buckets.ttftSeconds),
      tokensPerSecond: histogram('assistant_api_generation_tokens_per_second', 'Local API reply tokens per second after the first one.', buckets.tokensPerSecond),
      promptEvaluated: histogram('assistant_api_prompt_evaluated_tokens', 'Prompt tokens the engine evaluated for a local API request.', buckets.tokens),
      promptCached: histogram('assistant_api_prompt_cached_tokens', 'Prompt tokens of a local API request reused from the context\'s cache.', buckets.tokens),
    };
    this.restarts = new Counter({ name: 'assistant_worker_restarts_total', help: 'Worker processes restarted after they stopped unexpectedly.', labelNames: ['worker'], registers });
    this.errors = new Counter({ name: 'assistant_errors_total', help: 'Failures by where they happened (chat, documents, a worker) and error code.', labelNames: ['source', 'code'], registers });
    this.breaker = new Gauge({ name: 'assistant_worker_breaker_state', help: 'Each worker\'s circuit breaker: 1 for its current state, 0 for the others.', labelNames: ['worker', 'state'], registers });
    this.tier = new Gauge({ name: 'assistant_voice_tier', help: 'The voice tier: 1 for the current one, 0 for the others.', labelNames: ['tier'], registers });
    const samples = options.samples ?? 1000;
    this.rings = Object.fromEntries(diagnosticFigureSchema.options.map((figure) => [figure, new SampleRing(samples)])) as Record<DiagnosticFigure, SampleRing>;
  }

  /** A chat turn ended: its stats, and its error unless the user stopped it. */
  turn(turn: ChatTurn): void {
    if (turn.status === 'error' && turn.error && turn.error.code !== ErrorCode.Cancelled) this.error('chat', turn.error.code);
    const stats = turn.stats;
    if (!stats) return;
    if (stats.ttftMs !== null) this.observe('timeToFirstToken', this.ttft, stats.ttftMs, stats.ttftMs / 1000);
    if (stats.tokensPerSecond !== null) this.observe('tokensPerSecond', this.tokensPerSecond, stats.tokensPerSecond);
    // A reply stopped or failed before the engine answered has no prompt figures (the meter's 0 is not one).
    if (stats.promptTokens + stats.cachedTokens > 0) {
      this.observe('promptTokensEvaluated', this.promptEvaluated, stats.promptTokens);
      this.observe('promptTokensCached', this.promptCached, stats.cachedTokens);
    }
    if (stats.retrievalMs !== null) this.observe('retrieval', this.retrieval, stats.retrievalMs, stats.retrievalMs / 1000);
  }

  /** A local API chat request was answered, measured as a chat reply is (ReplyMeter). */
  apiReply(reply: Pick<MessageStats, 'ttftMs' | 'tokensPerSecond' | 'promptTokens' | 'cachedTokens'>): void {
    if (reply.ttftMs !== null) this.observe('apiTimeToFirstToken', this.api.ttft, reply.ttftMs, reply.ttftMs / 1000);
    if (reply.tokensPerSecond !== null) this.observe('apiTokensPerSecond', this.api.tokensPerSecond, reply.tokensPerSecond);
    if (reply.promptTokens + reply.cachedTokens > 0) {
      this.observe('apiPromptTokensEvaluated', this.api.promptEvaluated, reply.promptTokens);
      this.observe('apiPromptTokensCached', this.api.promptCached, reply.cachedTokens);
    }
  }

  voiceTurn(stages: VoiceTurnStages): void {
    if (stages.finalTranscriptMs !== null) this.observe('voiceFinalTranscript', this.voiceTranscript, stages.finalTranscriptMs, stages.finalTranscriptMs / 1000);
    if (stages.firstAudioMs !== null) this.observe('voiceFirstAudio', this.voiceFirstAudio, stages.firstAudioMs, stages.firstAudioMs / 1000);
  }

  /** A document became searchable: its size over the time from the start of parsing. */
  documentIngested({ bytes, ms }: { bytes: number; ms: number }): void {
    if (ms <= 0) return;
    const perSecond = bytes / (ms / 1000);
    this.observe('ingestThroughput', this.ingest, perSecond);
  }

  /** A worker's state (every change): restarts since the last one, a crash, its breaker. */
  workerState(state: WorkerState): void {
    const before = this.workers.get(state.name);
    const restarted = state.restarts - (before?.restarts ?? 0);
    if (restarted > 0) this.restarts.inc({ worker: state.name }, restarted);
    else if (!before) this.restarts.inc({ worker: state.name }, 0);
    if (state.status === 'crashed' && before?.status !== 'crashed') this.error(state.name, ErrorCode.WorkerCrashed);
    for (const breaker of breakerStateSchema.options) this.breaker.set({ worker: state.name, state: breaker }, breaker === state.breaker ? 1 : 0);
    this.workers.set(state.name, { status: state.status, breaker: state.breaker, restarts: Math.max(state.restarts, before?.restarts ?? 0) });
  }

  voiceTier(tier: VoiceTier): void {
    this.currentTier = tier;
    for (const each of voiceTierSchema.options) this.tier.set({ tier: each }, each === tier ? 1 : 0);
  }

  error(source: string, code: string): void {
    this.errors.inc({ source, code });
    const key = `${source}\u0000${code}`;
    const entry = this.errorCounts.get(key) ?? { source, code, count: 0 };
    entry.count++;
    this.errorCounts.set(key, entry);
  }

  /** Prometheus text exposition (what `/metrics` answers). */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  snapshot(): Diagnostics {
    return {
      startedAt: this.startedAt,
      figures: diagnosticFigureSchema.options.map((figure) => {
        const ring = this.rings[figure];
        return { figure, count: ring.count, p50: ring.percentile(50), p95: ring.percentile(95) };
      }),
      workers: [...this.workers].map(([name, { breaker, restarts }]) => ({ name, breaker, restarts })),
      errors: [...this.errorCounts.values()].map((entry) => ({ ...entry })).sort((a, b) => b.count - a.count),
      voiceTier: this.currentTier,
    };
  }

  private observe(figure: DiagnosticFigure, histogram: Histogram, value: number, observed = value): void {
    this.rings[figure].add(value);
    histogram.observe(observed);
  }
}
