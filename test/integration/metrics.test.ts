import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { memorySecrets } from '../support/memorySecrets.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { histogramCount, parsePrometheusText } from '../support/prometheusText.js';
import { makeTempDir } from '../support/tempDir.js';

/**
 * `/metrics` on the real local API of a real host (worker process, tiny model): behind the same key as the
 * other routes, Prometheus text that parses, and a real chat turn counted once. Diagnostics shows the same.
 */
describe.skipIf(!tinyChatModel)(`metrics on the local API and in Diagnostics (${needsTinyModel})`, () => {
  let harness: Harness;
  let metricsUrl: string;
  let key: string;
  const secrets = memorySecrets();
  const scrape = async () => {
    const response = await fetch(metricsUrl, { headers: { Authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return { contentType: response.headers.get('content-type'), families: parsePrometheusText(await response.text()) };
  };

  beforeAll(async () => {
    harness = await startHost();
    harness.host.api.attach({ secrets });
    await harness.client.call('settings.update', { maxTokens: 16, temperature: 0 });
    const local = await harness.host.api.enableForRun(0);
    expect(local.error).toBeNull();
    // The OpenAI routes live under /v1; /metrics sits at the root, where scrapers look for it.
    metricsUrl = local.url!.replace(/\/v1$/, '/metrics');
    key = (await secrets.get('localApiKey'))!;
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('refuses /metrics without the key or with a wrong one (401)', async () => {
    const missing = await fetch(metricsUrl);
    expect(missing.status).toBe(401);
    await expect(missing.json()).resolves.toMatchObject({ error: { type: 'authentication_error' } });
    const wrong = await fetch(metricsUrl, { headers: { Authorization: 'Bearer sk-local-wrong' } });
    expect(wrong.status).toBe(401);
  });

  it('serves Prometheus text that parses, with every metric family and no observation yet', async () => {
    const { contentType, families } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const types = Object.fromEntries(families.map((family) => [family.name, family.type]));
    expect(types).toMatchObject({
      assistant_chat_time_to_first_token_seconds: 'HISTOGRAM',
      assistant_chat_generation_tokens_per_second: 'HISTOGRAM',
      assistant_chat_prompt_evaluated_tokens: 'HISTOGRAM',
      assistant_chat_prompt_cached_tokens: 'HISTOGRAM',
      assistant_retrieval_duration_seconds: 'HISTOGRAM',
      assistant_voice_final_transcript_seconds: 'HISTOGRAM',
      assistant_voice_first_audio_seconds: 'HISTOGRAM',
      assistant_ingest_throughput_bytes_per_second: 'HISTOGRAM',
      assistant_worker_restarts_total: 'COUNTER',
      assistant_errors_total: 'COUNTER',
      assistant_worker_breaker_state: 'GAUGE',
    });
    expect(histogramCount(families, 'assistant_chat_time_to_first_token_seconds')).toBe(0);
    // The inference worker's breaker is closed, one state set to 1.
    const breaker = families.find((family) => family.name === 'assistant_worker_breaker_state')!;
    expect(breaker.metrics).toContainEqual({ value: '1', labels: { worker: 'inference', state: 'closed' } });
  });

  it('counts a real chat turn once, in /metrics and in Diagnostics', async () => {
    const { result } = await send(harness.client, 'Once upon a time');
    expect(result.stats.ttftMs).not.toBeNull();
    const { families } = await scrape();
    expect(histogramCount(families, 'assistant_chat_time_to_first_token_seconds')).toBe(1);
    expect(histogramCount(families, 'assistant_chat_prompt_evaluated_tokens')).toBe(1);

    const diagnostics = await harness.client.call('diagnostics.get', {});
    const ttft = diagnostics.figures.find((figure) => figure.figure === 'timeToFirstToken')!;
    expect(ttft).toEqual({ figure: 'timeToFirstToken', count: 1, p50: result.stats.ttftMs, p95: result.stats.ttftMs });
    expect(diagnostics.figures.find((figure) => figure.figure === 'promptTokensEvaluated')).toMatchObject({ count: 1, p50: result.stats.promptTokens });
    expect(diagnostics.workers).toContainEqual({ name: 'inference', breaker: 'closed', restarts: 0 });
    expect(diagnostics.errors).toEqual([]);
  });

  it('counts a local API chat request in histograms of its own, apart from the user\'s turns', async () => {
    const before = await scrape();
    const userTurns = histogramCount(before.families, 'assistant_chat_time_to_first_token_seconds');
    const response = await fetch(metricsUrl.replace(/\/metrics$/, '/v1/chat/completions'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 }),
    });
    expect(response.status).toBe(200);
    const { families } = await scrape();
    expect(histogramCount(families, 'assistant_api_time_to_first_token_seconds')).toBe(1);
    expect(histogramCount(families, 'assistant_api_prompt_evaluated_tokens')).toBe(1);
    expect(histogramCount(families, 'assistant_api_generation_tokens_per_second')).toBe(1);
    expect(histogramCount(families, 'assistant_chat_time_to_first_token_seconds')).toBe(userTurns);
    const diagnostics = await harness.client.call('diagnostics.get', {});
    expect(diagnostics.figures.find((figure) => figure.figure === 'apiTimeToFirstToken')).toMatchObject({ count: 1 });
  });

  it('takes the renderer\'s voice stages, refusing a malformed report with the field named', async () => {
    await harness.client.call('diagnostics.voiceTurn', { finalTranscriptMs: 420, firstAudioMs: 1300 });
    await expect(harness.client.call('diagnostics.voiceTurn', { finalTranscriptMs: -5, firstAudioMs: null })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('finalTranscriptMs') });
    const { families } = await scrape();
    expect(histogramCount(families, 'assistant_voice_final_transcript_seconds')).toBe(1);
    expect(histogramCount(families, 'assistant_voice_first_audio_seconds')).toBe(1);
    const diagnostics = await harness.client.call('diagnostics.get', {});
    expect(diagnostics.figures.find((figure) => figure.figure === 'voiceFirstAudio')).toEqual({ figure: 'voiceFirstAudio', count: 1, p50: 1300, p95: 1300 });
  });

  it("measures a real document's ingestion throughput once it is ready", async () => {
    const file = path.join(makeTempDir('metrics-docs-'), 'harbour.md');
    fs.writeFileSync(file, '# The harbour\n\nThe lighthouse beam is visible for twenty nautical miles on a clear night.\n'.repeat(20));
    await harness.client.call('documents.add', { paths: [file] });
    await waitFor(async () => (await harness.client.call('documents.list', {})).every((document) => document.status === 'ready' || document.status === 'failed'), 60_000, 'the document to be ingested');
    expect((await harness.client.call('documents.list', {})).map((document) => document.status)).toEqual(['ready']);
    const { families } = await scrape();
    expect(histogramCount(families, 'assistant_ingest_throughput_bytes_per_second')).toBe(1);
    const throughput = (await harness.client.call('diagnostics.get', {})).figures.find((figure) => figure.figure === 'ingestThroughput')!;
    expect(throughput.count).toBe(1);
    expect(throughput.p50).toBeGreaterThan(0);
  });
});
