import type { Clock } from '../clock.js';
import type { CoordinationBackend } from './coordination.js';
import type { SqliteDatabase } from './sqlite-database.js';

/**
 * Coordination in the embedded store's file. Each statement is atomic in SQLite, so a claim
 * survives a restart and holds against another process on the same file.
 */
export class SqliteCoordinationBackend implements CoordinationBackend {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const result = this.db
      .prepare(
        'INSERT INTO coordination (key, value, expires) VALUES (?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires ' +
          'WHERE coordination.expires <= ?',
      )
      .run(key, value, now + ttlMs, now);
    return result.changes > 0;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO coordination (key, value, expires) VALUES (?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
      )
      .run(key, value, this.clock.now() + ttlMs);
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT value FROM coordination WHERE key = ? AND expires > ?')
      .get(key, this.clock.now()) as { value: string } | undefined;
    return row?.value;
  }

  async compareAndDelete(key: string, value: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM coordination WHERE key = ? AND value = ? AND expires > ?')
        .run(key, value, this.clock.now()).changes > 0
    );
  }

  async compareAndExpire(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    return (
      this.db
        .prepare('UPDATE coordination SET expires = ? WHERE key = ? AND value = ? AND expires > ?')
        .run(now + ttlMs, key, value, now).changes > 0
    );
  }

  async mapSet(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO coordination_map (key, field, value, expires) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(key, field) DO UPDATE SET value = excluded.value, expires = excluded.expires',
      )
      .run(key, field, value, this.clock.now() + ttlMs);
  }

  async mapDelete(key: string, field: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM coordination_map WHERE key = ? AND field = ? AND expires > ?')
        .run(key, field, this.clock.now()).changes > 0
    );
  }

  async mapEntries(key: string): Promise<Map<string, string>> {
    const rows = this.db
      .prepare('SELECT field, value FROM coordination_map WHERE key = ? AND expires > ?')
      .all(key, this.clock.now()) as { field: string; value: string }[];
    return new Map(rows.map((row) => [row.field, row.value]));
  }

  /** Removes expired claims, locks and index fields. */
  sweep(): number {
    const now = this.clock.now();
    return this.db.prepare('DELETE FROM coordination WHERE expires <= ?').run(now).changes
      + this.db.prepare('DELETE FROM coordination_map WHERE expires <= ?').run(now).changes;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
