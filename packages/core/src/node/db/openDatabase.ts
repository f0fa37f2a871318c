import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { type Migration, migrations as allMigrations } from './migrations.js';

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:'. */
  file: string;
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) the profile database: WAL, foreign keys on, migrated to the latest version. */
export function openDatabase(options: OpenDatabaseOptions): Database {
  if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(options.file);
  } catch (error) {
    throw new AssistantError(ErrorCode.Internal, `Cannot open the database ${options.file}: ${(error as Error).message}`, { cause: error });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db, options.migrations ?? allMigrations);
  return db;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the database, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[], target = Infinity): void {
  const current = schemaVersion(db);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new AssistantError(ErrorCode.Internal, `The database is from a newer version of the app (schema ${current}, this app knows ${newest}).`);
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
