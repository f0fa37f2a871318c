import type { AuditEvent, AuditVerifyResult } from '../../common/contract/trustSchemas.js';
import type { AuditKey, AuditKeychainHead } from './AuditKeychain.js';
import { plural } from '../../common/text/plural.js';
import { auditHash, auditMac, genesisHash } from './auditHash.js';

/** A stored row: the event and its signature (null: written without the key). */
export type AuditRow = AuditEvent & { mac: string | null };

export interface AuditChainSource {
  /** The newest row's seq and hash as recorded beside the rows (seq 0: none yet); undefined when that head row is gone. */
  head(): { seq: number; hash: string } | undefined;
  /** Rows after `afterSeq`, oldest first. */
  page(afterSeq: number, limit: number): AuditRow[];
}

/** What the keychain holds for this log, as far as it could be read. */
export interface AuditChainKeychain {
  key: AuditKey | null;
  head: AuditKeychainHead | null;
  /** Where the key lives: the OS keychain, or Electron's encrypted file (no rollback guarantee). */
  backend: 'keychain' | 'safeStorage';
}

export interface AuditChainKeys {
  keychain: AuditChainKeychain | null;
  /** Why there is no keychain to check against (no secret store, or it could not be read). */
  unavailable: string | null;
}

const pageSize = 2000;

/** The verb or noun form that agrees with `n` ("was"/"were"); counts with their noun use `plural`. */
const agree = (n: number, one: string, many: string) => (n === 1 ? one : many);
const rowsText = (from: number, to: number) => (from === to ? `row ${from}` : `rows ${from}–${to}`);

/**
 * Finds the first row that does not fit the chain and says why:
 * - a gap in the numbering: the rows before it were deleted;
 * - a row whose hash does not match its content, while the row after it chains from the row before:
 *   it was inserted (the rows after it renumbered or not);
 * - the same, with its content matching one number further on: rows before it were deleted and the rest renumbered;
 * - otherwise its content was edited;
 * - a signature (HMAC of the hash under the keychain's key) that does not match: the row was changed and the
 *   hashes recomputed, which the plain chain cannot show;
 * - fewer rows than the head recorded: the last rows were deleted (no broken link shows that, hence the head);
 * - a log that does not reach, or no longer holds, the end the keychain recorded: rows were cut from the end
 *   together with the head, or an older copy of the database was restored (and the breaks the app found before).
 * Without the keychain only the plain chain is left, and the message says so.
 */
