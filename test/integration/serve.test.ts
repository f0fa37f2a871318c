import fs from 'node:fs';
import path from 'node:path';
import { hostContract, createRpcClient, createWebSocketTransport, type WebSocketLike } from '@assistant/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ServeHandle, serveHost } from '../../apps/desktop/src/node/serveHost.js';
import { type Harness, startHost } from '../support/hostHarness.js';
import { makeTempDir } from '../support/tempDir.js';

let harness: Harness;
let served: ServeHandle;

beforeAll(async () => {
  harness = await startHost({ modelsDir: makeTempDir('empty-models-') });
  const rendererDir = makeTempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Assistant</title>');
  served = await serveHost({ host: harness.host, rendererDir });
});
afterAll(async () => {
  await served.close();
  await harness.close();
});

function connect(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => resolve({ socket }));
    socket.on('unexpected-response', (_request, response) => resolve({ socket, status: response.statusCode }));
    socket.on('error', () => {});
  });
}

describe('serve mode', () => {
  it('listens on loopback only and prints a URL with a token', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('serves the renderer and falls back to it for app routes', async () => {
    const base = `http://127.0.0.1:${served.port}`;
    expect(await (await fetch(`${base}/`)).text()).toContain('<title>Assistant</title>');
    expect((await fetch(`${base}/conversations/1`)).status).toBe(200);
  });

  it('refuses a WebSocket without the token, with a wrong token, or from another origin', async () => {
    const base = `ws://127.0.0.1:${served.port}/rpc`;
    expect((await connect(base)).status).toBe(403);
    expect((await connect(`${base}?token=wrong`)).status).toBe(403);
    expect((await connect(`${base}?token=${served.token}`, { Origin: 'https://evil.example' })).status).toBe(403);
  });

  it('tells a page whether its token is still the host\'s, so it can stop retrying a refused one', async () => {
    const check = async (headers: Record<string, string>) => (await fetch(`http://127.0.0.1:${served.port}/rpc/check`, { headers })).status;
    expect(await check({ 'X-Assistant-Token': served.token })).toBe(204);
    expect(await check({ 'X-Assistant-Token': 'an-old-token' })).toBe(401);
    expect(await check({})).toBe(401);
    expect(await check({ 'X-Assistant-Token': served.token, Origin: 'https://evil.example' })).toBe(401);
  });

  it('carries the host contract over the WebSocket with the token', async () => {
    const { socket, status } = await connect(`ws://127.0.0.1:${served.port}/rpc?token=${served.token}`, { Origin: `http://127.0.0.1:${served.port}` });
    expect(status).toBeUndefined();
    const client = createRpcClient(hostContract, createWebSocketTransport(socket as unknown as WebSocketLike));
    const created = await client.call('conversations.create', { title: 'Over the wire' });
    expect((await client.call('conversations.list', {})).map((c) => c.id)).toContain(created.id);
    await expect(client.call('conversations.rename', { id: created.id, title: 42 } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    socket.send('not json');
    socket.send(JSON.stringify({ t: 'call', id: 'x' }));
    expect((await client.call('app.getState', {})).setupNeeded).toBe(true);
    socket.close();
  });

  it('closes only the connection that sends a message over 4 MiB; the host and other connections keep working', async () => {
    // Before the fix, ws raised an unhandled 'error' event here, which ends a real serve process.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const url = `ws://127.0.0.1:${served.port}/rpc?token=${served.token}`;
    const bystander = await connect(url);
    const bystanderClient = createRpcClient(hostContract, createWebSocketTransport(bystander.socket as unknown as WebSocketLike));
    const { socket } = await connect(url);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.send('x'.repeat(4 * 1024 * 1024 + 1));
    expect(await closed).toBe(1009);
    expect((await bystanderClient.call('app.getState', {})).setupNeeded).toBe(true);
    // A new connection is accepted too: the host is still serving.
    const next = await connect(url);
    const nextClient = createRpcClient(hostContract, createWebSocketTransport(next.socket as unknown as WebSocketLike));
    expect((await nextClient.call('conversations.list', {})).length).toBeGreaterThan(0);
    bystander.socket.close();
    next.socket.close();
    process.off('uncaughtException', onUncaught);
    expect(uncaught).toEqual([]);
  });
});
