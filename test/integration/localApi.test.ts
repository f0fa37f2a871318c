import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHost, waitFor } from '../support/hostHarness.js';
import { memorySecrets } from '../support/memorySecrets.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { decodeWav } from '@assistant/voice';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;

/** Reads an SSE response body into its `data:` payloads. */
async function readSse(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

describe.skipIf(!tinyChatModel)(`the OpenAI-compatible local API on a real host (${needsTinyModel})`, () => {
  let harness: Harness;
  let url: string;
  let key: string;
  const secrets = memorySecrets();
  const post = (route: string, body: unknown, auth = `Bearer ${key}`) =>
    fetch(`${url}${route}`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    harness = await startHost();
    harness.host.api.attach({ secrets });
    await harness.client.call('settings.update', { maxTokens: 24, temperature: 0, embeddingModel: tinyChatModel });
    const changed = new Promise((resolve) => harness.client.on('api.changed', resolve));
    const local = await harness.host.api.enableForRun(0);
    expect(local.error).toBeNull();
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    await changed;
    url = local.url!;
    // Made on first enable and kept in the secret store, never in settings.
    key = (await secrets.get('localApiKey'))!;
    expect(key).toMatch(/^sk-local-/);
    expect(JSON.stringify(await harness.client.call('settings.get', {}))).not.toContain(key);
    expect((await harness.client.call('api.getState', {})).local).toEqual({ enabled: true, url, error: null });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('lists the chat model', async () => {
    // The chat model's name is known once it is resolved (idle) or loaded.
    const response = await fetch(`${url}/models`, { headers: { Authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((model) => model.id)).toContain(harness.host.chatModel.state.name);
  });

  it('answers a chat completion with usage, and does not store it as a conversation', async () => {
    const response = await post('/chat/completions', { model: 'x', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: { message: { role: string; content: string }; finish_reason: string }[]; usage: { completion_tokens: number; prompt_tokens: number; total_tokens: number } };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]!.message.role).toBe('assistant');
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(body.choices[0]!.finish_reason);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(await harness.client.call('conversations.list', {})).toEqual([]);
  });

  it('streams a chat completion as SSE chunks ending with [DONE]', async () => {
    const response = await post('/chat/completions', { messages: [{ role: 'system', content: 'Tell a story.' }, { role: 'user', content: 'Once upon a time' }], stream: true, stream_options: { include_usage: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data) as { object: string; choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: { completion_tokens: number } });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.filter((chunk) => chunk.choices.some((choice) => choice.finish_reason)).length).toBe(1);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('embeds strings with the embedding model', async () => {
    const response = await post('/embeddings', { model: 'any', input: ['hello world', 'a second text'] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    expect(body.data.map((item) => item.index)).toEqual([0, 1]);
    expect(body.data[0]!.embedding.length).toBeGreaterThan(0);
    const norm = Math.hypot(...body.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 3);
  });

  it('refuses calls without the key or with a wrong one (401)', async () => {
    const missing = await fetch(`${url}/models`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('API key');
    const wrong = await post('/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }, 'Bearer sk-local-wrong');
    expect(wrong.status).toBe(401);
    await expect(wrong.json()).resolves.toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('answers 400 naming the field for malformed JSON or a bad body, 404 for unknown routes', async () => {
    const malformed = await post('/chat/completions', '{"messages": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain('not valid JSON');
    const badField = await post('/chat/completions', { messages: [{ role: 'user', content: 42 }] });
    expect(badField.status).toBe(400);
    await expect(badField.json()).resolves.toMatchObject({ error: { param: 'messages.0.content', message: expect.stringContaining('messages.0.content') } });
    const unknown = await fetch(`${url}/nothing`, { headers: { Authorization: `Bearer ${key}` } });
    expect(unknown.status).toBe(404);
    const mp3 = await post('/audio/speech', { input: 'hi', response_format: 'mp3' });
    expect(mp3.status).toBe(400);
    expect(((await mp3.json()) as { error: { param: string } }).error.param).toBe('response_format');
  });

  it.skipIf(!hasEspeak)('speaks with the system voice, and says why it cannot transcribe without an STT model (needs espeak-ng)', async () => {
    const speech = await post('/audio/speech', { model: 'tts-1', input: 'The quick brown fox.', voice: 'alloy' });
    expect(speech.status).toBe(200);
    expect(speech.headers.get('content-type')).toBe('audio/wav');
    const wav = new Uint8Array(await speech.arrayBuffer());
    const decoded = decodeWav(wav, 'speech.wav');
    expect(decoded.samples.length / decoded.sampleRate).toBeGreaterThan(0.5);

    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob([wav], { type: 'audio/wav' }), 'speech.wav');
    const transcription = await fetch(`${url}/audio/transcriptions`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
    const state = await harness.client.call('voice.getState', {});
    if (state.listen.available) {
      expect(transcription.status).toBe(200);
      expect(((await transcription.json()) as { text: string }).text.toLowerCase()).toContain('fox');
    } else {
      expect(transcription.status).toBe(503);
      expect(((await transcription.json()) as { error: { message: string } }).error.message).toBe(`Transcription is unavailable: ${state.listen.reason}.`);
    }

    const noFile = new FormData();
    noFile.append('model', 'whisper-1');
    const missing = await fetch(`${url}/audio/transcriptions`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: noFile });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('file');
  });

  it.each([
    ['streamed without a length', false],
    ['declaring its 100 MB length', true],
  ])('refuses a 100 MB body %s with 413, quickly and without buffering it', async (_name, declare) => {
    const total = 100 * 1024 * 1024;
    // The client runs in its own process, so this process's memory is the server's alone: measured where it is used.
    const rssBefore = process.memoryUsage().rss;
    const { status, sent } = await postFromChild(`${url}/chat/completions`, key, total, declare);
    expect(status).toBe(413);
    // The client stopped well before 100 MB, and the server kept nothing like it in memory.
    expect(sent).toBeLessThan(total);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(60 * 1024 * 1024);
  });

  it('records each call in the audit log (refused ones are counted per minute: localApiRefusals.test.ts)', async () => {
    // Its own answered call (no reliance on what earlier tests sent).
    expect((await post('/chat/completions', { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 4 })).status).toBe(200);
    const { events } = await harness.client.call('audit.list', { kinds: ['api.call'] });
    expect(events.some((event) => event.summary.includes('POST /v1/chat/completions answered 200'))).toBe(true);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('cancels the generation when the client disconnects, and the next call works', async () => {
    const cancelledRows = async () => (await harness.client.call('audit.list', { kinds: ['api.call'] })).events.filter((event) => (event.details as { cancelled?: boolean }).cancelled === true);
    const before = (await cancelledRows()).length;
    // As long as the context and apiMaxTokens allow: without the cancel it would run on for ~2,000 tokens, and
    // its row would say it answered in full.
    const response = await post('/chat/completions', { messages: [{ role: 'user', content: 'Once upon a time' }], stream: true, max_tokens: 2000 });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(async () => (await cancelledRows()).length > before, 30_000, 'the disconnected call to be recorded as cancelled');
    const [row] = (await cancelledRows()).slice(-1);
    expect(row!.summary).toBe('Local API POST /v1/chat/completions answered 200, cancelled: the client disconnected');
    const next = await post('/chat/completions', { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 });
    expect(next.status).toBe(200);
    const body = (await next.json()) as { usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
  });
});

describe.skipIf(!tinyChatModel)(`the local API follows its settings live (${needsTinyModel})`, () => {
  it('starts when localApi is turned on, on localApiPort, and stops when it is turned off', async () => {
    const harness = await startHost();
    try {
      harness.host.api.attach({ secrets: memorySecrets({ localApiKey: 'sk-local-known' }) });
      const port = await freePort();
      await harness.client.call('settings.update', { localApi: true, localApiPort: port });
      await waitFor(() => harness.host.api.state.local.url !== null, 10_000, 'the local API to start');
      expect(harness.host.api.state.local).toEqual({ enabled: true, url: `http://127.0.0.1:${port}/v1`, error: null });
      expect((await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { Authorization: 'Bearer sk-local-known' } })).status).toBe(200);
      await harness.client.call('settings.update', { localApi: false });
      await waitFor(() => !harness.host.api.state.local.enabled, 10_000, 'the local API to stop');
      await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow();
    } finally {
      await harness.close();
    }
  });

  it('refuses to start, saying why, when no secret store is available', async () => {
    const harness = await startHost();
    try {
      harness.host.api.attach({ secrets: null });
      const state = await harness.host.api.enableForRun(0);
      expect(state).toMatchObject({ enabled: true, url: null, error: expect.stringContaining('secret store') });
    } finally {
      await harness.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** POSTs `total` bytes from a separate Node process (Node's http client) and reports the status it read and the bytes it wrote. */
function postFromChild(target: string, key: string, total: number, declare: boolean): Promise<{ status: number; sent: number }> {
  const script = `
    const http = require('node:http');
    const [target, key, total, declare] = [process.argv[1], process.argv[2], Number(process.argv[3]), process.argv[4] === 'true'];
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0, answered = false;
    const request = http.request(target, { method: 'POST', headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json', ...(declare ? { 'Content-Length': total } : {}) } });
    request.on('response', (response) => { answered = true; response.resume(); console.log(JSON.stringify({ status: response.statusCode, sent })); process.exit(0); });
    // Writing after the server closed the connection fails; only the status matters here.
    request.on('error', (error) => { if (!answered) { console.log(JSON.stringify({ status: 0, sent, error: error.message })); process.exit(0); } });
    const pump = () => { while (!answered && sent < total) { sent += chunk.length; if (!request.write(chunk)) return void request.once('drain', pump); } if (!answered) request.end(); };
    pump();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, target, key, String(total), String(declare)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as { status: number; sent: number });
      } catch {
        reject(new Error(`the client process printed ${JSON.stringify(out)}`));
      }
    });
  });
}
