import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rehash, tamper } from '../../../../test/support/auditTamper.js';
import { memorySecrets } from '../../../../test/support/memorySecrets.js';
import { AuditLog, type Logger, type SecretStore, auditSecretNames, openDatabase, silentLogger } from '../../src/node/index.js';

/**
 * The signed log's rules, with the key in a map: the attacks against the real keychain daemon are in
 * test/integration/auditKeychain.test.ts.
 */

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'audit-keyed-')), 'assistant.db');
}

function capture(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (message) => void errors.push(message) };
}

/** One app session: opens the log, appends `n` events, closes it and waits for the keychain's record. */
async function session(file: string, secrets: SecretStore | null, n: number, logger: Logger = silentLogger): Promise<void> {
  const db = openDatabase({ file });
  const log = await AuditLog.open(db, { logger, secrets });
  for (let i = 1; i <= n; i++) log.append('settings.changed', `Event ${i}`, { i });
  log.dispose();
  db.close();
  await log.sealed;
}

async function verify(file: string, secrets: SecretStore | null) {
  const db = openDatabase({ file });
  const log = await AuditLog.open(db, { logger: silentLogger, secrets, readOnly: true });
  try {
    return await log.verify();
  } finally {
    log.dispose();
    db.close();
  }
}

describe('the signed audit log', () => {
  it('signs every row and records the end in the secret store; verify says what it proves', async () => {
    const file = tempFile();
    const secrets = memorySecrets();
    await session(file, secrets, 5);
    expect(JSON.parse((await secrets.get(auditSecretNames.head))!)).toMatchObject({ seq: 5, breaks: [] });
    expect(await verify(file, secrets)).toMatchObject({ ok: true, rows: 5, protection: 'keychain', message: 'Audit log verified: 5 rows, chain intact, signed with the key in the system keychain, and the end recorded there (row 5) is in place.' });
  });

  it('brings the recorded end up to date before verifying in a running app', async () => {
    const db = openDatabase({ file: tempFile() });
    const log = await AuditLog.open(db, { logger: silentLogger, secrets: memorySecrets(), sealIntervalMs: 60_000 });
    for (let i = 1; i <= 3; i++) log.append('settings.changed', `Event ${i}`, { i });
    log.flush();
    log.append('app.stop', 'The app stopped.');
    expect(await log.verify()).toMatchObject({ ok: true, rows: 4, message: 'Audit log verified: 4 rows, chain intact, signed with the key in the system keychain, and the end recorded there (row 4) is in place.' });
    log.dispose();
    db.close();
    await log.sealed;
  });

  it('catches an edit whose hashes were all recomputed, naming the row', async () => {
    const file = tempFile();
    const secrets = memorySecrets();
    await session(file, secrets, 6);
    tamper(file, (db) => {
      db.prepare(`UPDATE audit_log SET summary = 'Nothing happened' WHERE seq = 3`).run();
      rehash(db, 3);
    });
    // Without the key, the rewrite passes: that is what the key is for.
    expect((await verify(file, null)).ok).toBe(true);
    expect(await verify(file, secrets)).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'edited', message: expect.stringContaining('Row 3 was changed or put in, and the hashes recomputed to hide it') });
  });

  it('catches rows cut from the end together with the head, and an older copy of the file put back', async () => {
    const file = tempFile();
    const secrets = memorySecrets();
    await session(file, secrets, 4);
    const older = fs.readFileSync(file);
    await session(file, secrets, 3);
    const newer = fs.readFileSync(file);

    tamper(file, (db) => {
      db.prepare('DELETE FROM audit_log WHERE seq > 5').run();
      db.prepare('UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5)').run();
    });
    expect(await verify(file, secrets)).toMatchObject({ ok: false, firstBadSeq: 6, problem: 'deleted', message: 'The log ends at row 5, but the keychain recorded it up to row 7: rows 6–7 were removed, or an older copy of the database was restored.' });

    fs.writeFileSync(file, older);
    expect(await verify(file, secrets)).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'deleted' });

    // The app, started on the old copy, says so in the log and in the keychain, and keeps recording.
    const logger = capture();
    await session(file, secrets, 2, logger);
    expect(logger.errors).toContain('audit log: the database does not continue from the end recorded in the keychain');
    const after = await verify(file, secrets);
    expect(after).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'deleted' });
    expect(after.message).toMatch(/^On \d{4}-\d\d-\d\d \d\d:\d\d UTC the app found this log cut back or rewritten: the keychain had recorded 7 rows, the database ended at row 4 \(row 5 records it\)\.$/);
    fs.writeFileSync(file, newer);
    expect((await verify(file, secrets)).ok).toBe(false);
  });

  it('keeps an existing unsigned log: the key starts at the next row and seals the rows before it', async () => {
    const file = tempFile();
    await session(file, null, 3);
    const secrets = memorySecrets();
    await session(file, secrets, 2);
    expect(JSON.parse((await secrets.get(auditSecretNames.key))!)).toMatchObject({ since: 4 });
    expect(await verify(file, secrets)).toMatchObject({ ok: true, rows: 5, message: expect.stringContaining('signed with the key in the system keychain from row 4 (the rows before it are sealed by it)') });
    tamper(file, (db) => {
      db.prepare(`UPDATE audit_log SET summary = 'rewritten' WHERE seq = 2`).run();
      rehash(db);
    });
    expect(await verify(file, secrets)).toMatchObject({ ok: false, firstBadSeq: 4, problem: 'edited' });
  });

  it('without the keychain, writes plain rows, says so once in the log, and verify says what is left', async () => {
    const file = tempFile();
    const secrets = memorySecrets();
    await session(file, secrets, 2);
    await session(file, null, 2);
    const plain = await verify(file, null);
    expect(plain).toMatchObject({ ok: true, protection: 'hash-chain' });
    expect(plain.message).toBe(
      'Audit log verified: 5 rows, chain intact. Its rows are signed with a key in the system keychain, which cannot be read here: no secret store. So this shows only that no row was edited, inserted or deleted on its own, not that nobody rewrote the whole log, cut rows from its end together with its head, or restored an older copy of the database.',
    );
    const db = openDatabase({ file });
    expect(db.prepare(`SELECT summary, mac FROM audit_log WHERE seq = 3`).get()).toEqual({ summary: "The audit log's key could not be used (no secret store): new rows are hash-chained but not signed until it can be.", mac: null });
    db.close();
    // With the keychain back, the plain rows are sealed by the next signed row and the recorded end.
    await session(file, secrets, 1);
    expect(await verify(file, secrets)).toMatchObject({ ok: true, rows: 6, message: expect.stringContaining('3 rows were written while the keychain could not be read and are not signed.') });
  });

  it('refuses to append to a log whose head row is gone, saying so, and verify names the missing head', async () => {
    const file = tempFile();
    await session(file, null, 3);
    tamper(file, (db) => db.prepare('DELETE FROM audit_head').run());
    expect(await verify(file, null)).toMatchObject({
      ok: false,
      firstBadSeq: null,
      problem: 'deleted',
      message: "The log's head row (audit_head) was deleted, so rows cut from the end of the log could no longer be noticed: the app records nothing more in this log.",
    });
    const logger = capture();
    await session(file, null, 4, logger);
    expect(logger.errors[0]).toMatch(/^audit log: The audit log's head row \(audit_head\) was deleted, so rows cut from the end of the log could no longer be noticed: nothing more is recorded in this log\./);
    expect(logger.errors).toContain('4 audit events were not recorded: ' + logger.errors[0]!.slice('audit log: '.length));
    const db = openDatabase({ file });
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 3 });
    db.close();
  });

  it('stops appending when the head row disappears while the app runs', async () => {
    const file = tempFile();
    const logger = capture();
    const db = openDatabase({ file });
    const log = await AuditLog.open(db, { logger, secrets: null });
    log.append('app.start', 'The app started.');
    log.flush();
    tamper(file, (other) => other.prepare('DELETE FROM audit_head').run());
    log.append('app.stop', 'The app stopped.');
    expect(log.flush()).toBe(0);
    log.append('app.stop', 'The app stopped again.');
    log.dispose();
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
    db.close();
    expect(logger.errors[0]).toMatch(/head row \(audit_head\) was deleted/);
    expect(logger.errors.at(-1)).toMatch(/^2 audit events were not recorded/);
  });
});