export async function verifyAuditChain(source: AuditChainSource, keys: AuditChainKeys = { keychain: null, unavailable: 'no secret store' }): Promise<AuditVerifyResult> {
  // The head is read first: rows appended while we walk (by this app) are after it and are fine.
  const head = source.head();
  const keychain = keys.keychain;
  const key = keychain?.key ?? null;
  const recordedEnd = keychain?.head ?? null;
  let previous = genesisHash;
  let expected = 1;
  let headRowHash: string | null = null;
  let recordedEndHash: string | null = null;
  let signed = 0;
  let unsigned = 0;
  let earlierKey = 0;
  /** The first of the unsigned rows just before this one (in the signed part of the log). */
  let unsignedFrom: number | null = null;
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
      if (row.mac !== null) signed++;
      if (key && row.seq >= key.since) {
        if (row.mac === null) {
          unsigned++;
          unsignedFrom ??= row.seq;
        } else if (auditMac(key.key, row.hash) !== row.mac) {
          if (unsignedFrom === null) return bad(row.seq, 'edited', expected, `Row ${row.seq} was changed or put in, and the hashes recomputed to hide it: its signature does not match the key in the keychain.`);
          // Unsigned rows right before: they may be what was put in (or legitimately unsigned, and this row was changed).
          const count = row.seq - unsignedFrom;
          return bad(unsignedFrom, 'edited', unsignedFrom, `Row ${row.seq}'s signature does not match the key in the keychain: it or the unsigned ${rowsText(unsignedFrom, row.seq - 1)} before it ${agree(count + 1, 'was', 'were')} changed or put in, and the hashes recomputed to hide it.`);
        } else unsignedFrom = null;
      } else if (key && row.mac !== null) earlierKey++;
      if (row.seq === head?.seq) headRowHash = row.hash;
      if (row.seq === recordedEnd?.seq) recordedEndHash = row.hash;
      previous = row.hash;
      expected++;
    }
    if (rows.length <= pageSize) break;
    // Long logs: let the event loop breathe between pages.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const rows = expected - 1;
  if (!head) {
    return bad(null, 'deleted', expected, `The log's head row (audit_head) was deleted, so rows cut from the end of the log could no longer be noticed: the app records nothing more in this log.`);
  }
  if (head.seq > rows) {
    const missing = head.seq - rows;
    return bad(rows + 1, 'deleted', expected, `The last ${missing === 1 ? 'row' : plural(missing, 'row')} (from row ${rows + 1}) ${missing === 1 ? 'was' : 'were'} deleted: the log recorded ${head.seq} rows, ${rows} remain.`);
  }
  if (head.seq > 0 && headRowHash !== head.hash) {
    return bad(head.seq, 'edited', expected, `Row ${head.seq} was edited after it was written (it no longer matches the recorded end of the log).`);
  }
  if (recordedEnd && recordedEnd.seq > rows) {
    return bad(rows + 1, 'deleted', expected, `The log ends at row ${rows}, but the keychain recorded it up to row ${recordedEnd.seq}: ${rowsText(rows + 1, recordedEnd.seq)} ${agree(recordedEnd.seq - rows, 'was', 'were')} removed, or an older copy of the database was restored.`);
  }
  if (recordedEnd && recordedEnd.seq > 0 && recordedEndHash !== recordedEnd.hash) {
    return bad(recordedEnd.seq, 'edited', expected, `Row ${recordedEnd.seq} is not the row the keychain recorded as the end of the log: the log was rewritten, or replaced by another copy.`);
  }
  const found = recordedEnd?.breaks[0];
  if (found) {
    const more = recordedEnd!.breaks.length > 1 ? `, and ${recordedEnd!.breaks.length - 1} more ${agree(recordedEnd!.breaks.length - 1, 'time', 'times')} after that` : '';
    return bad(found.fileEnd + 1, 'deleted', expected, `On ${new Date(found.time).toISOString().slice(0, 16).replace('T', ' ')} UTC the app found this log cut back or rewritten: the keychain had recorded ${found.seq} rows, the database ended at row ${found.fileEnd} (row ${found.at} records it)${more}.`);
  }
  const verified = `Audit log verified: ${plural(rows, 'row')}, chain intact`;
  if (!keychain || !key) {
    const why = signed > 0 ? `Its rows are signed with a key in the system keychain, which cannot be read here: ${keys.unavailable ?? 'no key'}` : keychain ? 'No row is signed with the keychain key yet' : `No keychain key signs it: ${keys.unavailable ?? 'no secret store'}`;
    return { ok: true, rows, firstBadSeq: null, problem: null, protection: 'hash-chain', message: `${verified}. ${why.replace(/\.$/, '')}. So this shows only that no row was edited, inserted or deleted on its own, not that nobody rewrote the whole log, cut rows from its end together with its head, or restored an older copy of the database.` };
  }
  const where = keychain.backend === 'keychain' ? 'the system keychain' : 'an encrypted file beside the profile (there is no keychain: restoring older copies of that file and the database together would not show)';
  const notes = [
    recordedEnd ? (recordedEnd.seq < rows ? ` The last ${rows - recordedEnd.seq} ${agree(rows - recordedEnd.seq, 'row is', 'rows are')} newer than the keychain's record of the end (the app updates it as it writes and when it stops).` : '') : ' The keychain holds no record of the end yet, so rows cut from the end would not show.',
    unsigned > 0 ? ` ${unsigned} ${agree(unsigned, 'row was', 'rows were')} written while the keychain could not be read and ${agree(unsigned, 'is', 'are')} not signed.` : '',
    earlierKey > 0 ? ` ${earlierKey} ${agree(earlierKey, 'row is', 'rows are')} signed with an earlier key that is no longer in the keychain (checked by the chain only).` : '',
  ].join('');
  const since = key.since > 1 ? ` from row ${key.since} (the rows before it are sealed by it)` : '';
  const end = recordedEnd && recordedEnd.seq > 0 ? `, and the end recorded there (row ${recordedEnd.seq}) is in place` : '';
  return { ok: true, rows, firstBadSeq: null, problem: null, protection: keychain.backend === 'keychain' ? 'keychain' : 'encrypted-file', message: `${verified}, signed with the key in ${where}${since}${end}.${notes}` };
}

function bad(seq: number | null, problem: 'edited' | 'inserted' | 'deleted', expected: number, message: string): AuditVerifyResult {
  return { ok: false, rows: expected - 1, firstBadSeq: seq, problem, message };
}
