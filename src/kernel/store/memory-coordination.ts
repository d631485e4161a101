import type { Clock } from '../clock.js';
import type { CoordinationBackend } from './coordination.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** One process only: what the in-memory store offers. */
export class MemoryCoordinationBackend implements CoordinationBackend {
  private readonly entries = new Map<string, Entry>();
  private readonly maps = new Map<string, Map<string, Entry>>();

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
    let map = this.maps.get(key);
    if (!map) this.maps.set(key, (map = new Map()));
    map.set(field, { value, expiresAt: this.clock.now() + ttlMs });
  }

  async mapDelete(key: string, field: string): Promise<boolean> {
    const map = this.maps.get(key);
    const live = map?.get(field)?.expiresAt ?? 0;
    const deleted = map?.delete(field) ?? false;
    if (map?.size === 0) this.maps.delete(key);
    return deleted && live > this.clock.now();
  }

  async mapEntries(key: string): Promise<Map<string, string>> {
    const map = this.maps.get(key);
    const now = this.clock.now();
    const live = new Map<string, string>();
    if (!map) return live;
    for (const [field, entry] of map) {
      if (entry.expiresAt > now) live.set(field, entry.value);
      else map.delete(field);
    }
    if (map.size === 0) this.maps.delete(key);
    return live;
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
