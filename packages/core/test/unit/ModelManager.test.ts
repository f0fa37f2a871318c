import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.js';
import { type Manifest, ModelManager, NetworkGate, silentLogger } from '../../src/node/index.js';

const payload = Buffer.alloc(256 * 1024, 7);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 251;
const sha = createHash('sha256').update(payload).digest('hex');

let server: http.Server;
let base = '';
let dropNextAt: number | null = null;
/** The response cut at `dropNextAt`, held open until the test has seen every byte before it arrive. */
let held: http.ServerResponse | null = null;
const requests: { range: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    requests.push({ range: request.headers.range });
    const match = /bytes=(\d+)-/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const body = payload.subarray(start);
    response.writeHead(match ? 206 : 200, { 'Content-Length': body.length, ...(match ? { 'Content-Range': `bytes ${start}-${payload.length - 1}/${payload.length}` } : {}) });
    if (dropNextAt !== null) {
      const cut = dropNextAt;
      dropNextAt = null;
      held = response;
      response.write(body.subarray(0, cut));
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function manifest(overrides: { sha256?: string | null; sizeBytes?: number | null } = {}): Manifest {
  return {
    version: 1,
    models: [
      {
        id: 'tiny-chat',
        kind: 'chat',
        default: true,
        title: 'Tiny',
        description: 'test',
        files: [{ path: 'tiny.gguf', url: `${base}/tiny.gguf`, sizeBytes: overrides.sizeBytes === undefined ? payload.length : overrides.sizeBytes, sha256: overrides.sha256 === undefined ? sha : overrides.sha256 }],
      },
    ],
  };
}

function makeManager(options: { manifest?: Manifest; offline?: boolean } = {}) {
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
  const network = new NetworkGate({ logger: silentLogger, offline: () => options.offline ?? false });
  return { modelsDir, network, manager: new ModelManager({ modelsDir, manifest: options.manifest ?? manifest(), network }) };
}

describe('ModelManager', () => {
  it('pulls with progress, verifies and installs', async () => {
    const { manager, modelsDir, network } = makeManager();
    const progress: number[] = [];
    const installed = await manager.pull('tiny-chat', { onProgress: (p) => progress.push(p.receivedBytes) });
    expect(installed).toMatchObject({ name: 'tiny-chat', kinds: ['chat'], fromManifest: true });
    expect(fs.readFileSync(path.join(modelsDir, 'tiny-chat', 'tiny.gguf')).equals(payload)).toBe(true);
    expect(progress.at(-1)).toBe(payload.length);
    expect(network.history).toEqual([expect.objectContaining({ host: new URL(base).host, allowed: true, purpose: 'model download: tiny-chat' })]);
    expect(manager.catalog()[0]!.installed).toBe(true);
  });

  it('resumes an interrupted download from where it stopped', async () => {
    const { manager, modelsDir } = makeManager();
    dropNextAt = 100_000;
    // The connection drops only once progress has reported all 100,000 bytes: no timing involved.
    const onProgress = (progress: { receivedBytes: number }) => {
      if (progress.receivedBytes >= 100_000) held?.destroy();
    };
    await expect(manager.pull('tiny-chat', { onProgress })).rejects.toMatchObject({ code: ErrorCode.DownloadFailed, message: expect.stringMatching(/interrupted after 100000 bytes/) });
    const partial = path.join(modelsDir, 'tiny-chat', 'tiny.gguf.partial');
    // Everything progress reported is on disk when the failure is reported.
    expect(fs.statSync(partial).size).toBe(100_000);
    requests.length = 0;
    await manager.pull('tiny-chat');
    expect(requests.map((request) => request.range)).toEqual(['bytes=100000-']);
    expect(fs.readFileSync(path.join(modelsDir, 'tiny-chat', 'tiny.gguf')).equals(payload)).toBe(true);
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('a cancelled download keeps every byte it reported', async () => {
    const { manager, modelsDir } = makeManager();
    dropNextAt = 150_000;
    const controller = new AbortController();
    let reported = 0;
    const onProgress = (progress: { receivedBytes: number }) => {
      reported = progress.receivedBytes;
      if (reported >= 150_000) controller.abort();
    };
    await expect(manager.pull('tiny-chat', { onProgress, signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    held?.destroy();
    expect(fs.statSync(path.join(modelsDir, 'tiny-chat', 'tiny.gguf.partial')).size).toBe(reported);
  });

  it('a download that received nothing leaves no folder behind', async () => {
    const unreachable = manifest();
    unreachable.models[0]!.files[0]!.url = 'http://127.0.0.1:9/tiny.gguf';
    const { manager, modelsDir } = makeManager({ manifest: unreachable });
    await expect(manager.pull('tiny-chat')).rejects.toMatchObject({ code: ErrorCode.DownloadFailed });
    expect(fs.readdirSync(modelsDir)).toEqual([]);
    expect(manager.catalog()[0]!.installed).toBe(false);
  });

  it('refuses a file whose hash does not match and keeps nothing of it', async () => {
    const { manager, modelsDir } = makeManager({ manifest: manifest({ sha256: 'f'.repeat(64) }) });
    await expect(manager.pull('tiny-chat')).rejects.toMatchObject({ code: ErrorCode.ChecksumMismatch });
    expect(fs.existsSync(path.join(modelsDir, 'tiny-chat'))).toBe(false);
    expect(await manager.installed()).toEqual([]);
  });

  it('the offline lock blocks downloads and records the attempt', async () => {
    const { manager, network } = makeManager({ offline: true });
    await expect(manager.pull('tiny-chat')).rejects.toMatchObject({ code: ErrorCode.NetworkBlocked });
    expect(network.history[0]).toMatchObject({ allowed: false });
  });

  it('names the known models when asked for an unknown one', async () => {
    const { manager } = makeManager();
    await expect(manager.pull('nope')).rejects.toThrow(/Known models: tiny-chat/);
  });

  it('imports a local folder and verifies manifest files', async () => {
    const { manager, modelsDir } = makeManager();
    const source = fs.mkdtempSync(path.join(os.tmpdir(), 'usb-'));
    fs.writeFileSync(path.join(source, 'tiny.gguf'), payload);
    await manager.import(source);
    expect(fs.existsSync(path.join(modelsDir, 'tiny-chat', 'tiny.gguf'))).toBe(true);

    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'usb-'));
    fs.writeFileSync(path.join(bad, 'tiny.gguf'), payload.subarray(10));
    await expect(makeManager().manager.import(bad)).rejects.toMatchObject({ code: ErrorCode.ChecksumMismatch });
    await expect(manager.import(path.join(source, 'missing'))).rejects.toThrow(/not a folder/);
  });

  it('finds other GGUF files and resolves chat models by name, path or default', async () => {
    const { manager, modelsDir } = makeManager();
    expect(await manager.resolveChatModel(null)).toBeNull();
    fs.mkdirSync(path.join(modelsDir, 'misc'));
    fs.writeFileSync(path.join(modelsDir, 'misc', 'Other.gguf'), 'x');
    expect((await manager.resolveChatModel(null))?.name).toBe('misc/Other');
    expect((await manager.resolveChatModel('other'))?.name).toBe('misc/Other');
    expect((await manager.resolveChatModel(path.join(modelsDir, 'misc', 'Other.gguf')))?.path).toBe(path.join(modelsDir, 'misc', 'Other.gguf'));
    await expect(manager.resolveChatModel('/no/such/model.gguf')).rejects.toMatchObject({ code: ErrorCode.ModelNotFound });
  });
});
