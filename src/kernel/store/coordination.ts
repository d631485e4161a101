import { randomUUID } from 'node:crypto';

/**
 * The few atomic operations keyv has no primitive for. Every implementation makes each call
 * atomic against every other holder of the same backing store: in-process for memory, the
 * database file for SQLite, the server for Redis (so several instances agree).
 */
export interface CoordinationBackend {
  /** Sets `key` only if it is absent or expired. True when this caller set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Sets `key` unconditionally. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Deletes `key` only while it still holds `value`. */
  compareAndDelete(key: string, value: string): Promise<boolean>;
  /** Extends `key`'s time to live only while it still holds `value`. */
  compareAndExpire(key: string, value: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface Lock {
  readonly key: string;
  readonly owner: string;
  /** Releases the lock if this owner still holds it; never deletes another owner's lock. */
  release(): Promise<boolean>;
  extend(ttlMs: number): Promise<boolean>;
}

export class Coordination {
  constructor(
    private readonly backend: CoordinationBackend,
    private readonly prefix: string,
  ) {}

  /** Claims `key` once across every instance sharing the store. */
  claim(key: string, ttlMs: number, value = '1'): Promise<boolean> {
    return this.backend.setIfAbsent(this.key(key), value, ttlMs);
  }

  /** Gives a claim up while it still holds `value`, so the key can be claimed again. */
  release(key: string, value: string): Promise<boolean> {
    return this.backend.compareAndDelete(this.key(key), value);
  }

  read(key: string): Promise<string | undefined> {
    return this.backend.get(this.key(key));
  }

  write(key: string, value: string, ttlMs: number): Promise<void> {
    return this.backend.set(this.key(key), value, ttlMs);
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | undefined> {
    const full = this.key(`lock:${key}`);
    const owner = randomUUID();
    if (!(await this.backend.setIfAbsent(full, owner, ttlMs))) return undefined;
    return {
      key,
      owner,
      release: () => this.backend.compareAndDelete(full, owner),
      extend: (ms) => this.backend.compareAndExpire(full, owner, ms),
    };
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  /** The key as stored in the backend, for structures that claim in the same step. */
  storedKey(key: string): string {
    return this.key(key);
  }

  private key(key: string): string {
    return `${this.prefix}:coord:${key}`;
  }
}
