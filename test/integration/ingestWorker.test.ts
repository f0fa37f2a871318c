// The ingest worker under files built to hurt it, as a real worker process behind the host: a 199 MB text
// file streams through in bounded memory (measured in the worker, where the memory is used), and a file
// that crashes the parser is retried once, then failed with its reason; one that hangs it is stopped.
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import { type DocumentInfo, ErrorCode, ingestContract } from '@assistant/core';
import { ChildProcessLauncher, openDatabase, SettingsStore, silentLogger, WorkerSupervisor } from '@assistant/core/node';
import { DocumentStore } from '@assistant/rag/node';
import type { DocumentService } from '@assistant/rag/library';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorkerEntries } from '../../apps/desktop/src/node/workerEntries.js';
import { IngestPipeline } from '../../packages/rag/src/node/service/IngestPipeline.js';
import { type Harness, startHost, waitFor } from '../support/hostHarness.js';
import { makeTempDir } from '../support/tempDir.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const MB = 1024 * 1024;
const terminal = new Set(['ready', 'failed', 'cancelled']);

/** Writes `megabytes` of prose (sentences, paragraphs) without holding it in memory. */
function writeProse(file: string, megabytes: number): void {
  const words = ['harbour', 'crane', 'lifted', 'containers', 'marked', 'during', 'the', 'night', 'shift', 'while', 'gulls', 'circled', 'above', 'quiet', 'water'];
  const fd = fs.openSync(file, 'w');
  let seed = 3;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  let paragraph = '';
  for (let written = 0; written < megabytes * MB; ) {
    const sentence = Array.from({ length: 6 + (next() % 14) }, () => words[next() % words.length]).join(' ');
    paragraph += `${sentence[0]!.toUpperCase()}${sentence.slice(1)}. `;
    if (next() % 6 === 0) {
      fs.writeSync(fd, `${paragraph}\n\n`);
      written += paragraph.length + 2;
      paragraph = '';
    }
  }
  fs.closeSync(fd);
}

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

async function settle(h: Harness, timeoutMs: number): Promise<DocumentInfo[]> {
  let documents: DocumentInfo[] = [];
  await waitFor(async () => {
    documents = await h.client.call('documents.list', {});
    return documents.length > 0 && documents.every((doc) => terminal.has(doc.status));
  }, timeoutMs, 'ingestion to settle');
  return documents;
}

