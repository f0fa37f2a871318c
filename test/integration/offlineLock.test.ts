// The offlineLock setting through the host: a model download and a remote backend call are both refused
// before any byte leaves, each attempt is logged (network state and audit log), and lifting the lock lets
// them through again.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@assistant/core';
import type { Manifest } from '@assistant/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, send, startHost } from '../support/hostHarness.js';
import { memorySecrets } from '../support/memorySecrets.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

describe.skipIf(!tinyChatModel)(`the offline lock (${needsTinyModel})`, () => {
  let harness: Harness;
  let server: http.Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    const model = fs.readFileSync(tinyChatModel!);
    server = http.createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      if (request.url === '/tiny.gguf') return void response.writeHead(200, { 'Content-Length': model.length }).end(model);
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.end(`data: ${JSON.stringify({ choices: [{ delta: { content: 'Remote hello.' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const manifest: Manifest = { version: 1, models: [{ id: 'tiny-remote', kind: 'chat', title: 'Tiny', description: 'test', files: [{ path: 'tiny.gguf', url: `${base}/tiny.gguf`, sizeBytes: model.length, sha256: null }] }] } as unknown as Manifest;
    harness = await startHost({ model: tinyChatModel, manifest, modelsDir: makeTempDir('offline-models-') });
    harness.host.api.attach({ secrets: memorySecrets({ remoteApiKey: 'sk-test' }) });
    await harness.client.call('settings.update', { maxTokens: 8, temperature: 0, offlineLock: true });
  });
  afterAll(async () => {
    await harness?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const blockedRows = async (purpose: string) =>
    (await harness.client.call('audit.list', { kinds: ['network'] })).events.filter((event) => event.summary === `Blocked a connection to ${new URL(base).host} (${purpose}).`);

  it('refuses a model download before connecting, and logs the attempt', async () => {
    await expect(harness.client.stream('models.pull', { id: 'tiny-remote' }, { onItem: () => undefined })).rejects.toMatchObject({
      code: expect.stringMatching(new RegExp(`${ErrorCode.NetworkBlocked}|${ErrorCode.DownloadFailed}`)),
      message: expect.stringContaining('offline lock'),
    });
    expect(requests).toEqual([]);
    const network = await harness.client.call('network.getState', {});
    expect(network.offlineLock).toBe(true);
    expect(network.attempts).toContainEqual(expect.objectContaining({ host: new URL(base).host, allowed: false }));
    expect(await blockedRows('model download: tiny-remote')).toHaveLength(1);
  });

  it('refuses a remote backend call: the local model answers and says why, nothing is sent, the attempt is logged', async () => {
    await harness.client.call('settings.update', { remoteUse: 'chat', remoteBaseUrl: `${base}/v1`, remoteChatModel: 'tiny' });
    const { result, streamed } = await send(harness.client, 'Once upon a time');
    expect(result.message.status).toBe('complete');
    expect(streamed).toMatch(/offline lock/);
    expect(streamed).not.toContain('Remote hello.');
    expect(requests).toEqual([]);
    expect((await blockedRows('remote backend')).length).toBeGreaterThanOrEqual(1);
  });

  it('lets both through once the lock is lifted', async () => {
    await harness.client.call('settings.update', { offlineLock: false, remoteUse: 'off' });
    await harness.client.call('settings.update', { remoteUse: 'chat' });
    const { streamed } = await send(harness.client, 'Once upon a time');
    expect(streamed).toContain('Remote hello.');
    await harness.client.stream('models.pull', { id: 'tiny-remote' }, { onItem: () => undefined });
    expect(requests).toEqual(['POST /v1/chat/completions', 'GET /tiny.gguf']);
  });
});
