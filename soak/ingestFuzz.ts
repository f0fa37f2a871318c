// `npm run soak -- ingest-fuzz [--n N] [--batch B] [--seed S]`: hostile and unlucky files ingested in
// batches into one profile, each batch in its own host process; prints host crashes, files over 60 s, files
// without a reason, misleading reasons, and whether the documents ingested before them are intact.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { BatchOutcome } from './ingestBatch.js';
import { type FuzzFile, makeFuzzCorpus, soundSources } from './fuzzCorpus.js';

export interface IngestFuzzOptions {
  docs: string;
  count: number;
  batch?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface IngestFuzzSummary {
  files: number;
  batches: number;
  crashes: number;
  over60s: string[];
  noReason: string[];
  misleading: string[];
  intact: boolean;
  integrity: string;
  unreadableTested: boolean;
  outcomes: Record<string, number>;
}

const repoRoot = path.resolve(import.meta.dirname, '..');
const driver = path.join(import.meta.dirname, 'ingestBatch.ts');

/** Runs one batch in its own process; null when that process crashed. */
function runBatch(home: string, files: string[]): Promise<BatchOutcome[] | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', driver], { cwd: repoRoot, env: { ...process.env, ASSISTANT_HOME: home }, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.stdin.end(JSON.stringify(files));
    child.on('exit', (code) => {
      if (code !== 0) return resolve(null);
      resolve(out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as BatchOutcome));
    });
  });
}

function readyDocuments(database: string): Map<string, number> {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    const rows = db.prepare(`SELECT path, chunk_count AS chunks FROM documents WHERE status = 'ready'`).all() as { path: string; chunks: number }[];
    return new Map(rows.map((row) => [row.path, row.chunks]));
  } finally {
    db.close();
  }
}

export async function runIngestFuzz(options: IngestFuzzOptions): Promise<IngestFuzzSummary> {
  const log = options.log ?? (() => undefined);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-ingest-'));
  const home = path.join(work, 'home');
  const corpus = path.join(work, 'files');
  fs.mkdirSync(corpus, { recursive: true });
  try {
    // Unreadable files mean something only to a user other than root.
    const unreadable = process.getuid?.() !== 0;
    const files = makeFuzzCorpus({ docs: options.docs, dir: corpus, count: options.count, seed: options.seed, unreadable });
    log(`${files.length} files made in ${corpus}${unreadable ? '' : ' (running as root: no unreadable file, see the soak integration test)'}`);

    // The documents that must stay intact: ingested first, checked after every batch.
    const baselineDir = path.join(work, 'baseline');
    fs.mkdirSync(baselineDir);
    const baseline = soundSources.map((relative) => {
      const target = path.join(baselineDir, path.basename(relative));
      fs.copyFileSync(path.join(options.docs, relative), target);
      return target;
    });
    const first = await runBatch(home, baseline);
    if (!first || first.some((outcome) => outcome.status !== 'ready')) throw new Error(`the baseline documents did not ingest: ${JSON.stringify(first)}`);
    const database = path.join(home, 'assistant.db');
    const before = readyDocuments(database);

    const batch = options.batch ?? 100;
    const summary: IngestFuzzSummary = { files: files.length, batches: 0, crashes: 0, over60s: [], noReason: [], misleading: [], intact: true, integrity: '', unreadableTested: unreadable, outcomes: {} };
    const expected = new Map<string, FuzzFile>(files.map((file) => [file.file, file]));
    for (let at = 0; at < files.length; at += batch) {
      const slice = files.slice(at, at + batch).map((file) => file.file);
      const outcomes = await runBatch(home, slice);
      summary.batches++;
      if (!outcomes) {
        summary.crashes++;
        log(`batch ${summary.batches}: the host process crashed`);
        continue;
      }
      for (const outcome of outcomes) {
        const file = expected.get(outcome.path)!;
        const label = `${path.basename(outcome.path)} (${file.kind})`;
        summary.outcomes[outcome.status] = (summary.outcomes[outcome.status] ?? 0) + 1;
        if (outcome.ms !== null && outcome.ms > 60_000) summary.over60s.push(`${label}: ${Math.round(outcome.ms / 1000)} s`);
        const settled = outcome.status === 'ready' || ((outcome.status === 'failed' || outcome.status === 'skipped') && !!outcome.reason);
        if (!settled) summary.noReason.push(`${label}: ${outcome.status}`);
        // The same bytes as a file before it: skipped as a duplicate, which is its reason.
        const duplicate = outcome.status === 'skipped' && /is already in your documents/.test(outcome.reason ?? '');
        const failedIt = outcome.status !== 'ready' && !duplicate;
        const wrong =
          !duplicate &&
          ((file.expect === 'ready' && failedIt) ||
          (file.expect === 'failed' && outcome.status === 'ready') ||
          (file.reason !== undefined && outcome.status !== 'ready' && !file.reason.test(outcome.reason ?? '')) ||
          (file.reason !== undefined && /damaged/.test(outcome.reason ?? '')));
        if (wrong) summary.misleading.push(`${label}: ${outcome.status}: ${outcome.reason ?? ''}`);
      }
      const now = readyDocuments(database);
      const intact = [...before].every(([file, chunks]) => now.get(file) === chunks);
      if (!intact) summary.intact = false;
      log(`batch ${summary.batches}: ${outcomes.length} files; earlier documents ${intact ? 'intact' : 'CHANGED'}`);
    }
    const db = new BetterSqlite3(database, { readonly: true });
    summary.integrity = String(db.pragma('integrity_check', { simple: true }));
    db.close();
    return summary;
  } finally {
    for (const file of fs.readdirSync(corpus)) fs.chmodSync(path.join(corpus, file), 0o600);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
