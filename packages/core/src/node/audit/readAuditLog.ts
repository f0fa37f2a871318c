import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import { type AuditEvent, type AuditKind, type AuditQuery, auditQuerySchema } from '../../common/contract/trustSchemas.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { AuditRow } from './verifyAuditChain.js';

/** A row as stored (details as JSON text; mac null when unsigned). */
export interface StoredAuditRow {
  seq: number;
  time: number;
  kind: string;
  summary: string;
  details: string;
  hash: string;
  mac: string | null;
}

export const auditColumns = 'seq, time, kind, summary, details, hash, mac';

/** Newest first, filtered; see auditQuerySchema. */
export function listAuditEvents(db: Database, query: AuditQuery): AuditEvent[] {
  const parsed = auditQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AssistantError(ErrorCode.InvalidInput, `Invalid audit query ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid value'}.`);
  }
  const { kinds, since, until, text, beforeSeq, limit } = parsed.data;
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (kinds && kinds.length > 0) {
    where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  const add = (clause: string, value: string | number) => {
    where.push(clause);
    params.push(value);
  };
  if (since !== undefined) add('time >= ?', since);
  if (until !== undefined) add('time <= ?', until);
  if (beforeSeq !== undefined) add('seq < ?', beforeSeq);
  // LIKE is case-insensitive for ASCII; the user's % and _ are literal.
  if (text) add(`summary LIKE ? ESCAPE '\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const sql = `SELECT ${auditColumns} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  return (db.prepare(sql).all(...params, limit) as StoredAuditRow[]).map(toAuditEvent);
}

/** Every row, oldest first, one JSON object per line (with its hash); returns how many. */
export async function exportAuditLog(page: (afterSeq: number, limit: number) => StoredAuditRow[], file: string): Promise<number> {
  const out = await fs.promises.open(file, 'w');
  let count = 0;
  try {
    for (let after = 0; ; ) {
      const rows = page(after, 1000).map(toAuditEvent);
      if (rows.length === 0) break;
      await out.write(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
      count += rows.length;
      after = rows.at(-1)!.seq;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return count;
}

export function toAuditRow(row: StoredAuditRow): AuditRow {
  return { ...toAuditEvent(row), mac: row.mac };
}

function toAuditEvent(row: StoredAuditRow): AuditEvent {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = { unreadable: row.details };
  }
  return { seq: row.seq, time: row.time, kind: row.kind as AuditKind, summary: row.summary, details, hash: row.hash };
}
