import type { Clock } from '../clock.js';
import type { CoordinationBackend } from './coordination.js';
import { flatString } from './flat-string.js';

interface Entry {
  value: string;
  expiresAt: number;
}

interface FieldEntry extends Entry {
  field: string;
}

/**
 * An index's fields. Most indexes hold a handful (one user's sessions): a short list costs
 * a fraction of a Map's table, and a Map takes over past LIST_LIMIT fields.
 */
type Fields = FieldEntry[] | Map<string, FieldEntry>;
const LIST_LIMIT = 8;

const sizeOf = (fields: Fields): number => (fields instanceof Map ? fields.size : fields.length);

/** One process only: what the in-memory store offers. */
export class MemoryCoordinationBackend implements CoordinationBackend {
  private readonly entries = new Map<string, Entry>();
  private readonly maps = new Map<string, Fields>();

  constructor(private readonly clock: Clock) {}

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    return true;
  }

  async setAllIfAbsent(keys: string[], value: string, ttlMs: number): Promise<boolean> {
    if (keys.some((key) => this.live(key))) return false;
    const expiresAt = this.clock.now() + ttlMs;
    for (const key of keys) this.entries.set(key, { value, expiresAt });
    return true;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async compareAndDelete(key: string, value: string): Promise<boolean> {
    if (this.live(key)?.value !== value) return false;
    return this.entries.delete(key);
  }

  async compareAndExpire(key: string, value: string, ttlMs: number): Promise<boolean> {
    const entry = this.live(key);
    if (entry?.value !== value) return false;
    entry.expiresAt = this.clock.now() + ttlMs;
    return true;
  }

  async mapSet(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    const entry = { field: flatString(field), value: flatString(value),
      expiresAt: this.clock.now() + ttlMs };
    const fields = this.maps.get(key);
    if (!fields) {
      this.maps.set(flatString(key), [entry]);
    } else if (fields instanceof Map) {
      fields.set(entry.field, entry);
    } else {
      const at = fields.findIndex((other) => other.field === field);
      if (at >= 0) fields[at] = entry;
      else if (fields.length < LIST_LIMIT) fields.push(entry);
      else this.maps.set(key, new Map([...fields, entry].map((e) => [e.field, e])));
    }
  }

  async mapDelete(key: string, field: string): Promise<boolean> {
    const fields = this.maps.get(key);
    if (!fields) return false;
    let removed: FieldEntry | undefined;
    if (fields instanceof Map) {
      removed = fields.get(field);
      fields.delete(field);
    } else {
      const at = fields.findIndex((other) => other.field === field);
      if (at >= 0) removed = fields.splice(at, 1)[0];
    }
    if (sizeOf(fields) === 0) this.maps.delete(key);
    return removed !== undefined && removed.expiresAt > this.clock.now();
  }

  async mapEntries(key: string): Promise<Map<string, string>> {
    const fields = this.maps.get(key);
    const live = new Map<string, string>();
    if (!fields) return live;
    const now = this.clock.now();
    let expired = 0;
    for (const entry of fields.values()) {
      if (entry.expiresAt > now) live.set(entry.field, entry.value);
      else expired++;
    }
    // Dropped in this same step, so a field set again meanwhile cannot be lost.
    if (expired > 0) this.dropExpired(key, fields, now);
    return live;
  }

  /** Removes expired claims, locks and index fields; returns how many. */
  sweep(): number {
    const now = this.clock.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now && this.entries.delete(key)) removed++;
    }
    for (const [key, fields] of this.maps) removed += this.dropExpired(key, fields, now);
    return removed;
  }

  private dropExpired(key: string, fields: Fields, now: number): number {
    const before = sizeOf(fields);
    const kept = [...fields.values()].filter((entry) => entry.expiresAt > now);
    if (kept.length === 0) this.maps.delete(key);
    else if (kept.length < before) {
      this.maps.set(key, kept.length <= LIST_LIMIT ? kept
        : new Map(kept.map((entry) => [entry.field, entry])));
    }
    return before - kept.length;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.maps.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.clock.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }
}
