import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ContractClient, type HostContract, type WebSocketLike, createRpcClient, createWebSocketTransport, hostContract } from '@assistant/core';
import WebSocket from 'ws';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface ServedApp {
  url: string;
  home: string;
  /** A contract client for test setup (settings), as another tab would connect. */
  client: ContractClient<HostContract>;
  stop(): Promise<void>;
}

/** Starts `npm run assistant -- serve` exactly as a user would (fresh profile) and returns its URL. */
export async function serveApp(options: { modelsDir?: string; env?: Record<string, string>; home?: string; port?: number } = {}): Promise<ServedApp> {
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'assistant-e2e-'));
  const modelsDir = options.modelsDir ?? process.env.ASSISTANT_MODELS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'no-models-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/desktop/src/cli/main.ts'), 'serve', '--port', String(options.port ?? 0)], {
    cwd: repoRoot,
    env: { ...process.env, ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: modelsDir, ASSISTANT_LOG_LEVEL: 'error', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const { port, searchParams } = new URL(url);
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${searchParams.get('token')}`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const client = createRpcClient(hostContract, createWebSocketTransport(socket as unknown as WebSocketLike));
  return {
    url,
    home,
    client,
    async stop() {
      client.dispose();
      socket.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
