import BetterSqlite3, { type Database } from 'better-sqlite3';
import { auditHash, genesisHash } from '@assistant/core/node';

/**
 * What someone who can write the database file (but not the keychain) does to the audit log: SQL on the
 * file with the append-only guards dropped.
 */
export function tamper(file: string, change: (db: Database) => void): void {
  const db = new BetterSqlite3(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_head_no_delete;');
    change(db);
  } finally {
    db.close();
  }
}

/** Recomputes every hash from row `from` on, and the head, as a careful attacker without the key would. */
export function rehash(db: Database, from = 1): void {
  const rows = db.prepare('SELECT seq, time, kind, summary, details, hash FROM audit_log ORDER BY seq').all() as { seq: number; time: number; kind: 'app.start'; summary: string; details: string; hash: string }[];
  let previous = genesisHash;
  for (const row of rows) {
    if (row.seq >= from) {
      row.hash = auditHash(previous, { ...row, details: JSON.parse(row.details) as Record<string, unknown> }, row.details);
      db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?').run(row.hash, row.seq);
    }
    previous = row.hash;
  }
  db.prepare('UPDATE audit_head SET seq = ?, hash = ?').run(rows.at(-1)?.seq ?? 0, previous);
}
