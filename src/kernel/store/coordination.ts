import { randomUUID } from 'node:crypto';

/**
 * The few atomic operations keyv has no primitive for. Every implementation makes each call
 * atomic against every other holder of the same backing store: in-process for memory, the
 * database file for SQLite, the server for Redis (so several instances agree).
 */
export interface CoordinationBackend {
  /** Sets `key` only if it is absent or expired. True when this caller set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets every key only if none is present, as one step; false, with nothing changed, when any
   * is. Optional: a backend without it gets one `setIfAbsent` per key.
   */
  setAllIfAbsent?(keys: string[], value: string, ttlMs: number): Promise<boolean>;
  /** Sets `key` unconditionally. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Deletes `key` only while it still holds `value`. */
  compareAndDelete(key: string, value: string): Promise<boolean>;
  /** Extends `key`'s time to live only while it still holds `value`. */
  compareAndExpire(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Sets one field of the map at `key`, alone: other fields are neither read nor written, so
   * writers of different fields never wait for each other. The field expires after `ttlMs`.
   */
  mapSet(key: string, field: string, value: string, ttlMs: number): Promise<void>;
  /** Removes one field; true if it was there. */
  mapDelete(key: string, field: string): Promise<boolean>;
  /** The map's fields that have not expired, with their values. */
  mapEntries(key: string): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export interface Lock {
  readonly key: string;
  readonly owner: string;
  /** Releases the lock if this owner still holds it; never deletes another owner's lock. */
  release(): Promise<boolean>;
  extend(ttlMs: number): Promise<boolean>;
}

/** Fields with values and their own time to live, shared across instances (`Coordination.index`). */
export interface SharedIndex {
  set(field: string, value: string, ttlMs: number): Promise<void>;
  delete(field: string): Promise<boolean>;
  /** The live fields and their values. */
  entries(): Promise<Map<string, string>>;
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

  /**
   * Claims several keys for one thing (an event by its id and its message id). Where the
   * backend can, all or none in one step; otherwise key by key, stopping at the first taken.
   */
  async claimAll(keys: string[], ttlMs: number, value = '1'): Promise<boolean> {
    if (this.backend.setAllIfAbsent) {
      return this.backend.setAllIfAbsent(keys.map((key) => this.key(key)), value, ttlMs);
    }
    for (const key of keys) {
      if (!(await this.claim(key, ttlMs, value))) return false;
    }
    return true;
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

  /**
   * An index shared by every instance: each field is set, expired and removed on its own, so
   * an index of many entries is never read and rewritten whole under a lock.
   */
  index(name: string): SharedIndex {
    const key = this.key(`index:${name}`);
    return {
      set: (field, value, ttlMs) => this.backend.mapSet(key, field, value, ttlMs),
      delete: (field) => this.backend.mapDelete(key, field),
      entries: () => this.backend.mapEntries(key),
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
