// `npm run soak -- kill [--n N] [--files F]`: N ingestions of the same files, each killed (kill -9 of the
// whole process tree: host and workers) at a random point, then `PRAGMA integrity_check`, no unfinished
// document searchable, and once resumed the same documents, chunks and embeddings as an uninterrupted run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { seeded } from './fuzzCorpus.js';

export interface KillSoakOptions {
  kills: number;
  files?: number;
  /** An embedding model (GGUF path), so kills also land while embedding; keywords only without. */
  embeddingModel?: string | null;
  seed?: number;
  log?: (line: string) => void;
}

export interface Counts {
  documents: number;
  ready: number;
  chunks: number;
  embeddings: number;
}

export interface KillSoakSummary {
  kills: number;
  /** Kills that found the run already finished (no ingestion to interrupt). */
  finishedBeforeKill: number;
  /** Kills that left documents unfinished (the rest landed in start-up, or at the very end). */
  midIngestion: number;
  corrupt: number;
  /** Unfinished documents whose unique words a search found. */
  halfIngestedSearchable: number;
  reference: Counts;
  /** The reference's counts, or the first resumed run's that differed. */
  final: Counts;
  /** Every resumed run ended with the reference's documents, chunks and embeddings. */
  sameCounts: boolean;
}

const repoRoot = path.resolve(import.meta.dirname, '..');
const cli = path.join(repoRoot, 'apps/desktop/src/cli/main.ts');

function corpus(dir: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 8 }, (_, p) => `Paragraph ${p} of report ${i}: the harbour crane number ${i} lifted containers marked Unique${i}Marker during shift ${p}.`).join('\n\n');
    fs.writeFileSync(path.join(dir, `report-${String(i).padStart(3, '0')}.md`), `# Report ${i}\n\n${body}\n`);
  }
}

/** Starts `ingest` in its own process group, so one kill reaches the host and every worker. */
function ingest(home: string, docs: string, embeddingModel: string | null | undefined) {
  const args = ['--import', 'tsx', cli, 'ingest', docs, '--json', ...(embeddingModel ? ['--embedding-model', embeddingModel] : [])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ASSISTANT_HOME: home, ASSISTANT_LOG_LEVEL: 'error' }, stdio: 'ignore', detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

function counts(database: string): Counts {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      documents: one('SELECT COUNT(*) AS n FROM documents'),
      ready: one(`SELECT COUNT(*) AS n FROM documents WHERE status = 'ready'`),
      chunks: one(`SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.status = 'ready'`),
      embeddings: one(`SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.status = 'ready' AND c.embedding IS NOT NULL`),
    };
  } finally {
    db.close();
  }
}

/** After a kill: is the file sound, and can a search find any unfinished document? (The search is the app's own.) */
async function inspect(database: string): Promise<{ ok: boolean; searchable: number }> {
  if (!fs.existsSync(database)) return { ok: true, searchable: 0 };
  const { openDatabase } = await import('@assistant/core/node');
  const { DocumentStore } = await import('@assistant/rag/node');
  const db = openDatabase({ file: database });
  try {
    const ok = db.pragma('integrity_check', { simple: true }) === 'ok';
    const store = new DocumentStore(db);
    let searchable = 0;
    for (const doc of store.list().filter((d) => d.status !== 'ready')) {
      const marker = `Unique${Number(/\d+/.exec(doc.name)![0])}Marker`;
      if (store.searchBm25(marker, 5).length > 0) searchable++;
    }
    return { ok, searchable };
  } finally {
    db.close();
  }
}

export async function runKillSoak(options: KillSoakOptions): Promise<KillSoakSummary> {
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed ?? 7);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-kill-'));
  try {
    const docs = path.join(work, 'docs');
    fs.mkdirSync(docs);
    corpus(docs, options.files ?? 40);

    const referenceHome = path.join(work, 'reference');
    const started = Date.now();
    const reference = ingest(referenceHome, docs, options.embeddingModel);
    if ((await reference.exited) !== 0) throw new Error('the uninterrupted reference run failed');
    const took = Date.now() - started;
    const referenceCounts = counts(path.join(referenceHome, 'assistant.db'));
    log(`reference: ${JSON.stringify(referenceCounts)} in ${(took / 1000).toFixed(1)} s`);

    // Every round interrupts a fresh ingestion of the same files: killed at a random point, inspected, then
    // resumed to the end, which must give the reference's counts.
    const files = options.files ?? 40;
    const summary: KillSoakSummary = { kills: 0, finishedBeforeKill: 0, midIngestion: 0, corrupt: 0, halfIngestedSearchable: 0, reference: referenceCounts, final: referenceCounts, sameCounts: true };
    for (let i = 0; i < options.kills; i++) {
      const home = path.join(work, `killed-${i}`);
      const database = path.join(home, 'assistant.db');
      const run = ingest(home, docs, options.embeddingModel);
      const startedAt = Date.now();
      const exited = run.exited.then(() => true);
      // A random point of the run: every other kill after a random time (start-up, parsing, embedding, the
      // last commit), the others once a random number of documents is ready (certainly mid-ingestion).
      const target = 1 + Math.floor(random() * (files - 1));
      let settled = false;
      const readyNow = () => {
        try {
          return fs.existsSync(database) ? counts(database).ready : 0;
        } catch {
          return 0; // The schema is still being created.
        }
      };
      const byTime = new Promise<false>((resolve) => setTimeout(() => resolve(false), 300 + random() * took));
      const byProgress = (async () => {
        while (!settled && readyNow() < target) await new Promise((resolve) => setTimeout(resolve, 50));
        return false as const;
      })();
      const finished = await Promise.race([exited, i % 2 === 0 ? byTime : byProgress]);
      settled = true;
      const delay = Date.now() - startedAt;
      if (finished) summary.finishedBeforeKill++;
      else {
        process.kill(-run.child.pid!, 'SIGKILL');
        await run.exited;
      }
      summary.kills++;
      const { ok, searchable } = await inspect(database);
      if (!ok) summary.corrupt++;
      summary.halfIngestedSearchable += searchable;
      const atKill = fs.existsSync(database) ? counts(database) : null;
      if (atKill && atKill.ready < files) summary.midIngestion++;
      const resumed = ingest(home, docs, options.embeddingModel);
      if ((await resumed.exited) !== 0) throw new Error(`the run after kill ${i + 1} failed`);
      const final = counts(database);
      if (JSON.stringify(final) !== JSON.stringify(referenceCounts)) {
        summary.sameCounts = false;
        summary.final = final;
      }
      log(`kill ${i + 1} after ${(delay / 1000).toFixed(1)} s (${i % 2 === 0 ? 'random time' : `${target} ready`})${finished ? ' (the run had finished)' : ''}: integrity ${ok ? 'ok' : 'FAILED'}, ${searchable} unfinished searchable, at the kill ${atKill ? JSON.stringify(atKill) : 'no database yet'}; resumed: ${JSON.stringify(final)}`);
    }
    return summary;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
