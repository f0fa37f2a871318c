// Ctrl+C (SIGINT) in real CLI processes: `ask` stops the answer and keeps what was said, `ingest` stops and
// the rest resumes on the next run, `models pull` stops and the next pull resumes from the bytes kept.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { repoRoot, runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

const cli = path.join(repoRoot, 'apps/desktop/src/cli/main.ts');
let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

/** Starts the CLI and collects its output; `exited` resolves with its exit code. */
function start(args: string[], env: Record<string, string>) {
  const started = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = started;
  const output = { stdout: '', stderr: '' };
  started.stdout!.on('data', (data: Buffer) => (output.stdout += data.toString()));
  started.stderr!.on('data', (data: Buffer) => (output.stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
  return { child: started, output, exited };
}

function query<T>(database: string, sql: string): T[] {
  if (!fs.existsSync(database)) return [];
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } catch {
    return []; // The schema is still being created.
  } finally {
    db.close();
  }
}

describe('Ctrl+C in the command line', () => {
  it.skipIf(!tinyChatModel)(`ask: stops the answer, exits 130 and keeps the partial reply (${needsTinyModel})`, async () => {
    const home = makeTempDir('sigint-ask-');
    const env = { ASSISTANT_HOME: home };
    // As long a reply as the model's context allows, so it is certainly still talking when interrupted.
    expect(runCli(['settings', 'set', 'maxTokens', '4000'], env).code).toBe(0);
    const run = start(['ask', '--model', tinyChatModel!, 'Once upon a time'], env);
    await waitFor(() => run.output.stdout.length > 0, 120_000, 'the first words of the answer');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toContain('(stopped)');
    const [reply] = query<{ status: string; text: string }>(path.join(home, 'assistant.db'), `SELECT status, text FROM messages WHERE role = 'assistant'`);
    expect(reply!.status).toBe('cancelled');
    expect(reply!.text.length).toBeGreaterThan(0);
  }, 180_000);

  it('ingest: stops, exits 130 and says so; the next run finishes what was left', async () => {
    const home = makeTempDir('sigint-ingest-');
    const env = { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: makeTempDir('no-models-') };
    const docs = makeTempDir('sigint-docs-');
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(docs, `part-${String(i).padStart(2, '0')}.md`), `# Part ${i}\n\n${`Sentence ${i} about tides and harbours. `.repeat(2000)}\n`);
    const database = path.join(home, 'assistant.db');
    const run = start(['ingest', docs], env);
    await waitFor(() => (query<{ n: number }>(database, `SELECT COUNT(*) AS n FROM documents WHERE status = 'ready'`)[0]?.n ?? 0) >= 1, 120_000, 'the first document to be ingested');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toContain('Stopped. Unfinished files continue the next time the app or `ingest` runs.');
    const left = query<{ n: number }>(database, `SELECT COUNT(*) AS n FROM documents WHERE status != 'ready'`)[0]!.n;
    expect(left).toBeGreaterThan(0);

    const rerun = runCli(['ingest', docs], env, 300_000);
    expect(rerun.code).toBe(0);
    expect(query<{ n: number }>(database, `SELECT COUNT(*) AS n FROM documents WHERE status = 'ready'`)[0]!.n).toBe(30);
  }, 400_000);

  it('models pull: stops, exits 130 and says so; the next pull resumes from the bytes kept', async () => {
    const payload = Buffer.alloc(3_000_000, 7);
    let holdFirst = true;
    const ranges: (string | undefined)[] = [];
    const server = http.createServer((request, response) => {
      ranges.push(request.headers.range);
      const from = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      response.writeHead(from > 0 ? 206 : 200, { 'Content-Length': payload.length - from });
      if (!holdFirst) return response.end(payload.subarray(from));
      // The first response stops after 1 MB and never finishes: the pull is certainly running when interrupted.
      holdFirst = false;
      response.write(payload.subarray(0, 1_000_000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const modelsDir = makeTempDir('sigint-models-');
      const manifest = path.join(makeTempDir('sigint-manifest-'), 'manifest.json');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/blob.gguf`;
      fs.writeFileSync(manifest, JSON.stringify({ version: 1, models: [{ id: 'blob', kind: 'chat', title: 'Blob', description: 'test', files: [{ path: 'blob.gguf', url, sizeBytes: payload.length, sha256: null }] }] }));
      const env = { ASSISTANT_HOME: makeTempDir('sigint-pull-home-'), ASSISTANT_MODELS_DIR: modelsDir, ASSISTANT_MODEL_MANIFEST: manifest };
      const partial = path.join(modelsDir, 'blob', 'blob.gguf.partial');
      const run = start(['models', 'pull', 'blob'], env);
      await waitFor(() => fs.existsSync(partial) && fs.statSync(partial).size > 0, 60_000, 'the first bytes on disk');
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
      expect(run.output.stderr).toMatch(/Stopped\. `models pull blob` resumes the download where it stopped\.\n$/);
      const kept = fs.statSync(partial).size;
      expect(kept).toBeGreaterThan(0);

      ranges.length = 0;
      // Not spawnSync: the server answering it lives in this process.
      const resumed = start(['models', 'pull', 'blob'], env);
      expect(await resumed.exited, resumed.output.stderr).toBe(0);
      expect(ranges).toEqual([`bytes=${kept}-`]);
      expect(fs.readFileSync(path.join(modelsDir, 'blob', 'blob.gguf')).equals(payload)).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 200_000);
});
