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
