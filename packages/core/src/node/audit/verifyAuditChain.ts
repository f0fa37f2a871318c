import type { AuditEvent, AuditVerifyResult } from '../../common/contract/trustSchemas.js';
import { plural } from '../../common/text/plural.js';
import { auditHash, genesisHash } from './auditHash.js';

export interface AuditChainSource {
  /** The newest row's seq and hash as recorded beside the rows (seq 0: none yet). */
  head(): { seq: number; hash: string };
  /** Rows after `afterSeq`, oldest first. */
  page(afterSeq: number, limit: number): AuditEvent[];
}

const pageSize = 2000;


/**
 * Finds the first row that does not fit the chain and says why:
 * - a gap in the numbering: the rows before it were deleted;
 * - a row whose hash does not match its content, while the row after it chains from the row before:
 *   it was inserted (the rows after it renumbered or not);
 * - the same, with its content matching one number further on: rows before it were deleted and the rest renumbered;
 * - otherwise its content was edited;
 * - fewer rows than the head recorded: the last rows were deleted (no broken link shows that, hence the head).
 * Without a secret key, someone who rewrites every hash and the head after an edit is not caught: the chain
 * proves the file was not edited piecemeal, not who wrote it.
 */
export async function verifyAuditChain(source: AuditChainSource): Promise<AuditVerifyResult> {
  // The head is read first: rows appended while we walk (by this app) are after it and are fine.
  const head = source.head();
  let previous = genesisHash;
  let expected = 1;
  let headRowHash: string | null = null;
  for (;;) {
    const rows = source.page(expected - 1, pageSize + 1);
    if (rows.length === 0) break;
    for (let i = 0; i < Math.min(rows.length, pageSize); i++) {
      const row = rows[i]!;
      if (row.seq !== expected) {
        const missing = row.seq - expected;
        return bad(row.seq, 'deleted', expected, `${missing === 1 ? `Row ${expected} was` : `Rows ${expected}–${row.seq - 1} were`} deleted: row ${row.seq} no longer follows the row before it.`);
      }
      if (auditHash(previous, row) !== row.hash) {
        const next = rows[i + 1] ?? source.page(row.seq, 1)[0];
        if (next && (auditHash(previous, next) === next.hash || auditHash(previous, { ...next, seq: next.seq - 1 }) === next.hash)) {
          return bad(row.seq, 'inserted', expected, `Row ${row.seq} was inserted: it is not part of the chain as it was written.`);
        }
        if (auditHash(previous, { ...row, seq: row.seq + 1 }) === row.hash) {
          return bad(row.seq, 'deleted', expected, `Row ${row.seq} was deleted and the rows after it renumbered.`);
        }
        return bad(row.seq, 'edited', expected, `Row ${row.seq} was edited after it was written.`);
      }
      if (row.seq === head.seq) headRowHash = row.hash;
      previous = row.hash;
      expected++;
    }
    if (rows.length <= pageSize) break;
    // Long logs: let the event loop breathe between pages.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rows = expected - 1;
  if (head.seq > rows) {
    const missing = head.seq - rows;
    return bad(rows + 1, 'deleted', expected, `The last ${missing === 1 ? 'row' : plural(missing, 'row')} (from row ${rows + 1}) ${missing === 1 ? 'was' : 'were'} deleted: the log recorded ${head.seq} rows, ${rows} remain.`);
  }
  if (head.seq > 0 && headRowHash !== head.hash) {
    return bad(head.seq, 'edited', expected, `Row ${head.seq} was edited after it was written (it no longer matches the recorded end of the log).`);
  }
  return { ok: true, rows, firstBadSeq: null, problem: null, message: `Audit log verified: ${plural(rows, 'row')}, chain intact.` };
}

function bad(seq: number, problem: 'edited' | 'inserted' | 'deleted', expected: number, message: string): AuditVerifyResult {
  return { ok: false, rows: expected - 1, firstBadSeq: seq, problem, message };
}
