import { describe, expect, it } from 'vitest';
import { type MessageStats, type WorkerState, ErrorCode } from '../../src/index.js';
import { type ChatTurn, MetricsService } from '../../src/node/index.js';

const stats = (patch: Partial<MessageStats> = {}): MessageStats => ({
  ttftMs: 1500,
  tokensPerSecond: 42,
  promptTokens: 300,
  cachedTokens: 120,
  completionTokens: 20,
  passages: 2,
  passageTokens: 150,
  retrievalMs: 80,
  trimmedMessages: 0,
  totalMs: 2000,
  stopReason: 'eos',
  ...patch,
});

const turn = (patch: Partial<ChatTurn> = {}): ChatTurn => ({ conversationId: 'c', userText: 'q', reply: 'a', status: 'complete', stopReason: 'eos', error: null, stats: stats(), ...patch });

const worker = (patch: Partial<WorkerState> = {}): WorkerState => ({ name: 'inference', status: 'ready', breaker: 'closed', restarts: 0, consecutiveFailures: 0, lastError: null, retryAt: null, ...patch });

/** One series' value from the registry, by metric name and labels (a histogram's `_count`, `_sum`, `_bucket` included). */
async function value(metrics: MetricsService, name: string, labels: Record<string, string | number> = {}): Promise<number | undefined> {
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    for (const item of metric.values) {
      const series = (item as { metricName?: string }).metricName ?? metric.name;
      if (series !== name) continue;
      if (Object.entries(labels).every(([key, wanted]) => item.labels[key] === wanted)) return item.value;
    }
  }
  return undefined;
}

const figure = (metrics: MetricsService, name: string) => metrics.snapshot().figures.find((item) => item.figure === name)!;

