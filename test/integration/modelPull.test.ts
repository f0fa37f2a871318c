import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ErrorCode, type PullProgress } from '@assistant/core';
import type { Manifest } from '@assistant/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startHost, waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

const tinySha256 = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
let server: http.Server;
let url = '';
/** Bytes after which the next response waits for `release()`: a download that is certainly still running. */
let holdAt: number | null = null;
const ranges: (string | null)[] = [];
let release: () => void = () => undefined;
/** Resolves once the server holds a response (set with holdAt). */
let holding: Promise<void> = Promise.resolve();
let held: () => void = () => undefined;
const holdNextAt = (bytes: number) => {
  holdAt = bytes;
  holding = new Promise<void>((resolve) => (held = resolve));
};

beforeAll(async () => {
  const bytes = tinyChatModel ? fs.readFileSync(tinyChatModel) : Buffer.alloc(0);
  server = http.createServer((request, response) => {
    ranges.push(request.headers.range ?? null);
    const match = /bytes=(\d+)-/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const body = bytes.subarray(start);
    response.writeHead(match ? 206 : 200, { 'Content-Length': body.length });
    if (holdAt === null) return response.end(body);
    const cut = holdAt;
    holdAt = null;
    const released = new Promise<void>((resolve) => (release = resolve));
    response.write(body.subarray(0, cut));
    held();
    void released.then(() => response.destroyed || response.end(body.subarray(cut)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stories260K.gguf`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const manifest = (): Manifest => ({
  version: 1,
  models: [{ id: 'tiny-stories', kind: 'chat', default: true, title: 'Tiny Stories', description: 'test', files: [{ path: 'stories260K.gguf', url, sizeBytes: 1_185_376, sha256: tinySha256 }] }],
});

describe.skipIf(!tinyChatModel)(`models.pull through the contract (${needsTinyModel})`, () => {
  it('downloads with progress, leaves setup, and the pulled model answers; a cancelled pull resumes', async () => {
    const modelsDir = makeTempDir('pull-models-');
    const partial = path.join(modelsDir, 'tiny-stories', 'stories260K.gguf.partial');
    const partialBytes = () => (fs.existsSync(partial) ? fs.statSync(partial).size : 0);
    const harness = await startHost({ modelsDir, manifest: manifest() });
    try {
      const { client } = harness;
      expect((await client.call('app.getState', {})).setupNeeded).toBe(true);

      // The server stops at 300,000 bytes until released: the cancel certainly lands mid-download.
      holdNextAt(300_000);
      const controller = new AbortController();
      const seen: PullProgress[] = [];
      const cancelled = client.stream('models.pull', { id: 'tiny-stories' }, { signal: controller.signal, onItem: (p) => seen.push(p) });
      await holding;
      // Some bytes are on disk (and cannot all be: the rest is held back) when the pull is cancelled.
      await waitFor(() => partialBytes() > 0, 30_000, 'the first bytes on disk');
      controller.abort();
      await expect(cancelled).rejects.toMatchObject({ code: ErrorCode.Cancelled });
      release();
      const pausedAt = partialBytes();
      expect(pausedAt).toBeGreaterThan(0);
      expect(pausedAt).toBeLessThanOrEqual(300_000);
      // Whatever progress reported is among the bytes kept.
      expect(seen.at(-1)?.receivedBytes ?? 0).toBeLessThanOrEqual(pausedAt);
      ranges.length = 0;

      const progress: PullProgress[] = [];
      const installed = await client.stream('models.pull', { id: 'tiny-stories' }, { onItem: (p) => progress.push(p) });
      expect(installed).toMatchObject({ name: 'tiny-stories', kinds: ['chat'], fromManifest: true });
      expect(progress[0]!.receivedBytes).toBeGreaterThanOrEqual(pausedAt);
      // It asked only for the rest: what was received before the cancel was kept.
      const resumedFrom = Number(/^bytes=(\d+)-$/.exec(ranges[0] ?? '')?.[1]);
      expect(resumedFrom).toBe(pausedAt);
      expect(progress.at(-1)).toMatchObject({ receivedBytes: 1_185_376, totalBytes: 1_185_376 });

      const state = await client.call('app.getState', {});
      expect(state).toMatchObject({ setupNeeded: false, chatModel: { name: 'tiny-stories' } });
      await client.call('settings.update', { maxTokens: 10 });
      expect((await send(client, 'Once upon a time')).result.message.status).toBe('complete');
    } finally {
      await harness.close();
    }
  });

  it('refuses a second pull of the same model while one runs, and reports a failing server plainly', async () => {
    const harness = await startHost({ modelsDir: makeTempDir('pull-models-'), manifest: manifest() });
    try {
      holdNextAt(100_000);
      const first = harness.client.stream('models.pull', { id: 'tiny-stories' }, { onItem: () => {} });
      await expect(harness.client.stream('models.pull', { id: 'tiny-stories' }, { onItem: () => {} })).rejects.toMatchObject({ code: ErrorCode.Busy });
      await holding;
      release();
      await first;
      await expect(harness.client.stream('models.pull', { id: 'nope' }, { onItem: () => {} })).rejects.toMatchObject({ code: ErrorCode.ModelNotFound });
    } finally {
      await harness.close();
    }

    const broken = { ...manifest(), models: [{ ...manifest().models[0]!, files: [{ ...manifest().models[0]!.files[0]!, url: 'http://127.0.0.1:9/none.gguf' }] }] };
    const offline = await startHost({ modelsDir: makeTempDir('pull-models-'), manifest: broken });
    try {
      await expect(offline.client.stream('models.pull', { id: 'tiny-stories' }, { onItem: () => {} })).rejects.toMatchObject({
        code: ErrorCode.DownloadFailed,
        message: expect.stringMatching(/Could not reach 127\.0\.0\.1:9/),
      });
      expect((await offline.client.call('app.getState', {})).setupNeeded).toBe(true);
    } finally {
      await offline.close();
    }
  });
});
