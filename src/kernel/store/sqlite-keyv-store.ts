import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { Clock } from '../clock.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface Row {
  value: string;
  expires: number | null;
}

/**
 * A keyv store on an embedded SQLite file. keyv hands it keys already prefixed with the
 * namespace (`ns:key`) and values already serialised; expiry is kept in a column so that
 * expired rows can be swept instead of piling up.
 */
export class SqliteKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.db.prepare('SELECT value, expires FROM keyv WHERE key = ?').get(key) as
      | Row
      | undefined;
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= this.clock.now()) {
      await this.delete(key);
      return undefined;
    }
    return row.value as StoredData<Value>;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const expires = typeof ttl === 'number' && ttl > 0 ? this.clock.now() + ttl : null;
    this.db
      .prepare(
        'INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
      )
      .run(key, String(value), expires);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM keyv WHERE key = ?').run(key).changes > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    if (this.namespace === undefined) {
      this.db.prepare('DELETE FROM keyv').run();
      return;
    }
    const pattern = `${escapeLike(this.namespace)}:%`;
    this.db.prepare("DELETE FROM keyv WHERE key LIKE ? ESCAPE '\\'").run(pattern);
  }

  /** Removes expired rows; called periodically by the store owner. */
  sweep(): number {
    return this.db
      .prepare('DELETE FROM keyv WHERE expires IS NOT NULL AND expires <= ?')
      .run(this.clock.now()).changes;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
