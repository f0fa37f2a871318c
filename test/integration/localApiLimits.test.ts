import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { memorySecrets } from '../support/memorySecrets.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

/**
 * The local API's limits on a real host with the tiny model (the queue's states, a client leaving while it
 * waits and a client that never reads are reached deterministically in packages/core/test/unit/localApiLimits.test.ts).
 */
describe.skipIf(!tinyChatModel)(`local API limits on a real host (${needsTinyModel})`, () => {
  let harness: Harness;
  let url: string;
  const key = 'sk-local-limits';
  const post = (route: string, body: unknown) => fetch(`${url}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const hello = [{ role: 'user', content: 'Once upon a time' }];

  beforeAll(async () => {
    harness = await startHost();
    harness.host.api.attach({ secrets: memorySecrets({ localApiKey: key }) });
    await harness.client.call('settings.update', { maxTokens: 16, temperature: 0, embeddingModel: tinyChatModel });
    const local = await harness.host.api.enableForRun(0);
    url = local.url!;
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('refuses a request of 10,000 messages with 400 naming messages and the setting that allows more', async () => {
    const response = await post('/chat/completions', { messages: Array.from({ length: 10_000 }, () => ({ role: 'user', content: 'hi' })), max_tokens: 2 });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; param: string } };
    expect(error.param).toBe('messages');
    expect(error.message).toContain('10000 messages are more than the 200 one local API request may send');
    expect(error.message).toContain('apiMaxMessages');
  });

  it("refuses max_tokens beyond the model's context with 400 naming max_tokens, even when apiMaxTokens allows it", async () => {
    await harness.client.call('settings.update', { apiMaxTokens: 32_768 });
    try {
      const response = await post('/chat/completions', { messages: hello, max_tokens: 32_768, stream: true });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; param: string } };
      expect(error.param).toBe('max_tokens');
      // Checked once the model is loaded, against the context it was loaded with.
      expect(error.message).toMatch(new RegExp(`^max_tokens 32768 is more than the model's context of ${harness.host.chatModel.state.contextSize} tokens`));
    } finally {
      await harness.client.call('settings.update', { apiMaxTokens: 2048 });
    }
  });

  it('answers two hundred requests sent at once, each with 200 or 429 and Retry-After, while a user turn still gets its answer', { timeout: 300_000 }, async () => {
    const requests = Array.from({ length: 200 }, (_, i) => post('/chat/completions', { messages: [{ role: 'user', content: `Story ${i}: once upon a time` }], max_tokens: 8 }));
    // The user's own turn, sent in the middle of the flood.
    const turn = send(harness.client, 'Once upon a time');
    const outcomes = await Promise.all(
      requests.map(async (request) => {
        const response = await request;
        const body = (await response.json()) as { error?: { message: string }; choices?: unknown[] };
        return { status: response.status, retryAfter: response.headers.get('retry-after'), message: body.error?.message ?? null, answered: (body.choices?.length ?? 0) === 1 };
      }),
    );
    expect(outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 429)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 200).every((outcome) => outcome.answered)).toBe(true);
    for (const refused of outcomes.filter((outcome) => outcome.status === 429)) {
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(refused.message).toMatch(/^\d+ requests? (is|are) already waiting for the model/);
    }
    const { result, streamed } = await turn;
    expect(['eos', 'maxTokens', 'timeLimit']).toContain(result.stats.stopReason);
    expect(streamed.length).toBeGreaterThan(0);
    expect(harness.host.api.chatQueue).toEqual({ running: 0, waiting: 0 });
  });

  it('embeds for the API at api priority and backfills documents at background priority', async () => {
    const embed = vi.spyOn(harness.host.embeddings, 'embed');
    try {
      expect((await post('/embeddings', { input: ['hello world'] })).status).toBe(200);
      expect(embed.mock.calls.at(-1)![2]).toEqual({ priority: 'api' });
      const dir = makeTempDir('limits-docs-');
      fs.writeFileSync(path.join(dir, 'light.md'), '# Lighthouses\n\nThe Fresnel lens concentrates the lamp into a beam visible for twenty nautical miles.\n');
      await harness.client.call('documents.add', { paths: [dir] });
      await waitFor(async () => (await harness.client.call('documents.list', {})).every((doc) => doc.status === 'ready'), 120_000, 'the document to be embedded');
      const backfill = embed.mock.calls.filter((call) => (call[2] as { priority?: string } | undefined)?.priority === 'background');
      expect(backfill.length).toBeGreaterThan(0);
      expect(backfill.flatMap((call) => call[0]).join(' ')).toContain('twenty nautical miles');
    } finally {
      embed.mockRestore();
    }
  });
});
