import path from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Clock } from '../clock.js';
import type { StoreConfig } from '../config/config-schema.js';
import { LarkServiceError } from '../errors.js';
import { Coordination } from './coordination.js';
import { MemoryCoordinationBackend } from './memory-coordination.js';
import { RedisCoordinationBackend, type RedisLike } from './redis-coordination.js';
import { flatString } from './flat-string.js';
import { SqliteCoordinationBackend } from './sqlite-coordination.js';
import type { RedisClient } from '../delivery/redis-stream-journal.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';
import { SqliteKeyvStore } from './sqlite-keyv-store.js';

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The deployment's one store: namespaced keyv instances for plugins and the kernel, plus the
 * coordination primitives, all on the same backend.
 */
export interface Storage {
  readonly kind: StoreConfig['type'];
  namespace(name: string): Keyv;
  readonly coordination: Coordination;
  /** The Redis client of a Redis store, for structures keyv has no word for (streams, hashes). */
  readonly redis?: RedisClient;
  /** Resolves when the backend answers; rejects with LARK_E_STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openStorage(
  config: StoreConfig,
  clock: Clock,
  baseDir = process.cwd(),
): Promise<Storage> {
  switch (config.type) {
    case 'memory':
      return openMemoryStorage(config.prefix, clock);
    case 'sqlite':
      return openSqliteStorage(path.resolve(baseDir, config.path), config.prefix, clock);
    case 'redis':
      return openRedisStorage(config.url, config.prefix);
  }
}

function openMemoryStorage(prefix: string, clock: Clock): Storage {
  const backend = new MemoryCoordinationBackend(clock);
  const shared = new MemoryKeyvMap();
  // keyv and the coordination map drop an expired entry only when it is read again; an
  // event's claim never is, so without a sweep a long-running process keeps every one.
  const timer = setInterval(() => {
    shared.sweep();
    backend.sweep();
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    kind: 'memory',
    // Nothing here outlives the process, so the format is free to differ from the other
    // stores: plain JSON, kept as one flat string (see flatString).
    namespace: (name) => new Keyv({ store: shared, namespace: `${prefix}:${name}`,
      serialize: (data) => flatString(JSON.stringify(data)), deserialize: JSON.parse }),
    coordination: new Coordination(backend, prefix),
    ping: async () => {},
    close: async () => {
      clearInterval(timer);
      await backend.close();
    },
  };
}

function openSqliteStorage(file: string, prefix: string, clock: Clock): Storage {
  let db: SqliteDatabase;
  try {
    db = openSqliteDatabase(file);
  } catch (cause) {
    throw unavailable(`cannot open the embedded store ${file}`, cause, 'check the path is writable');
  }
  const sweeper = new SqliteKeyvStore(db, clock);
  const backend = new SqliteCoordinationBackend(db, clock, async () => {
    clearInterval(timer);
    db.close();
  });
  const timer = setInterval(() => {
    sweeper.sweep();
    backend.sweep();
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    kind: 'sqlite',
    namespace: (name) =>
      new Keyv({ store: new SqliteKeyvStore(db, clock), namespace: `${prefix}:${name}` }),
    coordination: new Coordination(backend, prefix),
    ping: async () => {
      db.prepare('SELECT 1').get();
    },
    close: () => backend.close(),
  };
}

async function openRedisStorage(url: string, prefix: string): Promise<Storage> {
  let connected = false;
  // Until the first connection succeeds, give up quickly so start-up reports the problem;
  // afterwards keep reconnecting (ping() tells callers while Redis is away).
  const reconnectStrategy = (retries: number, cause: Error) =>
    connected ? Math.min(50 * 2 ** retries, 5_000) : retries >= 2 ? cause : 200;
  const client = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy } });
  client.on('error', () => {
    // Reconnection is handled by the client; ping() reports unavailability to callers.
  });
  try {
    await client.connect();
    connected = true;
  } catch (cause) {
    throw unavailable(`cannot connect to Redis at ${redactUrl(url)}`, cause, 'start Redis or fix store.url');
  }
  const backend = new RedisCoordinationBackend(client as unknown as RedisLike, async () => {
    client.destroy();
  });
  return {
    kind: 'redis',
    namespace: (name) =>
      new Keyv({
        store: new KeyvRedis(client as never),
        namespace: `${prefix}:${name}`,
        useKeyPrefix: false,
      }),
    coordination: new Coordination(backend, prefix),
    redis: client,
    ping: async () => {
      try {
        await client.ping();
      } catch (cause) {
        throw unavailable(`Redis at ${redactUrl(url)} does not answer`, cause, 'check Redis is up');
      }
    },
    close: () => backend.close(),
  };
}

/** The in-memory store's map: keys kept flat, as its values are (see flatString). */
export class MemoryKeyvMap extends Map<string, unknown> {
  override set(key: string, value: unknown): this {
    return super.set(flatString(key), value);
  }

  /** Removes records whose time to live has passed (keyv times them by Date.now). */
  sweep(now = Date.now()): number {
    let removed = 0;
    for (const [key, value] of this) {
      if (typeof value !== 'string') continue;
      const { expires } = JSON.parse(value) as { expires?: number };
      if (typeof expires === 'number' && expires <= now && this.delete(key)) removed++;
    }
    return removed;
  }
}

function unavailable(what: string, cause: unknown, fix: string): LarkServiceError {
  return new LarkServiceError(
    'LARK_E_STORE_UNAVAILABLE',
    `${what}: ${(cause as Error)?.message ?? cause}; ${fix}`,
    { cause },
  );
}

/** Drops a password from a Redis URL before it is shown. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}
