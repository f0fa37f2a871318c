import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/index.js';
import { NetworkGate, silentLogger } from '../../src/node/index.js';

let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(Buffer.alloc(300_000, 7));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('NetworkGate', () => {
  it('starts a session with zero connections, then records host, purpose and the bytes actually read', async () => {
    const gate = new NetworkGate({ logger: silentLogger });
    expect(gate.state).toEqual({ offlineLock: false, attempts: [] });
    const response = await gate.fetch(`${base}/model.gguf?token=x`, { purpose: 'model download' });
    expect((await response.arrayBuffer()).byteLength).toBe(300_000);
    expect(gate.state.attempts).toEqual([{ time: expect.any(Number), host: new URL(base).host, purpose: 'model download', allowed: true, bytes: 300_000 }]);
  });

  it('refuses everything under the offline lock, counts the blocked attempt, and says so', async () => {
    let locked = true;
    const gate = new NetworkGate({ logger: silentLogger, offline: () => locked });
    const changes: number[] = [];
    gate.onDidChange((state) => changes.push(state.attempts.length));
    await expect(gate.fetch(`${base}/x`, { purpose: 'remote backend' })).rejects.toMatchObject({ code: ErrorCode.NetworkBlocked, message: expect.stringMatching(/offline lock is on/) });
    expect(gate.state).toMatchObject({ offlineLock: true, attempts: [{ purpose: 'remote backend', allowed: false, bytes: null }] });
    gate.record('cdn.example.org', 'renderer request', false);
    expect(gate.state.attempts).toHaveLength(2);
    locked = false;
    gate.lockChanged();
    expect(gate.state.offlineLock).toBe(false);
    expect(changes.length).toBeGreaterThanOrEqual(3);
  });

  it('names the host when it cannot be reached', async () => {
    const gate = new NetworkGate({ logger: silentLogger });
    await expect(gate.fetch('http://127.0.0.1:9/', { purpose: 'model download' })).rejects.toMatchObject({ code: ErrorCode.DownloadFailed, message: expect.stringMatching(/Could not reach 127\.0\.0\.1:9/) });
    expect(gate.state.attempts[0]).toMatchObject({ allowed: true, bytes: null });
  });
});
