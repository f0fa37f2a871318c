import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

/** Numbered, append-only: never edit a released migration, add the next one. Each has its own test. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations and messages',
    up(db) {
      db.exec(`
        CREATE TABLE conversations (
          id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE messages (
          id TEXT PRIMARY KEY,
          conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
          text TEXT NOT NULL,
          status TEXT NOT NULL,
          error_code TEXT,
          error_message TEXT,
          created_at INTEGER NOT NULL,
          UNIQUE (conversation_id, seq)
        );
        CREATE INDEX conversations_by_update ON conversations(updated_at DESC);
      `);
    },
  },
  {
    version: 2,
    name: 'settings',
    up(db) {
      db.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    },
  },
  {
    version: 3,
    name: 'message citations',
    up(db) {
      db.exec(`ALTER TABLE messages ADD COLUMN citations TEXT NOT NULL DEFAULT '[]'`);
    },
  },
  {
    version: 4,
    name: 'documents, chunks, full-text index, embeddings',
    up(db) {
      // chunks_fts is an external-content FTS5 table kept in step by triggers, so the chunk text is stored
      // once. Embeddings live beside their chunk as float32 BLOBs: the source the vector index is built from.
      db.exec(`
        CREATE TABLE documents (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          path TEXT NOT NULL,
          format TEXT,
          size_bytes INTEGER NOT NULL,
          mtime_ms INTEGER NOT NULL,
          content_hash TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('queued', 'parsing', 'embedding', 'ready', 'failed', 'cancelled')),
          error_code TEXT,
          error_message TEXT,
          title TEXT,
          pages INTEGER,
          chunk_count INTEGER NOT NULL DEFAULT 0,
          replaces_id TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX documents_by_hash ON documents(content_hash);
        CREATE INDEX documents_by_path ON documents(path);
        CREATE INDEX documents_by_status ON documents(status);

        CREATE TABLE chunks (
          id INTEGER PRIMARY KEY,
          document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
          ordinal INTEGER NOT NULL,
          text TEXT NOT NULL,
          page INTEGER,
          heading TEXT,
          start_offset INTEGER NOT NULL,
          end_offset INTEGER NOT NULL,
          embedding BLOB,
          embedding_model TEXT,
          UNIQUE (document_id, ordinal)
        );

        CREATE VIRTUAL TABLE chunks_fts USING fts5(text, heading, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
          INSERT INTO chunks_fts(rowid, text, heading) VALUES (new.id, new.text, coalesce(new.heading, ''));
        END;
        CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
          INSERT INTO chunks_fts(chunks_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, coalesce(old.heading, ''));
        END;
        CREATE TRIGGER chunks_au AFTER UPDATE OF text, heading ON chunks BEGIN
          INSERT INTO chunks_fts(chunks_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, coalesce(old.heading, ''));
          INSERT INTO chunks_fts(rowid, text, heading) VALUES (new.id, new.text, coalesce(new.heading, ''));
        END;

        -- One row: bumped in the same transaction as any change to stored embeddings, so an index file
        -- written at another generation is known to be stale.
        CREATE TABLE vector_index_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          generation INTEGER NOT NULL
        );
        INSERT INTO vector_index_state VALUES (1, 0);
      `);
    },
  },
  {
    version: 5,
    name: 'audit log',
    up(db) {
      // Append-only: the triggers stop the app (and any ordinary SQL) from changing or deleting a row.
      // Someone editing the file can drop them; the hash chain is what exposes that (AuditLog.verify).
      // audit_head keeps the newest row's seq and hash, written in the same transaction as the rows, so
      // deleting rows at the end of the chain (which leaves no broken link) is detected too.
      db.exec(`
        CREATE TABLE audit_log (
          seq INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          kind TEXT NOT NULL,
          summary TEXT NOT NULL,
          details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
          hash TEXT NOT NULL
        );
        CREATE INDEX audit_log_by_kind ON audit_log(kind, seq);
        CREATE INDEX audit_log_by_time ON audit_log(time);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
          SELECT RAISE(ABORT, 'The audit log is append-only: its rows cannot be changed.');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
          SELECT RAISE(ABORT, 'The audit log is append-only: its rows cannot be deleted.');
        END;

        CREATE TABLE audit_head (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          seq INTEGER NOT NULL,
          hash TEXT NOT NULL
        );
        INSERT INTO audit_head VALUES (1, 0, '');
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN
          SELECT RAISE(ABORT, 'The audit log is append-only: its head cannot be deleted.');
        END;
      `);
    },
  },
  {
    version: 6,
    name: 'message search',
    up(db) {
      // Full-text search over messages (the sidebar's search box). The FTS table keeps its own copy of the
      // text: an external-content table would be keyed on messages' implicit rowid, which VACUUM may
      // renumber. messages_fts_rows maps each message to its FTS row, so the triggers find it by id. The
      // triggers keep it in step with every insert, text update and delete (conversation deletes cascade
      // to messages, and cascades fire the delete trigger).
      db.exec(`
        CREATE VIRTUAL TABLE messages_fts USING fts5(text, tokenize='porter unicode61 remove_diacritics 2');
        CREATE TABLE messages_fts_rows (
          message_id TEXT PRIMARY KEY,
          fts_rowid INTEGER NOT NULL UNIQUE
        );
        CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
          INSERT INTO messages_fts(text) VALUES (new.text);
          INSERT INTO messages_fts_rows(message_id, fts_rowid) VALUES (new.id, last_insert_rowid());
        END;
        CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
          DELETE FROM messages_fts WHERE rowid = (SELECT fts_rowid FROM messages_fts_rows WHERE message_id = old.id);
          DELETE FROM messages_fts_rows WHERE message_id = old.id;
        END;
        CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages WHEN new.text IS NOT old.text BEGIN
          UPDATE messages_fts SET text = new.text WHERE rowid = (SELECT fts_rowid FROM messages_fts_rows WHERE message_id = old.id);
        END;
      `);
      // Messages written before this version: their current rowid is as good a first FTS rowid as any (the
      // map, not the number, is what links them from now on).
      db.exec(`
        INSERT INTO messages_fts(rowid, text) SELECT rowid, text FROM messages;
        INSERT INTO messages_fts_rows(message_id, fts_rowid) SELECT id, rowid FROM messages;
      `);
    },
  },
  {
    version: 7,
    name: 'audit log rows signed with a keychain key',
    up(db) {
      // mac: HMAC-SHA256 of the row's hash under a key kept in the OS keychain (AuditKeychain); NULL for rows
      // written before the key existed or while the keychain could not be read. Existing rows keep their
      // hashes and stay in the chain; the first signed row seals everything before it.
      db.exec(`ALTER TABLE audit_log ADD COLUMN mac TEXT`);
    },
  },
  {
    version: 8,
    name: 'pages read by OCR',
    up(db) {
      // Keyed by the file's content hash (not the document id) and the OCR configuration (its languages):
      // a cancelled, crashed, re-added or re-indexed copy of the same bytes resumes at the first page not
      // stored yet instead of reading every page again. Pruned when no document has that hash any more.
      db.exec(`
        CREATE TABLE ocr_pages (
          content_hash TEXT NOT NULL,
          config TEXT NOT NULL,
          page INTEGER NOT NULL CHECK (page >= 1),
          text TEXT NOT NULL,
          confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 100),
          created_at INTEGER NOT NULL,
          PRIMARY KEY (content_hash, config, page)
        ) WITHOUT ROWID;
        ALTER TABLE documents ADD COLUMN ocr_config TEXT;
        ALTER TABLE documents ADD COLUMN ocr_skipped_pages INTEGER NOT NULL DEFAULT 0;
      `);
    },
  },
  {
    version: 9,
    name: 'message grounding note, embedding model keys',
    up(db) {
      // messages.grounding: why a reply did not use the documents ('noMatch', 'noRoom'), shown under it.
      // embedding_keys: the key stored beside each vector (it includes the dimensions, known only once the
      // model ran), kept per model identity so a fresh process can search vectors before loading it.
      db.exec(`
        ALTER TABLE messages ADD COLUMN grounding TEXT CHECK (grounding IN ('noMatch', 'noRoom'));
        CREATE TABLE embedding_keys (
          identity TEXT PRIMARY KEY,
          key TEXT NOT NULL,
          name TEXT NOT NULL,
          dimensions INTEGER NOT NULL CHECK (dimensions > 0)
        );
      `);
    },
  },
  {
    version: 10,
    name: 'reply stats',
    up(db) {
      // messages.stats: what a reply cost (time to first token, tokens per second, prompt tokens evaluated
      // and cached, passages, stop reason) as JSON, shown under the reply on demand. Older replies have none.
      db.exec(`ALTER TABLE messages ADD COLUMN stats TEXT CHECK (stats IS NULL OR json_valid(stats));`);
    },
  },
];
