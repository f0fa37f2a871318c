import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../src/node/index.js';

const memory = () => new BetterSqlite3(':memory:');

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('1: conversations and messages, with cascading deletes and ordered messages', () => {
    const db = memory();
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 1);
    expect(schemaVersion(db)).toBe(1);
    db.prepare(`INSERT INTO conversations VALUES ('c', 't', 1, 1)`).run();
    db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m1', 'c', 1, 'user', 'hi', 'complete', 1)`).run();
    expect(() => db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m2', 'c', 1, 'user', 'dup', 'complete', 1)`).run()).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m3', 'c', 2, 'robot', 'x', 'complete', 1)`).run()).toThrow(/CHECK/);
    db.prepare(`DELETE FROM conversations WHERE id = 'c'`).run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
  });

  it('2: settings, keeping data written under version 1', () => {
    const db = memory();
    migrate(db, migrations, 1);
    db.prepare(`INSERT INTO conversations VALUES ('c', 'kept', 1, 1)`).run();
    migrate(db, migrations, 2);
    expect(schemaVersion(db)).toBe(2);
    db.prepare(`INSERT INTO settings VALUES ('maxTokens', '5')`).run();
    expect(() => db.prepare(`INSERT INTO settings VALUES ('maxTokens', '6')`).run()).toThrow(/UNIQUE|PRIMARY/);
    expect(db.prepare('SELECT title FROM conversations').get()).toEqual({ title: 'kept' });
  });

  it('3: message citations, defaulting to none for messages written under version 2', () => {
    const db = memory();
    migrate(db, migrations, 2);
    db.prepare(`INSERT INTO conversations VALUES ('c', 't', 1, 1)`).run();
    db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m1', 'c', 1, 'user', 'hi', 'complete', 1)`).run();
    migrate(db, migrations, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare(`SELECT citations FROM messages WHERE id = 'm1'`).get()).toEqual({ citations: '[]' });
    db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at, citations) VALUES ('m2', 'c', 2, 'assistant', 'yo [1]', 'complete', 2, '[{"n":1}]')`).run();
    expect(db.prepare(`SELECT citations FROM messages WHERE id = 'm2'`).get()).toEqual({ citations: '[{"n":1}]' });
  });

  it('4: documents and chunks, full-text index kept by triggers, cascading deletes, status check', () => {
    const db = memory();
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 4);
    expect(schemaVersion(db)).toBe(4);
    const doc = (id: string, status: string) =>
      db.prepare(`INSERT INTO documents (id, name, path, size_bytes, mtime_ms, content_hash, status, created_at, updated_at) VALUES (?, 'n', '/p', 1, 1, 'h', ?, 1, 1)`).run(id, status);
    doc('d', 'ready');
    expect(() => doc('x', 'done')).toThrow(/CHECK/);
    const chunk = db.prepare(`INSERT INTO chunks (document_id, ordinal, text, heading, start_offset, end_offset) VALUES ('d', ?, ?, ?, 0, 1)`);
    chunk.run(0, 'The running foxes jumped', 'Animals');
    chunk.run(1, 'Tea and biscuits', null);
    expect(() => chunk.run(1, 'dup', null)).toThrow(/UNIQUE/);
    const match = (q: string) => (db.prepare(`SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid`).all(q) as { rowid: number }[]).map((r) => r.rowid);
    expect(match('run')).toEqual([1]); // porter stemming
    expect(match('animals')).toEqual([1]); // heading column
    expect(match('biscuits')).toEqual([2]);
    db.prepare(`UPDATE chunks SET text = 'Coffee' WHERE id = 2`).run();
    expect(match('biscuits')).toEqual([]);
    expect(match('coffee')).toEqual([2]);
    db.prepare(`DELETE FROM chunks WHERE id = 2`).run();
    expect(match('coffee')).toEqual([]);
    db.prepare(`UPDATE chunks SET embedding = ?, embedding_model = 'm' WHERE id = 1`).run(Buffer.from(new Float32Array([1, 2]).buffer));
    expect(db.prepare('SELECT generation FROM vector_index_state').get()).toEqual({ generation: 0 });
    db.prepare(`DELETE FROM documents WHERE id = 'd'`).run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    expect(match('foxes')).toEqual([]);
    expect(() => db.prepare(`INSERT INTO vector_index_state VALUES (2, 0)`).run()).toThrow(/CHECK|UNIQUE/);
  });

  it('5: audit log, append-only by triggers, with a head row, keeping data written under version 4', () => {
    const db = memory();
    migrate(db, migrations, 4);
    db.prepare(`INSERT INTO settings VALUES ('maxTokens', '5')`).run();
    migrate(db, migrations, 5);
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare('SELECT value FROM settings').get()).toEqual({ value: '5' });
    expect(db.prepare('SELECT seq, hash FROM audit_head').get()).toEqual({ seq: 0, hash: '' });
    const insert = db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (?, 1, 'app.start', 's', ?, 'h')`);
    insert.run(1, '{"version":"1"}');
    expect(() => insert.run(1, '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run(2, 'not json')).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE audit_log SET summary = 'x' WHERE seq = 1`).run()).toThrow(/append-only: its rows cannot be changed/);
    expect(() => db.prepare(`DELETE FROM audit_log WHERE seq = 1`).run()).toThrow(/append-only: its rows cannot be deleted/);
    expect(() => db.prepare(`DELETE FROM audit_head`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`INSERT INTO audit_head VALUES (2, 0, '')`).run()).toThrow(/CHECK|UNIQUE/);
    db.prepare(`UPDATE audit_head SET seq = 1, hash = 'h'`).run();
    expect(db.prepare('SELECT seq, summary FROM audit_log').all()).toEqual([{ seq: 1, summary: 's' }]);
  });

  it('6: message search, backfilled from version 5 and kept in step by inserts, text updates and deletes', () => {
    const db = memory();
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, 5);
    const message = db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES (?, ?, ?, 'user', ?, 'complete', 1)`);
    db.prepare(`INSERT INTO conversations VALUES ('c1', 'Garden', 1, 1), ('c2', 'Proxy', 1, 1)`).run();
    message.run('old1', 'c1', 1, 'Watering the tomatoes every morning');
    message.run('old2', 'c2', 1, 'Configure nginx with TLS');
    migrate(db, migrations, 6);
    expect(schemaVersion(db)).toBe(6);
    const match = (q: string) =>
      (db.prepare(`SELECT r.message_id AS id FROM messages_fts f JOIN messages_fts_rows r ON r.fts_rowid = f.rowid WHERE messages_fts MATCH ? ORDER BY r.message_id`).all(q) as { id: string }[]).map((r) => r.id);
    // Backfilled, with porter stemming ("watering" finds "water").
    expect(match('water')).toEqual(['old1']);
    expect(match('nginx')).toEqual(['old2']);

    message.run('new1', 'c1', 2, 'Mulch keeps the soil moist');
    expect(match('mulch')).toEqual(['new1']);
    db.prepare(`UPDATE messages SET text = 'Compost instead' WHERE id = 'new1'`).run();
    expect(match('mulch')).toEqual([]);
    expect(match('compost')).toEqual(['new1']);
    // A status-only change leaves the index alone.
    db.prepare(`UPDATE messages SET status = 'cancelled' WHERE id = 'new1'`).run();
    expect(match('compost')).toEqual(['new1']);

    db.prepare(`DELETE FROM messages WHERE id = 'old2'`).run();
    expect(match('nginx')).toEqual([]);
    // Deleting a conversation cascades to its messages and from there to the index.
    db.prepare(`DELETE FROM conversations WHERE id = 'c1'`).run();
    expect(match('water OR compost')).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages_fts_rows').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages_fts').get()).toEqual({ n: 0 });

    // Rows inserted after the backfill never collide with backfilled FTS rowids, and survive VACUUM.
    db.prepare(`INSERT INTO conversations VALUES ('c3', 'Later', 1, 1)`).run();
    message.run('later', 'c3', 1, 'Bicycle maintenance');
    db.exec('VACUUM');
    db.prepare(`UPDATE messages SET text = 'Tandem maintenance' WHERE id = 'later'`).run();
    expect(match('bicycle')).toEqual([]);
    expect(match('tandem')).toEqual(['later']);
    db.exec(`INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')`);
  });

  it('7: a signature column for audit rows, keeping the rows and hashes written under version 5', () => {
    const db = memory();
    migrate(db, migrations, 5);
    db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash) VALUES (1, 1, 'app.start', 's', '{}', 'h1')`).run();
    db.prepare(`UPDATE audit_head SET seq = 1, hash = 'h1'`).run();
    migrate(db, migrations, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT seq, hash, mac FROM audit_log').all()).toEqual([{ seq: 1, hash: 'h1', mac: null }]);
    db.prepare(`INSERT INTO audit_log (seq, time, kind, summary, details, hash, mac) VALUES (2, 2, 'app.stop', 's', '{}', 'h2', 'm2')`).run();
    expect(db.prepare('SELECT mac FROM audit_log WHERE seq = 2').get()).toEqual({ mac: 'm2' });
    // Still append-only.
    expect(() => db.prepare(`UPDATE audit_log SET mac = 'forged' WHERE seq = 1`).run()).toThrow(/append-only/);
  });

  it('8: pages read by OCR, keyed by content and configuration, keeping documents written before', () => {
    const db = memory();
    migrate(db, migrations, 7);
    db.prepare(`INSERT INTO documents (id, name, path, size_bytes, mtime_ms, content_hash, status, created_at, updated_at) VALUES ('d', 'scan.pdf', '/p', 1, 1, 'h', 'ready', 1, 1)`).run();
    migrate(db, migrations, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare(`SELECT name, ocr_config, ocr_skipped_pages FROM documents`).get()).toEqual({ name: 'scan.pdf', ocr_config: null, ocr_skipped_pages: 0 });
    const page = db.prepare(`INSERT INTO ocr_pages (content_hash, config, page, text, confidence, created_at) VALUES (?, ?, ?, ?, ?, 1)`);
    page.run('h', 'eng', 1, 'The Moon', 91.5);
    page.run('h', 'eng+deu', 1, 'Der Mond', 80);
    expect(() => page.run('h', 'eng', 1, 'again', 90)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => page.run('h', 'eng', 0, 'page zero', 90)).toThrow(/CHECK/);
    expect(() => page.run('h', 'eng', 2, 'over', 101)).toThrow(/CHECK/);
    expect(db.prepare(`SELECT text FROM ocr_pages WHERE content_hash = 'h' AND config = 'eng'`).all()).toEqual([{ text: 'The Moon' }]);
  });

  it('9: a grounding note per message and persisted embedding keys, keeping messages written before', () => {
    const db = memory();
    migrate(db, migrations, 8);
    db.prepare(`INSERT INTO conversations VALUES ('c', 't', 1, 1)`).run();
    db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m1', 'c', 1, 'assistant', 'old', 'complete', 1)`).run();
    migrate(db, migrations, 9);
    expect(schemaVersion(db)).toBe(9);
    expect(db.prepare(`SELECT text, grounding FROM messages`).get()).toEqual({ text: 'old', grounding: null });
    db.prepare(`UPDATE messages SET grounding = 'noMatch'`).run();
    expect(() => db.prepare(`UPDATE messages SET grounding = 'maybe'`).run()).toThrow(/CHECK/);
    db.prepare(`INSERT INTO embedding_keys VALUES ('bge@36000000', 'bge@36000000:384', 'bge', 384)`).run();
    expect(() => db.prepare(`INSERT INTO embedding_keys VALUES ('bge@36000000', 'x', 'bge', 384)`).run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`INSERT INTO embedding_keys VALUES ('y', 'y:0', 'y', 0)`).run()).toThrow(/CHECK/);
  });

  it('10: reply stats as JSON per message, keeping messages written before', () => {
    const db = memory();
    migrate(db, migrations, 9);
    db.prepare(`INSERT INTO conversations VALUES ('c', 't', 1, 1)`).run();
    db.prepare(`INSERT INTO messages (id, conversation_id, seq, role, text, status, created_at) VALUES ('m1', 'c', 1, 'assistant', 'old', 'complete', 1)`).run();
    migrate(db, migrations, 10);
    expect(schemaVersion(db)).toBe(10);
    expect(db.prepare(`SELECT text, stats FROM messages`).get()).toEqual({ text: 'old', stats: null });
    db.prepare(`UPDATE messages SET stats = ?`).run(JSON.stringify({ ttftMs: 12 }));
    expect(() => db.prepare(`UPDATE messages SET stats = '{not json'`).run()).toThrow(/CHECK/);
  });

  it('refuses a database from a newer app instead of damaging it', () => {
    const db = memory();
    db.pragma('user_version = 999');
    expect(() => migrate(db, migrations)).toThrow(/newer version/);
  });

  it('openDatabase turns on WAL-ready settings and foreign keys', () => {
    const db = openDatabase({ file: ':memory:' });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
  });
});
