import fs from 'node:fs';
import path from 'node:path';
import type { AuditEvent } from '@assistant/core';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** `expected` appear in `events` in this order (other events may come in between). */
function inOrder(events: AuditEvent[], expected: string[]): string[] {
  const kinds = events.map((event) => event.kind);
  let at = 0;
  for (const kind of kinds) if (kind === expected[at]) at++;
  return at === expected.length ? expected : kinds;
}

describe('audit log', () => {
  it(`records a session in order, verifies, and the CLI names a row edited in the file afterwards${tinyChatModel ? '' : ` (chat part skipped: ${needsTinyModel})`}`, async () => {
    harness = await startHost(tinyChatModel ? { model: tinyChatModel } : { modelsDir: makeTempDir('no-models-') });
    const { client, home } = harness;
    const live: AuditEvent[] = [];
    client.on('audit.appended', (event) => live.push(event));

    await client.call('settings.update', { auditDetail: 'eventsAndText', temperature: 0.3 });
    const dir = makeTempDir('audit-docs-');
    fs.writeFileSync(path.join(dir, 'lighthouse.md'), '# Lighthouses\n\nThe Fresnel lens concentrates the lamp into a beam visible for twenty nautical miles.\n');
    const added = await client.call('documents.add', { paths: [dir] });
    const id = added.queued[0]!.id;
    await waitFor(async () => (await client.call('documents.list', {})).some((doc) => doc.id === id && doc.status === 'ready'), 60_000, 'the document to be ingested');
    expect(await client.call('documents.remove', { id })).toEqual({ removed: true });
    if (tinyChatModel) await send(client, 'Once upon a time');

    const expected = ['app.start', 'settings.changed', 'document.ingested', 'document.removed', ...(tinyChatModel ? ['model.loaded', 'conversation'] : [])];
    let events: AuditEvent[] = [];
    await waitFor(async () => {
      events = (await client.call('audit.list', {})).events.reverse();
      return inOrder(events, expected) === expected;
    }, 10_000, 'the audit events');
    expect(inOrder(events, expected)).toEqual(expected);
    const settings = events.find((event) => event.kind === 'settings.changed')!;
    expect(settings.summary).toContain('auditDetail "events" → "eventsAndText"');
    expect(settings.summary).toContain('temperature 0.7 → 0.3');
    expect(events.find((event) => event.kind === 'document.ingested')!.details).toMatchObject({ id, name: 'lighthouse.md' });
    if (tinyChatModel) expect(events.find((event) => event.kind === 'conversation')!.details).toMatchObject({ userText: 'Once upon a time', status: 'complete' });
    expect(live.map((event) => event.kind)).toEqual(expect.arrayContaining(['settings.changed', 'document.ingested', 'document.removed']));
    expect(await client.call('audit.verify', {})).toMatchObject({ ok: true, problem: null });

    await harness.close();
    harness = null;
    const cleanRun = runCli(['audit', 'verify'], { ASSISTANT_HOME: home });
    expect(cleanRun.stdout).toMatch(/^Audit log verified: \d+ rows, chain intact[.,] /m);
    expect(cleanRun.code).toBe(0);
    const listed = runCli(['audit', 'list', '--kind', 'document.ingested,document.removed', '--json'], { ASSISTANT_HOME: home });
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as AuditEvent).kind)).toEqual(['document.ingested', 'document.removed']);

    // Someone edits the file: drops the guard and rewrites what a row says.
    const db = new BetterSqlite3(path.join(home, 'assistant.db'));
    const row = db.prepare(`SELECT seq FROM audit_log WHERE kind = 'document.removed'`).get() as { seq: number };
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET summary = 'Nothing was removed.' WHERE seq = ?`).run(row.seq);
    db.close();
    const tampered = runCli(['audit', 'verify'], { ASSISTANT_HOME: home });
    expect(tampered.stderr).toContain(`Row ${row.seq} was edited after it was written.`);
    expect(tampered.code).toBe(1);
  }, 180_000);

  it('names a deleted head row, and the app then refuses to append to the log and says why', async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const { home } = harness;
    await harness.client.call('settings.update', { temperature: 0.2 });
    await harness.close();
    harness = null;
    const file = path.join(home, 'assistant.db');
    const db = new BetterSqlite3(file);
    const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    const before = rows();
    db.exec('DROP TRIGGER audit_head_no_delete; DELETE FROM audit_head;');

    const verified = runCli(['audit', 'verify'], { ASSISTANT_HOME: home });
    expect(verified.stderr.trim()).toBe("The log's head row (audit_head) was deleted, so rows cut from the end of the log could no longer be noticed: the app records nothing more in this log.");
    expect(verified.code).toBe(1);

    // A command that runs the app (and would record a settings change) says it in its log, and adds nothing.
    const changed = runCli(['settings', 'set', 'temperature', '0.4'], { ASSISTANT_HOME: home });
    expect(changed.code).toBe(0);
    expect(changed.stderr).toContain("The audit log's head row (audit_head) was deleted, so rows cut from the end of the log could no longer be noticed: nothing more is recorded in this log.");
    expect(changed.stderr).toMatch(/"message":"\d+ audit events were not recorded: The audit log's head row/);
    expect(rows()).toBe(before);
    db.close();
  }, 120_000);
});

