import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type DocumentInfo, Emitter, ErrorCode, type ModelState, type WorkerState } from '../../src/index.js';
import {
  AuditLog,
  AuditRecorder,
  type AuditRecorderSources,
  NetworkGate,
  SettingsStore,
  auditHash,
  canonicalJson,
  genesisHash,
  isSecretName,
  openDatabase,
  silentLogger,
} from '../../src/node/index.js';

const open: { db: Database; log: AuditLog }[] = [];
afterEach(() => {
  for (const { db, log } of open.splice(0)) {
    log.dispose();
    if (db.open) db.close();
  }
});

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')), 'assistant.db');
}

async function setup(file = ':memory:', now?: () => number) {
  const db = openDatabase({ file });
  const log = await AuditLog.open(db, { logger: silentLogger, now });
  open.push({ db, log });
  return { db, log };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++) log.append('settings.changed', `Event ${i}`, { i });
  log.flush();
}

/** What someone editing the file would do: drop the guard, change the rows. */
function tamper(db: Database, sql: string, ...params: unknown[]): void {
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  db.prepare(sql).run(...params);
}

describe('canonical JSON and hashing', () => {
  it('sorts keys at every depth, has no whitespace and leaves undefined out', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ n: Number.NaN })).toBe('{"n":null}');
  });

  it('chains each hash to the previous one', () => {
    const content = { seq: 1, time: 5, kind: 'app.start' as const, summary: 's', details: { b: 2, a: 1 } };
    const first = auditHash(genesisHash, content);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(auditHash(genesisHash, { ...content, details: { a: 1, b: 2 } })).toBe(first);
    expect(auditHash('f'.repeat(64), content)).not.toBe(first);
  });

  it('treats names like keys, tokens and secrets as secret, but not lengths or names of secrets', () => {
    expect(['apiKey', 'remoteApiKey', 'token', 'auth_token', 'clientSecret', 'password'].map(isSecretName)).toEqual([true, true, true, true, true, true]);
    expect(['maxTokens', 'keys', 'secretName', 'name', 'temperature', 'monkey'].map(isSecretName)).toEqual([false, false, false, false, false, false]);
  });
});

