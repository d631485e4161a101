import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'libsql';

export type SqliteDatabase = InstanceType<typeof Database>;

/**
 * Opens (creating if needed) the embedded store file. WAL lets readers proceed while a write is
 * in progress; the busy timeout covers a second process briefly holding the write lock.
 */
export function openSqliteDatabase(file: string): SqliteDatabase {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec(
    'CREATE TABLE IF NOT EXISTS keyv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)',
  );
  db.exec(
    'CREATE TABLE IF NOT EXISTS coordination ' +
      '(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER NOT NULL)',
  );
  db.exec(
    'CREATE TABLE IF NOT EXISTS coordination_map (key TEXT NOT NULL, field TEXT NOT NULL, ' +
      'value TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (key, field))',
  );
  return db;
}
