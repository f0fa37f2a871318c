import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateInput, GenerateResult } from '../../src/common/contract/inferenceContract.js';
import { cancelledError } from '../../src/common/errors.js';
import type { SettingsPatch } from '../../src/common/settings.js';
import { LocalApiServer } from '../../src/node/api/LocalApiServer.js';
import { ApiService, SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';
import { memorySecrets } from '../../../../test/support/memorySecrets.js';

/**
 * The local API's limits, queue and what it asks of the worker, over real HTTP through the real ApiService
 * and LocalApiServer. The edge faked is the inference worker's client: it records each generation's input
 * and holds it until the test finishes it, so the queue's states are reached without timing.
 */

type Generation = { input: GenerateInput; signal: AbortSignal | undefined; finish(result?: Partial<GenerateResult>): void };

function fakeWorker() {
  const generations: Generation[] = [];
  const embedCalls: { texts: readonly string[]; options: unknown }[] = [];
  /** 'quick': each generation answers at once; 'hold': it waits for finish(); 'flood': it streams 16 kB items until cancelled. */
  let mode: 'hold' | 'quick' | 'flood' = 'quick';
  const client = {
    stream(_name: string, input: GenerateInput, options: { signal?: AbortSignal; onItem(item: { text: string; tokens: number }): void }): Promise<GenerateResult> {
      return new Promise((resolve, reject) => {
        const result = (patch: Partial<GenerateResult> = {}): GenerateResult => ({ text: 'Once', stopReason: 'eos', promptTokens: 3, completionTokens: 1, trimmedMessages: 0, evaluatedTokens: 3, cachedTokens: 0, generationMs: 1, ...patch });
        const generation: Generation = {
          input,
          signal: options.signal,
          finish: (patch) => {
            options.onItem({ text: 'Once', tokens: 1 });
            resolve(result(patch));
          },
        };
        generations.push(generation);
        options.signal?.addEventListener('abort', () => reject(cancelledError()), { once: true });
        if (mode === 'quick') generation.finish();
        if (mode === 'flood') {
          // About 16 MB/s, faster than a model but bounded, so the buffers fill in a moment.
          const big = 'x'.repeat(16 * 1024);
          const timer = setInterval(() => {
            if (options.signal?.aborted) clearInterval(timer);
            else options.onItem({ text: big, tokens: 1 });
          }, 1);
        }
      });
    },
  };
  const contextSize = { value: 4096 };
  const chatModel = {
    get state() {
      return { status: 'ready', name: 'tiny', path: '/models/tiny.gguf', threads: 1, contextSize: contextSize.value, error: null };
    },
    readyClient: () => client,
    ensureLoaded: async () => client,
  };
  const supervisor = { run: <T>(call: (c: typeof client, generation: number) => Promise<T>) => call(client, 1) };
  const embeddings = {
    info: { key: 'e', name: 'tiny-embed', path: '/models/e.gguf', dimensions: 2 },
    embed: async (texts: readonly string[], _signal?: AbortSignal, options?: unknown) => {
      embedCalls.push({ texts, options });
      return texts.map(() => new Float32Array([1, 0]));
    },
  };
  return {
    generations,
    embedCalls,
    contextSize,
    setMode: (next: typeof mode) => (mode = next),
    parts: { chatModel, supervisor, embeddings },
  };
}

const services: ApiService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.dispose()));
});