describe('MetricsService', () => {
  it("puts a reply's stats in the right histograms, in seconds and tokens", async () => {
    const metrics = new MetricsService();
    metrics.turn(turn());
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_count')).toBe(1);
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_sum')).toBeCloseTo(1.5);
    // 1.5 s falls in the 2 s bucket, not the 1 s one.
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_bucket', { le: 1 })).toBe(0);
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_bucket', { le: 2 })).toBe(1);
    expect(await value(metrics, 'assistant_chat_generation_tokens_per_second_sum')).toBe(42);
    expect(await value(metrics, 'assistant_chat_prompt_evaluated_tokens_sum')).toBe(300);
    expect(await value(metrics, 'assistant_chat_prompt_cached_tokens_sum')).toBe(120);
    expect(await value(metrics, 'assistant_retrieval_duration_seconds_sum')).toBeCloseTo(0.08);
    expect(await value(metrics, 'assistant_errors_total')).toBeUndefined();
  });

  it('leaves out what a reply did not have: no token, no search, no engine figures', async () => {
    const metrics = new MetricsService();
    // Stopped before the engine answered: the meter reports 0 prompt tokens, which is not a measurement.
    metrics.turn(turn({ status: 'cancelled', stopReason: 'cancelled', stats: stats({ ttftMs: null, tokensPerSecond: null, promptTokens: 0, cachedTokens: 0, retrievalMs: null, stopReason: 'cancelled' }) }));
    for (const name of ['timeToFirstToken', 'tokensPerSecond', 'promptTokensEvaluated', 'promptTokensCached', 'retrieval']) expect(figure(metrics, name).count).toBe(0);
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_count')).toBe(0);
    // A stop is the user's choice, not an error.
    expect(metrics.snapshot().errors).toEqual([]);
  });

  it('counts failed turns by error code, and cancellations not at all', async () => {
    const metrics = new MetricsService();
    metrics.turn(turn({ status: 'error', reply: '', stopReason: null, stats: null, error: { code: ErrorCode.NoChatModel, message: 'no model' } }));
    metrics.turn(turn({ status: 'error', reply: '', stopReason: 'error', stats: stats({ ttftMs: null, tokensPerSecond: null, promptTokens: 0, cachedTokens: 0, stopReason: 'error' }), error: { code: ErrorCode.WorkerCrashed, message: 'crashed' } }));
    metrics.turn(turn({ status: 'error', reply: '', stopReason: null, stats: null, error: { code: ErrorCode.NoChatModel, message: 'no model' } }));
    metrics.turn(turn({ status: 'error', reply: '', stopReason: null, stats: null, error: { code: ErrorCode.Cancelled, message: 'Cancelled.' } }));
    expect(await value(metrics, 'assistant_errors_total', { source: 'chat', code: ErrorCode.NoChatModel })).toBe(2);
    expect(await value(metrics, 'assistant_errors_total', { source: 'chat', code: ErrorCode.WorkerCrashed })).toBe(1);
    expect(metrics.snapshot().errors).toEqual([
      { source: 'chat', code: ErrorCode.NoChatModel, count: 2 },
      { source: 'chat', code: ErrorCode.WorkerCrashed, count: 1 },
    ]);
  });

  it('computes the median and 95th percentile of the observed values (nearest rank)', () => {
    const metrics = new MetricsService();
    expect(figure(metrics, 'timeToFirstToken')).toEqual({ figure: 'timeToFirstToken', count: 0, p50: null, p95: null });
    // 1..100 ms in a shuffled order: the order of arrival must not matter.
    const values = Array.from({ length: 100 }, (_, index) => index + 1).sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
    for (const ms of values) metrics.turn(turn({ stats: stats({ ttftMs: ms }) }));
    expect(figure(metrics, 'timeToFirstToken')).toEqual({ figure: 'timeToFirstToken', count: 100, p50: 50, p95: 95 });
    metrics.turn(turn({ stats: stats({ ttftMs: 7 }) }));
    // 101 values: rank ceil(0.5 × 101) = 51 → the 51st smallest, and 7 moved everything above it up one.
    expect(figure(metrics, 'timeToFirstToken')).toMatchObject({ count: 101, p50: 50, p95: 95 });
    expect(figure(metrics, 'tokensPerSecond')).toMatchObject({ count: 101, p50: 42, p95: 42 });
  });

  it('keeps percentiles over the latest samples only, while the count and histogram keep everything', async () => {
    const metrics = new MetricsService({ samples: 10 });
    for (let ms = 1; ms <= 10; ms++) metrics.turn(turn({ stats: stats({ ttftMs: 1000 }) }));
    for (let ms = 1; ms <= 10; ms++) metrics.turn(turn({ stats: stats({ ttftMs: ms }) }));
    expect(figure(metrics, 'timeToFirstToken')).toEqual({ figure: 'timeToFirstToken', count: 20, p50: 5, p95: 10 });
    expect(await value(metrics, 'assistant_chat_time_to_first_token_seconds_count')).toBe(20);
  });

  it('records voice stages and ingestion throughput', async () => {
    const metrics = new MetricsService();
    metrics.voiceTurn({ finalTranscriptMs: 300, firstAudioMs: 1200 });
    metrics.voiceTurn({ finalTranscriptMs: 500, firstAudioMs: null });
    metrics.documentIngested({ bytes: 2_000_000, ms: 4000 });
    expect(await value(metrics, 'assistant_voice_final_transcript_seconds_count')).toBe(2);
    expect(await value(metrics, 'assistant_voice_final_transcript_seconds_sum')).toBeCloseTo(0.8);
    expect(await value(metrics, 'assistant_voice_first_audio_seconds_count')).toBe(1);
    expect(await value(metrics, 'assistant_ingest_throughput_bytes_per_second_sum')).toBe(500_000);
    expect(figure(metrics, 'voiceFinalTranscript')).toMatchObject({ count: 2, p50: 300, p95: 500 });
    expect(figure(metrics, 'voiceFirstAudio')).toMatchObject({ count: 1, p50: 1200 });
    expect(figure(metrics, 'ingestThroughput')).toMatchObject({ count: 1, p50: 500_000 });
    // A document read in no measurable time says nothing about throughput.
    metrics.documentIngested({ bytes: 10, ms: 0 });
    expect(figure(metrics, 'ingestThroughput').count).toBe(1);
  });

  it('counts worker restarts and crashes, and shows each breaker state', async () => {
    const metrics = new MetricsService();
    metrics.workerState(worker());
    metrics.workerState(worker({ status: 'crashed', restarts: 1, consecutiveFailures: 1 }));
    metrics.workerState(worker({ status: 'starting', restarts: 1, consecutiveFailures: 1 }));
    metrics.workerState(worker({ status: 'crashed', restarts: 2, consecutiveFailures: 2 }));
    metrics.workerState(worker({ status: 'unavailable', breaker: 'open', restarts: 3, consecutiveFailures: 3 }));
    metrics.workerState(worker({ name: 'ingest', status: 'ready' }));
    expect(await value(metrics, 'assistant_worker_restarts_total', { worker: 'inference' })).toBe(3);
    expect(await value(metrics, 'assistant_worker_restarts_total', { worker: 'ingest' })).toBe(0);
    expect(await value(metrics, 'assistant_errors_total', { source: 'inference', code: ErrorCode.WorkerCrashed })).toBe(2);
    expect(await value(metrics, 'assistant_worker_breaker_state', { worker: 'inference', state: 'open' })).toBe(1);
    expect(await value(metrics, 'assistant_worker_breaker_state', { worker: 'inference', state: 'closed' })).toBe(0);
    expect(await value(metrics, 'assistant_worker_breaker_state', { worker: 'ingest', state: 'closed' })).toBe(1);
    expect(metrics.snapshot().workers).toEqual([
      { name: 'inference', breaker: 'open', restarts: 3 },
      { name: 'ingest', breaker: 'closed', restarts: 0 },
    ]);
  });

  it('shows the voice tier as one state set to 1', async () => {
    const metrics = new MetricsService();
    expect(metrics.snapshot().voiceTier).toBeNull();
    metrics.voiceTier('FULL');
    metrics.voiceTier('STT_ONLY');
    expect(await value(metrics, 'assistant_voice_tier', { tier: 'STT_ONLY' })).toBe(1);
    expect(await value(metrics, 'assistant_voice_tier', { tier: 'FULL' })).toBe(0);
    expect(await value(metrics, 'assistant_voice_tier', { tier: 'TEXT_ONLY' })).toBe(0);
    expect(metrics.snapshot().voiceTier).toBe('STT_ONLY');
  });

  it('exports Prometheus text from its own registry (two services never share series)', async () => {
    const first = new MetricsService();
    const second = new MetricsService();
    first.turn(turn());
    const { contentType, text } = await first.exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE assistant_chat_time_to_first_token_seconds histogram');
    expect(text).toContain('assistant_chat_time_to_first_token_seconds_count 1');
    // Every series is ours: no process metrics from prom-client's global registry.
    const names = text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]);
    expect(names.every((name) => name!.startsWith('assistant_'))).toBe(true);
    expect((await second.exposition()).text).toContain('assistant_chat_time_to_first_token_seconds_count 0');
  });
});
