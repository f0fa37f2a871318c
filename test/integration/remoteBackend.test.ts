import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { memorySecrets } from '../support/memorySecrets.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';

type Mode = 'hang' | 'malformed' | 'error500' | 'truncated' | 'ok' | 'length';

/** A fake OpenAI-compatible server on loopback whose behaviour the test switches; it counts requests. */
async function fakeServer() {
  const state = { mode: 'ok' as Mode, requests: 0, lastBody: '' };
  const server = http.createServer((req, res) => {
    state.requests++;
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => (state.lastBody = body));
    if (state.mode === 'hang') return; // never answers
    if (state.mode === 'error500') return void res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":{"message":"boom"}}');
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    if (state.mode === 'malformed') return void res.end('data: {"choices": [ this is not json\n\n');
    res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'Remote ' }, finish_reason: null }] })}\n\n`);
    if (state.mode === 'truncated') return void res.end();
    res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'hello.' }, finish_reason: null }] })}\n\n`);
    res.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: state.mode === 'length' ? 'length' : 'stop' }] })}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe.skipIf(!tinyChatModel)(`the remote backend, with fallback to the local model (${needsTinyModel})`, () => {
  const openMs = 1500;
  let serving: Harness;
  let client: Harness;
  let remoteUrl: string;
  let fake: Awaited<ReturnType<typeof fakeServer>>;
  const clientSecrets = memorySecrets({ remoteApiKey: 'sk-local-shared' });

  beforeAll(async () => {
    // A second host serving this project's own local API is the remote server.
    serving = await startHost();
    serving.host.api.attach({ secrets: memorySecrets({ localApiKey: 'sk-local-shared' }) });
    await serving.client.call('settings.update', { embeddingModel: tinyChatModel });
    remoteUrl = (await serving.host.api.enableForRun(0)).url!;
    client = await startHost({ openMs });
    client.host.api.attach({ secrets: clientSecrets });
    await client.client.call('settings.update', { maxTokens: 16, temperature: 0 });
    fake = await fakeServer();
  });
  afterAll(async () => {
    await fake?.close();
    await client?.close();
    await serving?.close();
  });

  /** Points the client host at a server; the off-on switch is a settings change, which starts the breaker afresh. */
  const useRemote = async (baseUrl: string, remoteTimeoutS = 1) => {
    await client.client.call('settings.update', { remoteUse: 'off' });
    await client.client.call('settings.update', { remoteUse: 'chat', remoteBaseUrl: baseUrl, remoteChatModel: 'tiny', remoteTimeoutS });
  };
  const servedChats = async () => (await serving.client.call('audit.list', { kinds: ['api.call'] })).events.filter((event) => event.summary.includes('POST /v1/chat/completions answered 200')).length;

  it('chats through the remote server, streaming', async () => {
    // Long enough for the serving host to load its model on this first call.
    await useRemote(remoteUrl, 30);
    const before = await servedChats();
    const { result, items, streamed } = await send(client.client, 'Once upon a time');
    expect(items.filter((item) => item.type === 'text').length).toBeGreaterThan(1);
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).not.toContain('local model answered');
    expect(result.message).toMatchObject({ status: 'complete', text: streamed });
    expect(await servedChats()).toBe(before + 1);
    expect((await client.client.call('api.getState', {})).remote).toEqual({ status: 'ok', baseUrl: remoteUrl, reason: null });
  });

  it('continues a reply the server cut off: the partial reply goes last, marked to be continued', async () => {
    await useRemote(fake.url, 30);
    fake.state.mode = 'length';
    const cut = await send(client.client, 'Tell me more');
    expect(cut.result.stats.stopReason).toBe('maxTokens');
    const continued = await client.client.stream('chat.continue', { conversationId: cut.conversationId, messageId: cut.result.message.id }, { onItem: () => {} });
    const body = JSON.parse(fake.state.lastBody) as { messages: { role: string; content: string }[]; continue_final_message?: boolean; add_generation_prompt?: boolean };
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Remote hello.' });
    expect(body.messages.at(-2)).toEqual({ role: 'user', content: 'Tell me more' });
    expect(body).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    expect(continued.message.text).toBe('Remote hello.Remote hello.');
    fake.state.mode = 'ok';
  });

  it('falls back to the local model with a notice when the server hangs (timeout)', async () => {
    fake.state.mode = 'hang';
    await useRemote(fake.url);
    const changed = new Promise<{ remote: { status: string } }>((resolve) => {
      const subscription = client.client.on('api.changed', (state) => state.remote.status === 'fallback' && (subscription.dispose(), resolve(state)));
    });
    const started = Date.now();
    const { result, streamed } = await send(client.client, 'Once upon a time');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(streamed).toMatch(/^\[The remote server failed: no answer within 1 s\. The local model answered instead\.\]\n\n./s);
    expect(result.message.text).toBe(streamed);
    expect(result.message.status).toBe('complete');
    await changed;
    expect(client.host.api.state.remote).toMatchObject({ status: 'fallback', baseUrl: fake.url, reason: expect.stringContaining('no answer within 1 s') });
  });

  it('falls back with a clear message when the key is refused (401)', async () => {
    await clientSecrets.set('remoteApiKey', 'sk-local-wrong');
    try {
      await useRemote(remoteUrl);
      const { streamed } = await send(client.client, 'Once upon a time');
      expect(streamed).toContain('refused the API key (HTTP 401)');
      expect(streamed).toContain('The local model answered instead.');
      expect(client.host.api.state.remote.status).toBe('fallback');
    } finally {
      await clientSecrets.set('remoteApiKey', 'sk-local-shared');
    }
  });

  it('falls back with a clear message on a malformed stream', async () => {
    fake.state.mode = 'malformed';
    await useRemote(fake.url);
    const { streamed } = await send(client.client, 'Once upon a time');
    expect(streamed).toContain('malformed stream chunk');
    expect(client.host.api.state.remote.reason).toContain('malformed');
  });

  it('keeps what streamed before a stream broke off, then the notice and the local answer', async () => {
    fake.state.mode = 'truncated';
    await useRemote(fake.url);
    const { result, streamed } = await send(client.client, 'Once upon a time');
    expect(streamed).toMatch(/^Remote \n\n\[The remote server failed: the stream ended before the reply was complete\. The local model answered instead\.\]\n\n./s);
    expect(result.message.text).toBe(streamed);
  });

  it('opens the breaker after 3 failures (no more attempts), then lets one probe through', async () => {
    fake.state.mode = 'error500';
    await useRemote(fake.url);
    const start = fake.state.requests;
    for (let i = 0; i < 3; i++) expect((await send(client.client, 'Once upon a time')).streamed).toContain('HTTP 500');
    expect(fake.state.requests - start).toBe(3);
    // Open: the local model answers at once and the server is not asked.
    const skipped = await send(client.client, 'Once upon a time');
    expect(skipped.streamed).toContain('paused after repeated failures');
    expect(fake.state.requests - start).toBe(3);
    // After openMs one probe goes through; it succeeds, so the remote answers again.
    fake.state.mode = 'ok';
    await new Promise((resolve) => setTimeout(resolve, openMs + 100));
    const probe = await send(client.client, 'Once upon a time');
    expect(probe.streamed).toBe('Remote hello.');
    expect(fake.state.requests - start).toBe(4);
    await waitFor(() => client.host.api.state.remote.status === 'ok', 2000, 'the remote state to recover');
  });

  it('embeds through the remote server under a key of its own, and fails (never mixes) when it is down', async () => {
    await client.client.call('settings.update', { remoteUse: 'off', embeddingModel: tinyChatModel });
    await client.host.refreshModels();
    const local = await client.host.embeddings.ensureLoaded();
    await client.client.call('settings.update', { remoteUse: 'embeddings', remoteBaseUrl: remoteUrl, remoteEmbeddingModel: 'tiny', remoteTimeoutS: 30 });
    const [remoteVector] = await client.host.embeddings.embed(['hello world']);
    const remoteInfo = client.host.embeddings.info!;
    expect(remoteInfo.key).toMatch(/^remote:/);
    expect(remoteInfo.key).not.toBe(local.key);
    expect(remoteInfo.dimensions).toBe(remoteVector!.length);
    const [servedVector] = await serving.host.embeddings.embed(['hello world']);
    expect(Array.from(remoteVector!)).toEqual(Array.from(servedVector!).map((value) => expect.closeTo(value, 5)));

    fake.state.mode = 'error500';
    await client.client.call('settings.update', { remoteBaseUrl: fake.url });
    await expect(client.host.embeddings.embed(['hello world'])).rejects.toMatchObject({ code: 'REMOTE_FAILED' });
    expect(client.host.api.state.remote.status).toBe('fallback');
  });

  it('falls back when the server is unreachable (connection refused)', async () => {
    // A port that was free a moment ago: nothing listens there (no kept-alive connection to it either).
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await useRemote(`http://127.0.0.1:${port}/v1`);
    const { streamed } = await send(client.client, 'Once upon a time');
    expect(streamed).toMatch(/^\[The remote server failed: .*ECONNREFUSED/);
  });
});
