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

  close(): Promise<void> {
    return this.onClose();
  }
}