async function startApi(patch: SettingsPatch = {}) {
  const settings = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
  settings.update(patch);
  const worker = fakeWorker();
  const audit: { summary: string; details: Record<string, unknown> }[] = [];
  const service = new ApiService({
    settings,
    ...(worker.parts as unknown as Pick<ConstructorParameters<typeof ApiService>[0], 'chatModel' | 'supervisor' | 'embeddings'>),
    network: { fetch: () => Promise.reject(new Error('no network in this test')) },
    logger: silentLogger,
    secrets: memorySecrets({ localApiKey: 'sk-local-test' }),
    onAudit: (summary, details) => audit.push({ summary, details }),
  });
  services.push(service);
  const { url, error } = await service.enableForRun(0);
  if (!url) throw new Error(`the local API did not start: ${error}`);
  const post = (route: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${url}${route}`, { method: 'POST', headers: { Authorization: 'Bearer sk-local-test', 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal });
  return { url, settings, service, worker, audit, post };
}

const hello = [{ role: 'user', content: 'Once upon a time' }];

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { message: string; param: string | null; type: string } }).error };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('local API request limits', { timeout: 30_000 }, () => {
  it('refuses max_tokens and max_completion_tokens over apiMaxTokens with 400 naming the field and the setting', async () => {
    const { post, worker } = await startApi();
    for (const param of ['max_tokens', 'max_completion_tokens']) {
      const refused = await errorOf(await post('/chat/completions', { messages: hello, [param]: 4000 }));
      expect(refused).toMatchObject({ status: 400, param, type: 'invalid_request_error' });
      expect(refused.message).toBe(`${param} 4000 is more than the 2048 tokens a local API reply may have: raise apiMaxTokens ("Longest reply per request (tokens)" in Settings → Local API) to allow more.`);
    }
    expect(worker.generations).toHaveLength(0);
  });

  it("refuses max_tokens beyond the model's context with 400 naming max_tokens", async () => {
    const { post, worker } = await startApi({ apiMaxTokens: 32_768 });
    const refused = await errorOf(await post('/chat/completions', { messages: hello, max_tokens: 32_768, stream: true }));
    expect(refused).toMatchObject({ status: 400, param: 'max_tokens' });
    expect(refused.message).toMatch(/^max_tokens 32768 is more than the model's context of 4096 tokens/);
    expect(worker.generations).toHaveLength(0);
  });

  it('refuses 10,000 messages, and more characters than apiMaxInputChars, with 400 naming messages', async () => {
    const { post, worker } = await startApi();
    const many = await errorOf(await post('/chat/completions', { messages: Array.from({ length: 10_000 }, () => ({ role: 'user', content: 'hi' })) }));
    expect(many).toMatchObject({ status: 400, param: 'messages' });
    expect(many.message).toBe('messages: 10000 messages are more than the 200 one local API request may send: raise apiMaxMessages ("Most messages per request" in Settings → Local API) to allow more.');
    const long = await errorOf(await post('/chat/completions', { messages: [{ role: 'system', content: 'a'.repeat(60_000) }, { role: 'user', content: [{ type: 'text', text: 'b'.repeat(50_000) }] }] }));
    expect(long).toMatchObject({ status: 400, param: 'messages' });
    expect(long.message).toBe('messages: 110000 characters are more than the 100000 one local API request may send: raise apiMaxInputChars ("Most characters per request" in Settings → Local API) to allow more.');
    expect(worker.generations).toHaveLength(0);
  });

  it("does not take a default reply length from the user's chat setting above apiMaxTokens", async () => {
    const { post, worker } = await startApi({ maxTokens: 8000, apiMaxTokens: 500 });
    expect((await post('/chat/completions', { messages: hello })).status).toBe(200);
    expect(worker.generations[0]!.input.maxTokens).toBe(500);
  });
});

describe('what the local API asks of the worker', { timeout: 30_000 }, () => {
  it('passes priority api, the wall-time limit, and one cache key per conversation a stateless client continues', async () => {
    const { post, worker } = await startApi({ apiMaxReplySeconds: 45 });
    const system = { role: 'system', content: 'You tell stories.' };
    const first = [system, { role: 'user', content: 'Once upon a time' }];
    const continued = [...first, { role: 'assistant', content: 'there was a cat.' }, { role: 'user', content: 'And then?' }];
    const other = [system, { role: 'user', content: 'A different story' }];
    for (const messages of [first, continued, other]) expect((await post('/chat/completions', { messages })).status).toBe(200);
    const [a, b, c] = worker.generations.map((generation) => generation.input);
    expect(a).toMatchObject({ priority: 'api', maxWallMs: 45_000 });
    expect(a!.cacheKey).toMatch(/^api:[0-9a-f]{16}$/);
    expect(b!.cacheKey).toBe(a!.cacheKey);
    expect(c!.cacheKey).not.toBe(a!.cacheKey);
  });

  it('embeds with priority api', async () => {
    const { post, worker } = await startApi();
    expect((await post('/embeddings', { input: ['hello'] })).status).toBe(200);
    expect(worker.embedCalls).toEqual([{ texts: ['hello'], options: { priority: 'api' } }]);
  });

  it('answers finish_reason "length" when the worker stopped the reply at its wall-time limit', async () => {
    const { post, worker } = await startApi();
    worker.setMode('hold');
    const plain = post('/chat/completions', { messages: hello });
    await until(() => worker.generations.length === 1, 'the first generation');
    worker.generations[0]!.finish({ stopReason: 'timeLimit' });
    expect(((await (await plain).json()) as { choices: { finish_reason: string }[] }).choices[0]!.finish_reason).toBe('length');
    const streamed = post('/chat/completions', { messages: hello, stream: true });
    await until(() => worker.generations.length === 2, 'the second generation');
    worker.generations[1]!.finish({ stopReason: 'timeLimit' });
    expect(await (await streamed).text()).toContain('"finish_reason":"length"');
  });
});

describe('the local API queue', { timeout: 30_000 }, () => {
  it('lets contextSequences - 1 generations run, apiMaxQueued wait, and refuses the next with 429 and Retry-After', async () => {
    const { post, worker, service } = await startApi({ contextSequences: 3, apiMaxQueued: 2 });
    worker.setMode('hold');
    const admitted = Array.from({ length: 4 }, () => post('/chat/completions', { messages: hello }));
    await until(() => service.chatQueue.running === 2 && service.chatQueue.waiting === 2, 'two generations to run and two to wait');
    expect(worker.generations).toHaveLength(2);
    // Two run, two wait: the fifth is refused at once.
    const refused = await post('/chat/completions', { messages: hello });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await errorOf(refused);
    expect(body.message).toBe('2 requests are already waiting for the model, the most the local API lets wait: try again later, or raise apiMaxQueued ("Requests that may wait" in Settings → Local API).');
    expect(worker.generations).toHaveLength(2);
    // Each waiting one starts as a slot frees, and all are answered.
    worker.generations[0]!.finish();
    await until(() => worker.generations.length === 3, 'a waiting generation to start');
    worker.generations[1]!.finish();
    await until(() => worker.generations.length === 4, 'the last waiting generation to start');
    worker.generations[2]!.finish();
    worker.generations[3]!.finish();
    expect((await Promise.all(admitted)).map((response) => response.status)).toEqual([200, 200, 200, 200]);
  });

  it('drops a request whose client disconnects while it waits: it never reaches the worker and its place is free at once', async () => {
    const { post, worker, audit, service } = await startApi({ contextSequences: 2, apiMaxQueued: 1 });
    worker.setMode('hold');
    const running = post('/chat/completions', { messages: hello });
    await until(() => worker.generations.length === 1, 'the first generation');
    const controller = new AbortController();
    const waiting = post('/chat/completions', { messages: [{ role: 'user', content: 'I will leave' }] }, controller.signal);
    await until(() => service.chatQueue.waiting === 1, 'the second request to wait');
    // The waiting room is full until it leaves.
    expect((await post('/chat/completions', { messages: hello })).status).toBe(429);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await until(() => service.chatQueue.waiting === 0, 'the disconnected request to leave the queue');
    // It left while the first still runs.
    expect(worker.generations).toHaveLength(1);
    await until(() => audit.some((row) => row.details.cancelled === true), 'the disconnected call to be recorded');
    const next = post('/chat/completions', { messages: [{ role: 'user', content: 'Next' }] });
    worker.generations[0]!.finish();
    await until(() => worker.generations.length === 2, 'the next generation');
    worker.generations[1]!.finish();
    expect((await next).status).toBe(200);
    expect((await running).status).toBe(200);
    expect(worker.generations.map((generation) => generation.input.prompt)).toEqual(['Once upon a time', 'Next']);
  });
});

describe('a client that never reads its stream', { timeout: 30_000 }, () => {
  it('has its generation cancelled and its connection closed once no drain comes within the bound; the audit row says why', async () => {
    const worker = fakeWorker();
    worker.setMode('flood');
    const audit: { summary: string; details: Record<string, unknown> }[] = [];
    const settings = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    const service = new ApiService({
      settings,
      ...(worker.parts as unknown as Pick<ConstructorParameters<typeof ApiService>[0], 'chatModel' | 'supervisor' | 'embeddings'>),
      network: { fetch: () => Promise.reject(new Error('no network in this test')) },
      logger: silentLogger,
    });
    services.push(service);
    const server = await LocalApiServer.listen({ port: 0, key: 'sk-local-test', handlers: service.apiHandlers(), logger: silentLogger, onAudit: (summary, details) => audit.push({ summary, details }), stallMs: 300 });
    try {
      const { port } = new URL(server.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => {});
      const body = JSON.stringify({ messages: hello, stream: true });
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk-local-test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // Never read: the kernel's buffers fill, then Node's, then write() says to wait for a drain that never comes.
      socket.pause();
      await until(() => worker.generations.length === 1, 'the generation to start');
      await until(() => worker.generations[0]!.signal?.aborted === true, 'the generation to be cancelled');
      await until(() => audit.length === 1, 'the audit row');
      expect(audit[0]!.summary).toBe('Local API POST /v1/chat/completions answered 200, cancelled: the client stopped reading its stream (nothing read for 0.3 s)');
      expect(audit[0]!.details).toMatchObject({ cancelled: true, reason: 'stalled' });
      socket.resume();
      await closed;
    } finally {
      await server.close();
    }
  });
});
