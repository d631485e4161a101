import type { CoordinationBackend } from './coordination.js';

/** The subset of the node-redis v5 client this backend uses. */
export interface RedisLike {
  set(key: string, value: string, options: { NX?: boolean; PX?: number }): Promise<unknown>;
  get(key: string): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

// Compare-and-act in one server-side step, so a holder whose lease lapsed never deletes or
// extends the lease someone else took since.
const COMPARE_AND_DELETE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const COMPARE_AND_EXPIRE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then " +
  "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

// An index is a hash of the fields and a sorted set of when each expires (Redis 7.0 has no
// per-field expiry). Times are the server's, so every instance agrees. Both keys live as long
// as their longest-lived field.
const SERVER_NOW =
  "local t = redis.call('time') local now = t[1] * 1000 + math.floor(t[2] / 1000) ";
const MAP_SET = SERVER_NOW +
  "local ttl = tonumber(ARGV[3]) " +
  "redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) " +
  "redis.call('zadd', KEYS[2], now + ttl, ARGV[1]) " +
  "if redis.call('pttl', KEYS[1]) < ttl then " +
  "redis.call('pexpire', KEYS[1], ttl) redis.call('pexpire', KEYS[2], ttl) end return 1";
const MAP_DELETE =
  "local live = redis.call('zscore', KEYS[2], ARGV[1]) " + SERVER_NOW +
  "redis.call('zrem', KEYS[2], ARGV[1]) " +
  "if redis.call('hdel', KEYS[1], ARGV[1]) == 1 and live and tonumber(live) > now then " +
  "return 1 end return 0";
const MAP_ENTRIES = SERVER_NOW +
  "local gone = redis.call('zrangebyscore', KEYS[2], '-inf', now) " +
  "for i = 1, #gone, 500 do " +
  "redis.call('hdel', KEYS[1], unpack(gone, i, math.min(i + 499, #gone))) end " +
  "if #gone > 0 then redis.call('zremrangebyscore', KEYS[2], '-inf', now) end " +
  "return redis.call('hgetall', KEYS[1])";

export class RedisCoordinationBackend implements CoordinationBackend {
  constructor(
    private readonly client: RedisLike,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.set(key, value, { NX: true, PX: Math.ceil(ttlMs) });
    return reply === 'OK';
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(key, value, { PX: Math.ceil(ttlMs) });
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async compareAndDelete(key: string, value: string): Promise<boolean> {
    const reply = await this.client.eval(COMPARE_AND_DELETE, { keys: [key], arguments: [value] });
    return Number(reply) === 1;
  }

  async compareAndExpire(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.eval(COMPARE_AND_EXPIRE, {
      keys: [key],
      arguments: [value, String(Math.ceil(ttlMs))],
    });
    return Number(reply) === 1;
  }

  async mapSet(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    await this.client.eval(MAP_SET, {
      keys: [key, `${key}:expiry`],
      arguments: [field, value, String(Math.max(1, Math.ceil(ttlMs)))],
    });
  }

  async mapDelete(key: string, field: string): Promise<boolean> {
    const reply = await this.client.eval(MAP_DELETE, {
      keys: [key, `${key}:expiry`], arguments: [field] });
    return Number(reply) === 1;
  }

  async mapEntries(key: string): Promise<Map<string, string>> {
    const reply = (await this.client.eval(MAP_ENTRIES, {
      keys: [key, `${key}:expiry`], arguments: [] })) as string[];
    const entries = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) entries.set(reply[i]!, reply[i + 1]!);
    return entries;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
