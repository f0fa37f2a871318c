import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '@assistant/core/node';
import { DocumentStore } from '@assistant/rag/node';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'apps/desktop/src/cli/main.ts');
let child: ChildProcess | null = null;

afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

const files = 24;

function corpus(): string {
  const dir = makeTempDir('crash-docs-');
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 6 }, (_, p) => `Paragraph ${p} of report ${i}: the harbour crane number ${i} lifted containers marked Unique${i}Marker during shift ${p}.`).join('\n\n');
    fs.writeFileSync(path.join(dir, `report-${String(i).padStart(2, '0')}.md`), `# Report ${i}\n\n${body}\n`);
  }
  return dir;
}

describe.skipIf(!tinyChatModel)(`a kill -9 of the whole host during ingestion (${needsTinyModel})`, () => {
  it('leaves a sound database with nothing half-ingested searchable, and the next run finishes the ingestion', async () => {
    const home = makeTempDir('crash-home-');
    const docs = corpus();
    const env = { ...process.env, ASSISTANT_HOME: home, ASSISTANT_LOG_LEVEL: 'error' };
    const args = ['--import', 'tsx', cli, 'ingest', docs, '--embedding-model', tinyChatModel!, '--json'];
    child = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
    const database = path.join(home, 'assistant.db');
    const readyCount = () => {
      if (!fs.existsSync(database)) return 0;
      const db = new BetterSqlite3(database, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare(`SELECT COUNT(*) AS n FROM documents WHERE status = 'ready'`).get() as { n: number }).n;
      } catch {
        return 0;
      } finally {
        db.close();
      }
    };
    await waitFor(() => readyCount() >= 3, 120_000, 'a few documents to be ingested');
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = null;

    const db = openDatabase({ file: database });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const store = new DocumentStore(db);
    const documents = store.list();
    const unfinished = documents.filter((doc) => doc.status !== 'ready');
    expect(unfinished.length).toBeGreaterThan(0);
    for (const doc of unfinished) {
      const marker = `Unique${doc.name.match(/\d+/)![0].replace(/^0/, '')}Marker`;
      expect(store.searchBm25(marker, 5), `${doc.name} (${doc.status}) must not be searchable`).toEqual([]);
    }
    db.close();

    const rerun = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
    expect(rerun.status, rerun.stderr).toBe(0);
    const after = openDatabase({ file: database });
    const finished = new DocumentStore(after).list();
    expect(finished).toHaveLength(files);
    expect(finished.every((doc) => doc.status === 'ready' && doc.chunks > 0 && doc.embeddedChunks === doc.chunks)).toBe(true);
    expect(new DocumentStore(after).searchBm25('Unique23Marker', 5)).toHaveLength(1);
    after.close();
  }, 400_000);
});