describe('AuditLog', () => {
  it('appends a hash chain and verifies it', async () => {
    const { db, log } = await setup(':memory:', () => 1000);
    const first = log.append('app.start', 'The app started.', { version: '1.0' });
    const second = log.append('settings.changed', 'Settings changed.', { values: { temperature: 0.2 } });
    expect(first.seq).toBe(1);
    expect(first.hash).toBe(auditHash(genesisHash, first));
    expect(second.hash).toBe(auditHash(first.hash, second));
    log.flush();
    expect(db.prepare('SELECT seq, hash FROM audit_head').get()).toEqual({ seq: 2, hash: second.hash });
    expect(await log.verify()).toMatchObject({ ok: true, rows: 2, firstBadSeq: null, problem: null, protection: 'hash-chain', message: expect.stringMatching(/^Audit log verified: 2 rows, chain intact\. No keychain key signs it: no secret store\. So this shows only that no row was edited, inserted or deleted on its own, not that nobody rewrote the whole log/) });
    expect(() => db.prepare(`UPDATE audit_log SET summary = 'x'`).run()).toThrow(/append-only/);
  });

  it('keeps secret-looking values out, by name only', async () => {
    const { log } = await setup();
    const event = log.append('settings.changed', 'Settings changed.', { values: { remoteApiKey: 'sk-123', maxTokens: 5 }, name: 'remoteApiKey' });
    expect(event.details).toEqual({ name: 'remoteApiKey', values: { maxTokens: 5, remoteApiKey: '[redacted]' } });
    expect(log.list()[0]!.details).toEqual(event.details);
  });

  it('refuses bad input naming the field', async () => {
    const { log } = await setup();
    expect(() => log.append('nonsense' as 'app.start', 'x')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/audit kind/) }));
    expect(() => log.append('app.start', ' ')).toThrow(/summary/);
    expect(() => log.list({ limit: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/limit/) }));
  });

  it('finds an edited row', async () => {
    const { db, log } = await setup();
    fill(log, 5);
    tamper(db, `UPDATE audit_log SET summary = 'nothing happened' WHERE seq = 3`);
    expect(await log.verify()).toMatchObject({ ok: false, rows: 2, firstBadSeq: 3, problem: 'edited', message: 'Row 3 was edited after it was written.' });
  });

  it('finds an edited detail even when only its JSON changed meaning', async () => {
    const { db, log } = await setup();
    fill(log, 3);
    tamper(db, `UPDATE audit_log SET details = '{"i":20}' WHERE seq = 2`);
    expect(await log.verify()).toMatchObject({ firstBadSeq: 2, problem: 'edited' });
  });

  it('reports the successor of a row deleted in the middle as deleted', async () => {
    const { db, log } = await setup();
    fill(log, 5);
    tamper(db, `DELETE FROM audit_log WHERE seq = 3`);
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 4, problem: 'deleted', message: 'Row 3 was deleted: row 4 no longer follows the row before it.' });
  });

  it('finds a row inserted in the middle (the rows after it renumbered)', async () => {
    const { db, log } = await setup();
    fill(log, 5);
    tamper(db, `UPDATE audit_log SET seq = -seq WHERE seq >= 3`);
    tamper(db, `UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`);
    db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (3, 1, 'app.start', 'forged', '{}', ?)`).run('0'.repeat(64));
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'inserted' });
  });

  it('finds a forged row inserted at the end', async () => {
    const { db, log } = await setup();
    fill(log, 3);
    db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (4, 1, 'app.start', 'forged', '{}', 'x')`).run();
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('detects deleted rows at the end through the head row', async () => {
    // No link breaks when the newest rows go: audit_head keeps the newest seq and hash, updated in the same
    // transaction as the rows, so fewer rows than it recorded means rows were deleted.
    const { db, log } = await setup();
    fill(log, 5);
    tamper(db, `DELETE FROM audit_log WHERE seq >= 4`);
    expect(await log.verify()).toMatchObject({ ok: false, rows: 3, firstBadSeq: 4, problem: 'deleted', message: 'The last 2 rows (from row 4) were deleted: the log recorded 5 rows, 3 remain.' });
    // New rows continue after the recorded head, so the gap stays visible.
    const reopened = await AuditLog.open(db, { logger: silentLogger });
    expect(reopened.append('app.start', 'The app started.').seq).toBe(6);
    reopened.dispose();
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 6, problem: 'deleted' });
  });

  it('catches the last row edited and rehashed, by the head', async () => {
    const { db, log } = await setup();
    fill(log, 3);
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as { hash: string };
    const forged = { seq: 3, time: 1, kind: 'app.start' as const, summary: 'forged', details: {} };
    tamper(db, `UPDATE audit_log SET time = 1, kind = 'app.start', summary = 'forged', details = '{}', hash = ? WHERE seq = 3`, auditHash(row.hash, forged));
    expect(await log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'edited' });
  });

  it('lists newest first with kind, time, text and paging filters', async () => {
    let time = 0;
    const { log } = await setup(':memory:', () => (time += 10));
    log.append('app.start', 'The app started.');
    log.append('settings.changed', 'Settings changed: temperature 0.7 → 0.2.');
    log.append('network', 'Connected to huggingface.co (model download).');
    log.append('settings.changed', 'Settings changed: maxTokens 512 → 100_%.');
    expect(log.list().map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(log.list({ kinds: ['settings.changed'] }).map((e) => e.seq)).toEqual([4, 2]);
    expect(log.list({ since: 20, until: 30 }).map((e) => e.seq)).toEqual([3, 2]);
    expect(log.list({ text: 'TEMPERATURE' }).map((e) => e.seq)).toEqual([2]);
    expect(log.list({ text: '_%' }).map((e) => e.seq)).toEqual([4]);
    expect(log.list({ beforeSeq: 3, limit: 1 }).map((e) => e.seq)).toEqual([2]);
  });

  it('writes a burst of 1,000 appends in one transaction on the next tick, and tells listeners after', async () => {
    const { db, log } = await setup();
    const heard: number[] = [];
    log.onDidAppend((event) => heard.push(event.seq));
    for (let i = 0; i < 1000; i++) log.append('api.call', `Call ${i}`, { i });
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 0 });
    expect(heard).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.transactions).toBe(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 1000 });
    expect(heard).toHaveLength(1000);
    expect((await log.verify()).ok).toBe(true);
  });

  it('keeps events appended just before dispose in the file', async () => {
    const file = tempFile();
    const { db, log } = await setup(file);
    log.append('app.start', 'The app started.');
    log.append('app.stop', 'The app stopped.');
    log.dispose();
    db.close();
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.prepare('SELECT kind FROM audit_log ORDER BY seq').all()).toEqual([{ kind: 'app.start' }, { kind: 'app.stop' }]);
    raw.close();
  });

  it('continues the chain when another process appended to the same file', async () => {
    const file = tempFile();
    const a = await setup(file);
    const b = await setup(file);
    a.log.append('app.start', 'A started.');
    a.log.flush();
    b.log.append('app.start', 'B started.');
    b.log.flush();
    const event = a.log.append('app.stop', 'A stopped.');
    a.log.flush();
    expect(event.seq).toBe(3);
    expect((await a.log.verify()).ok).toBe(true);
  });

  it('exports JSON lines, oldest first', async () => {
    const { log } = await setup();
    fill(log, 3);
    const file = path.join(path.dirname(tempFile()), 'audit.jsonl');
    expect(await log.export(file)).toBe(3);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { seq: number; hash: string });
    expect(lines.map((line) => line.seq)).toEqual([1, 2, 3]);
    expect(lines[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('AuditRecorder', () => {
  async function recorder() {
    const { db, log } = await setup();
    const settings = new SettingsStore(db, silentLogger);
    const network = new NetworkGate({ logger: silentLogger, offline: () => true });
    const chatModelChanged = new Emitter<ModelState>();
    const supervisorChanged = new Emitter<WorkerState>();
    const documentChanged = new Emitter<{ id: string; document: DocumentInfo | null }>();
    const worker: WorkerState = { name: 'inference', status: 'ready', breaker: 'closed', restarts: 0, consecutiveFailures: 0, lastError: null, retryAt: null };
    const ingest: WorkerState = { ...worker, name: 'ingest' };
    const replaced = new Map<string, string>();
    const sources = {
      audit: log,
      settings,
      network,
      chatModel: { state: { status: 'idle', name: 'tiny', path: null, threads: null, contextSize: null, error: null }, onDidChange: chatModelChanged.event },
      embeddings: { info: null, available: false, onDidChange: new Emitter<void>().event },
      supervisor: { state: worker, onDidChangeState: supervisorChanged.event },
      documents: { state: { ingest }, onDidChangeDocument: documentChanged.event, onDidChangeState: new Emitter<void>().event },
      voice: null,
      replacedBy: (id: string) => replaced.get(id) ?? null,
    } as unknown as AuditRecorderSources;
    const recorder = new AuditRecorder(sources);
    const kinds = () => log.list().reverse().map((event) => [event.kind, event.summary]);
    return { log, settings, network, recorder, chatModelChanged, supervisorChanged, documentChanged, worker, replaced, kinds };
  }

  const doc = (id: string, status: DocumentInfo['status']): DocumentInfo => ({ id, name: 'notes.md', path: '/notes.md', format: 'markdown', sizeBytes: 1, contentHash: 'h', status, error: null, title: null, pages: null, chunks: 2, embeddedChunks: 0, createdAt: 1, updatedAt: 1 });

  it('records settings with their previous values, models, breakers, documents and blocked connections', async () => {
    const r = await recorder();
    r.settings.update({ temperature: 0.2 });
    r.chatModelChanged.fire({ status: 'loading', name: 'tiny', path: '/m', threads: null, contextSize: null, error: null });
    r.chatModelChanged.fire({ status: 'ready', name: 'tiny', path: '/m', threads: 1, contextSize: 512, error: null });
    r.supervisorChanged.fire({ ...r.worker, breaker: 'open', consecutiveFailures: 3, lastError: 'crashed' });
    r.supervisorChanged.fire({ ...r.worker, breaker: 'open', consecutiveFailures: 3 });
    r.supervisorChanged.fire({ ...r.worker, breaker: 'half-open' });
    r.documentChanged.fire({ id: 'd1', document: doc('d1', 'parsing') });
    r.documentChanged.fire({ id: 'd1', document: doc('d1', 'ready') });
    r.documentChanged.fire({ id: 'd1', document: doc('d1', 'ready') });
    r.replaced.set('d2', 'd1');
    r.documentChanged.fire({ id: 'd2', document: doc('d2', 'ready') });
    r.documentChanged.fire({ id: 'd1', document: null });
    r.documentChanged.fire({ id: 'd2', document: null });
    await expect(r.network.fetch('https://example.org/x', { purpose: 'model download' })).rejects.toMatchObject({ code: ErrorCode.NetworkBlocked });
    expect(r.kinds()).toEqual([
      ['settings.changed', 'Settings changed: temperature 0.7 → 0.2.'],
      ['model.loaded', 'Chat model tiny loaded.'],
      ['breaker', "The inference worker's circuit breaker opened after 3 failures (crashed)."],
      ['breaker', "The inference worker's circuit breaker is half-open: trying the worker once."],
      ['document.ingested', 'Document notes.md was ingested (2 passages).'],
      ['document.replaced', 'Document notes.md was re-ingested, replacing its older version.'],
      ['document.removed', 'Document notes.md was removed.'],
      ['network', 'Blocked a connection to example.org (model download).'],
    ]);
    expect(r.log.list({ kinds: ['settings.changed'] })[0]!.details).toEqual({ names: ['temperature'], values: { temperature: 0.2 }, previous: { temperature: 0.7 } });
    expect(r.log.list({ kinds: ['network'] })[0]!.details).toMatchObject({ host: 'example.org', purpose: 'model download', allowed: false });
    r.recorder.dispose();
  });

  it('records conversation text only with auditDetail eventsAndText', async () => {
    const r = await recorder();
    const turn = { conversationId: 'c1', userText: 'my secret plans', reply: 'noted', status: 'complete' as const, stopReason: 'eos' as const, error: null, stats: null };
    r.recorder.turn(turn);
    r.settings.update({ auditDetail: 'eventsAndText' });
    r.recorder.turn(turn);
    r.recorder.turn({ ...turn, reply: '', status: 'error', stopReason: null, error: { code: ErrorCode.WorkerCrashed, message: 'The worker crashed.' } });
    const [withoutText, , withText, failed] = r.log.list().reverse().slice(0);
    expect(withoutText).toMatchObject({ kind: 'conversation', details: { conversationId: 'c1', status: 'complete' } });
    expect(JSON.stringify(withoutText)).not.toContain('secret plans');
    expect(withText).toMatchObject({ kind: 'conversation', details: { userText: 'my secret plans', reply: 'noted' } });
    expect(failed).toMatchObject({ kind: 'error', summary: 'A chat turn failed: The worker crashed.', details: { code: ErrorCode.WorkerCrashed } });
  });
});