describe.skipIf(process.platform !== 'linux')('the ingest worker process', () => {
  it('streams a 199 MB text file (limit 200 MB) through in bounded memory', async () => {
    const dir = makeTempDir('big-text-');
    const file = path.join(dir, 'big.txt');
    writeProse(file, 199);
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const service = harness.host.documents as unknown as DocumentService;
    let worker: number | undefined;
    const watch = harness.client.on('documents.changed', () => (worker ??= service.ingestPid));
    await harness.client.call('documents.add', { paths: [file] });
    const [document] = await settle(harness, 600_000);
    watch.dispose();
    expect(document).toMatchObject({ status: 'ready', error: null });
    expect(document!.chunks).toBeGreaterThan(150_000);
    // The same worker parsed it from start to end (it never crashed), and it never held the file: its peak
    // is a fraction of the 199 MB (reading it whole took over 1 GB and then the whole 2 GB heap).
    expect(worker).toBeDefined();
    expect(service.ingestPid).toBe(worker);
    expect((await harness.client.call('app.getState', {})).documents.ingest.restarts).toBe(0);
    const peak = peakRss(worker!);
    expect(peak, `ingest worker peak RSS ${Math.round(peak / MB)} MB`).toBeLessThan(400 * MB);
    const { hits } = await harness.client.call('documents.search', { query: 'gulls circled', k: 1, mode: 'bm25' });
    expect(hits[0]).toMatchObject({ documentName: 'big.txt' });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 900_000);

  /** Kills the worker (SIGKILL, a real crash) on each of the first `kills` attempts, once it has sent chunks. */
  async function crashWhileParsing(kills: number) {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const service = harness.host.documents as unknown as DocumentService;
    const dir = makeTempDir('crash-docs-');
    writeProse(path.join(dir, 'long.txt'), 20);
    const killed: number[] = [];
    const watch = harness.client.on('documents.changed', ({ document }) => {
      const pid = service.ingestPid;
      if (killed.length < kills && document?.status === 'parsing' && document.chunks > 0 && pid && !killed.includes(pid)) {
        killed.push(pid);
        process.kill(pid, 'SIGKILL');
      }
    });
    await harness.client.call('documents.add', { paths: [dir] });
    const [document] = await settle(harness, 300_000);
    watch.dispose();
    return { document: document!, killed };
  }

  it('a file that crashes the parser once is retried, and ingested whole', async () => {
    const { document, killed } = await crashWhileParsing(1);
    expect(killed).toHaveLength(1);
    expect(document).toMatchObject({ status: 'ready', error: null });
    // No chunk of the crashed attempt is left: the chunks are exactly one parse's.
    const db = new BetterSqlite3(path.join(harness!.home, 'assistant.db'), { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT ordinal) AS distinctOrdinals, MAX(ordinal) AS last FROM chunks WHERE document_id = ?').get(document.id);
    db.close();
    expect(stored).toEqual({ n: document.chunks, distinctOrdinals: document.chunks, last: document.chunks - 1 });
  }, 400_000);

  it('a file that crashes the parser twice fails with that reason, and the next file is parsed', async () => {
    const { document, killed } = await crashWhileParsing(2);
    expect(killed).toHaveLength(2);
    expect(document).toMatchObject({ status: 'failed', chunks: 0, error: { code: ErrorCode.DocumentInvalid, message: 'long.txt crashed the document parser twice (killed by SIGKILL), so it was not added.' } });
    const dir = makeTempDir('after-crash-');
    fs.writeFileSync(path.join(dir, 'after.md'), '# After\n\nThe parser works again after two crashes.\n');
    await harness!.client.call('documents.add', { paths: [dir] });
    const documents = await settle(harness!, 60_000);
    expect(documents.find((doc) => doc.name === 'after.md')).toMatchObject({ status: 'ready' });
  }, 400_000);

  it('a file that keeps the parser busy without progress past its time limit is stopped with that reason, and the worker is replaced', async () => {
    const home = makeTempDir('hang-home-');
    const db = openDatabase({ file: path.join(home, 'assistant.db') });
    const store = new DocumentStore(db);
    const settings = new SettingsStore(db, silentLogger);
    const ingest = new WorkerSupervisor({ name: 'ingest', contract: ingestContract, launcher: new ChildProcessLauncher({ entries: nodeWorkerEntries(), logger: silentLogger }), logger: silentLogger });
    const pipeline = (parseTimeoutMs?: number) =>
      new IngestPipeline({ store, settings, ingest, logger: silentLogger, onProgress: () => undefined, onReplaced: () => undefined, embeddings: null as never, index: null as never, modelsDir: null, parseTimeoutMs, parseTimeoutPerMbMs: 0 });
    try {
      // 30 MB of HTML is parsed whole before its first chunk: far more than a second without progress.
      const file = path.join(home, 'slow.html');
      fs.writeFileSync(file, `<html><body>${'<p>The keeper logged the weather at dawn and at dusk.</p>'.repeat(550_000)}</body></html>`);
      const source = store.create({ name: 'slow.html', path: file, sizeBytes: fs.statSync(file).size, mtimeMs: 1, contentHash: 'slow' });
      await ingest.client();
      const first = ingest.pid;
      await expect(pipeline(1_000).parse(source.id, new AbortController().signal)).rejects.toMatchObject({ code: ErrorCode.DocumentInvalid, message: 'slow.html was stopped: the parser made no progress for 1 s.' });
      await waitFor(() => ingest.pid !== undefined && ingest.pid !== first, 30_000, 'a new ingest worker');
      const next = path.join(home, 'quick.md');
      fs.writeFileSync(next, '# Quick\n\nParsed by the replacement worker.\n');
      const quick = store.create({ name: 'quick.md', path: next, sizeBytes: fs.statSync(next).size, mtimeMs: 1, contentHash: 'quick' });
      await pipeline().parse(quick.id, new AbortController().signal);
      expect(store.get(quick.id)).toMatchObject({ status: 'embedding', chunks: 1 });
    } finally {
      await ingest.stop();
      ingest.dispose();
      db.close();
    }
  }, 120_000);
});
