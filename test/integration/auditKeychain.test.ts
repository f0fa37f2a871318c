import fs from 'node:fs';
import path from 'node:path';
import { auditSecretNames, createSecretStore } from '@assistant/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { rehash, tamper } from '../support/auditTamper.js';
import { startHost } from '../support/hostHarness.js';
import { keychainProblem } from '../support/keychain.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

// The real OS keychain (gnome-keyring over D-Bus in CI, .ci/run): never a fake one here.
const problem = await keychainProblem();
const skipped = problem ? ` (skipped: ${problem})` : '';

const homes: string[] = [];
afterAll(async () => {
  // The app keeps these entries from the contract; the test removes its own from the keyring.
  for (const home of homes) {
    const store = await createSecretStore({ home });
    for (const name of Object.values(auditSecretNames)) await store.delete(name).catch(() => {});
  }
});

/** One app session through the contract: each settings change is an audit row. */
async function session(home: string, temperatures: number[]): Promise<void> {
  const harness = await startHost({ home, modelsDir: makeTempDir('no-models-') });
  for (const temperature of temperatures) await harness.client.call('settings.update', { temperature });
  await harness.close();
}

const verify = (home: string, env: Record<string, string> = {}) => {
  const run = runCli(['audit', 'verify'], { ASSISTANT_HOME: home, ...env });
  return { code: run.code, message: (run.code === 0 ? run.stdout : run.stderr).trim() };
};

describe(`the audit log signed with a key in the real keychain${skipped}`, () => {
  it.skipIf(problem !== null)('catches edited, deleted, inserted, truncated, rolled-back and re-hashed logs; without the keychain verify says what is left', async () => {
    const home = makeTempDir('audit-keychain-');
    homes.push(home);
    const file = path.join(home, 'assistant.db');
    await session(home, [0.1, 0.2]);
    const older = fs.readFileSync(file);
    await session(home, [0.3, 0.4, 0.5]);
    // Closed cleanly: the WAL is folded into the file, so its bytes are the whole database.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const original = fs.readFileSync(file);
    const rows = (() => {
      let n = 0;
      tamper(file, (db) => (n = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n));
      return n;
    })();
    expect(rows).toBeGreaterThanOrEqual(9);

    const clean = verify(home);
    expect(clean).toEqual({ code: 0, message: `Audit log verified: ${rows} rows, chain intact, signed with the key in the system keychain, and the end recorded there (row ${rows}) is in place.` });

    const attacks: [string, () => void, RegExp][] = [
      ['edit', () => tamper(file, (db) => db.prepare(`UPDATE audit_log SET summary = 'Nothing changed.' WHERE seq = 3`).run()), /^Row 3 was edited after it was written\.$/],
      ['delete', () => tamper(file, (db) => db.prepare('DELETE FROM audit_log WHERE seq = 4').run()), /^Row 4 was deleted: row 5 no longer follows the row before it\.$/],
      [
        'insert, renumbering and re-hashing the rows after it',
        () =>
          tamper(file, (db) => {
            db.prepare('UPDATE audit_log SET seq = -seq WHERE seq >= 4').run();
            db.prepare('UPDATE audit_log SET seq = 1 - seq WHERE seq < 0').run();
            db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (4, 1, 'settings.changed', 'A forged row.', '{}', '')`).run();
            rehash(db, 4);
          }),
        /^Row 5's signature does not match the key in the keychain: it or the unsigned row 4 before it were changed or put in, and the hashes recomputed to hide it\.$/,
      ],
      [
        'truncate, with the head moved back to match',
        () =>
          tamper(file, (db) => {
            db.prepare(`DELETE FROM audit_log WHERE seq > ?`).run(rows - 3);
            db.prepare(`UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_log WHERE seq = ?)`).run(rows - 3, rows - 3);
          }),
        new RegExp(`^The log ends at row ${rows - 3}, but the keychain recorded it up to row ${rows}: rows ${rows - 2}–${rows} were removed, or an older copy of the database was restored\\.$`),
      ],
      ['roll back to an older copy of the whole database', () => fs.writeFileSync(file, older), /^The log ends at row \d+, but the keychain recorded it up to row \d+: rows \d+–\d+ were removed, or an older copy of the database was restored\.$/],
      [
        're-hash everything after an edit',
        () =>
          tamper(file, (db) => {
            db.prepare(`UPDATE audit_log SET summary = 'Nothing changed.' WHERE seq = 2`).run();
            rehash(db);
          }),
        /^Row 2 was changed or put in, and the hashes recomputed to hide it/,
      ],
      [
        're-hash everything and drop the signatures',
        () =>
          tamper(file, (db) => {
            db.prepare(`UPDATE audit_log SET summary = 'Nothing changed.', mac = NULL WHERE seq = 2`).run();
            db.prepare(`UPDATE audit_log SET mac = NULL`).run();
            rehash(db);
          }),
        new RegExp(`^Row ${rows} is not the row the keychain recorded as the end of the log: the log was rewritten, or replaced by another copy\\.$`),
      ],
    ];
    const outcomes: Record<string, string> = {};
    for (const [name, attack, expected] of attacks) {
      fs.writeFileSync(file, original);
      attack();
      const result = verify(home);
      outcomes[name] = result.code === 1 && expected.test(result.message) ? 'caught' : `exit ${result.code}: ${result.message}`;
    }
    expect(outcomes).toEqual(Object.fromEntries(attacks.map(([name]) => [name, 'caught'])));

    // Without the keychain (no D-Bus session): only the plain chain is checked, and the message says so.
    fs.writeFileSync(file, original);
    const withoutKeychain = verify(home, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(withoutKeychain.code).toBe(0);
    expect(withoutKeychain.message).toMatch(
      new RegExp(`^Audit log verified: ${rows} rows, chain intact\\. Its rows are signed with a key in the system keychain, which cannot be read here: .+\\. So this shows only that no row was edited, inserted or deleted on its own, not that nobody rewrote the whole log, cut rows from its end together with its head, or restored an older copy of the database\\.$`),
    );

    // The app, started on the rolled-back copy, records what it found and keeps recording; verify keeps reporting it.
    fs.writeFileSync(file, older);
    await session(home, [0.6]);
    const after = verify(home);
    expect(after.code).toBe(1);
    expect(after.message).toMatch(new RegExp(`^On .+ UTC the app found this log cut back or rewritten: the keychain had recorded ${rows} rows, the database ended at row \\d+ \\(row \\d+ records it\\)\\.$`));
  }, 240_000);
});
