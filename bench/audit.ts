import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog, canonicalJson, openDatabase, silentLogger } from '@assistant/core/node';
import { memorySecrets } from '../test/support/memorySecrets.js';
import { printReport, round } from './report.js';

/**
 * Audit log append throughput: events through AuditLog (validation, redaction, canonical JSON, SHA-256
 * chain, an HMAC signature per row, batched transactions, the head row, and the log's end recorded in the
 * secret store after an fsync at most every 2 s) against bare better-sqlite3 inserts of the same rows in
 * transactions of the same size, without hashing, into the same schema, in the same run. The secret store
 * is in memory here: a real keychain write is asynchronous and does not hold up appends.
 */
export async function benchAudit(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { n: { type: 'string', default: '50000' }, burst: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' } } });
  const n = Number(values.n);
  const burst = Number(values.burst);
  const runs = Number(values.runs);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive whole number, not "${values.n}".`);
  if (!Number.isInteger(burst) || burst < 1) throw new Error(`--burst must be a positive whole number, not "${values.burst}".`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  const details = (i: number) => ({ names: ['temperature'], values: { temperature: (i % 20) / 10 }, previous: { temperature: 0.7 } });
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  const app: number[] = [];
  const bare: number[] = [];
  const longestFlushMs: number[] = [];
  const bareLongestMs: number[] = [];
  let verifyRowsPerS = 0;
  try {
    for (let run = 0; run < runs; run++) {
      // The app: `burst` events per turn of the event loop, as a busy host would produce them.
      {
        const db = openDatabase({ file: path.join(dir, `app-${run}.db`) });
        const log = await AuditLog.open(db, { logger: silentLogger, secrets: memorySecrets() });
        let longest = 0;
        const started = performance.now();
        for (let i = 0; i < n; i += burst) {
          for (let j = i; j < Math.min(n, i + burst); j++) log.append('settings.changed', `Settings changed: temperature 0.7 → ${(j % 20) / 10}.`, details(j));
          const flushStarted = performance.now();
          await tick();
          longest = Math.max(longest, performance.now() - flushStarted);
        }
        log.flush();
        app.push(n / ((performance.now() - started) / 1000));
        longestFlushMs.push(longest);
        const verifyStarted = performance.now();
        const verified = await log.verify();
        if (!verified.ok || verified.rows !== n || verified.protection !== 'keychain') throw new Error(`verify failed: ${verified.message}`);
        verifyRowsPerS = Math.max(verifyRowsPerS, n / ((performance.now() - verifyStarted) / 1000));
        log.dispose();
        db.close();
        await log.sealed;
      }
      // Bare: the same rows, the same transaction size, no hashing (a constant where the hash goes).
      {
        const db = openDatabase({ file: path.join(dir, `bare-${run}.db`) });
        const insert = db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?)`);
        const head = db.prepare(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`);
        const write = db.transaction((from: number, to: number) => {
          for (let j = from; j < to; j++) insert.run(j + 1, Date.now(), 'settings.changed', `Settings changed: temperature 0.7 → ${(j % 20) / 10}.`, JSON.stringify(details(j)), 'x', 'y');
          head.run(to, 'x');
        });
        let longest = 0;
        const started = performance.now();
        for (let i = 0; i < n; i += burst) {
          const writeStarted = performance.now();
          write(i, Math.min(n, i + burst));
          await tick();
          longest = Math.max(longest, performance.now() - writeStarted);
        }
        bare.push(n / ((performance.now() - started) / 1000));
        bareLongestMs.push(longest);
        db.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const best = (values: number[]) => Math.max(...values);
  const appBest = best(app);
  const bareBest = best(bare);
  // Canonical JSON alone, for scale.
  const sample = details(3);
  const canonicalStarted = performance.now();
  for (let i = 0; i < 100_000; i++) canonicalJson(sample);
  const canonicalPerS = 100_000 / ((performance.now() - canonicalStarted) / 1000);
  printReport(
    'audit',
    [
      { path: 'AuditLog (signed hash chain, batched)', events_per_s: round(appBest, 0), longest_tick_ms: round(Math.max(...longestFlushMs), 2) },
      { path: 'bare better-sqlite3 inserts', events_per_s: round(bareBest, 0), longest_tick_ms: round(Math.max(...bareLongestMs), 2) },
    ],
    { events: n, burst, runs, app_events_per_s: round(appBest, 0), bare_events_per_s: round(bareBest, 0), throughput_ratio: round(appBest / bareBest), verify_rows_per_s: round(verifyRowsPerS, 0), canonical_json_per_s: round(canonicalPerS, 0), target_events_per_s: 5000 },
  );
}
