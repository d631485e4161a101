import type { Keyv } from 'keyv';

import type { Clock } from '../../src/kernel/clock.js';
import type { Coordination } from '../../src/kernel/store/coordination.js';
import type { SessionState } from './session-states.js';
import { withStoreLock } from './store-lock.js';

/** What the index keeps of a session: enough to list by user and state without loading it. */
export interface IndexEntry {
  id: string;
  openId: string;
  state: SessionState;
  expiresAt: number;
  /** After this time the session is gone from the store and drops out of the index. */
  removeAt: number;
}

const INDEX_KEY = 'index';
const LOCK = { ttlMs: 5_000, waitMs: 5_000 };

/**
 * One index of every retained session. keyv has no sets or scans on every backend, so the
 * index is one record changed under a store lock; it holds only sessions inside their
 * retention window, so it stays as small as the traffic of that window.
 */
export class SessionIndex {
  constructor(
    private readonly store: Keyv,
    private readonly coordination: Coordination,
    private readonly clock: Clock,
  ) {}

  async entries(): Promise<IndexEntry[]> {
    const now = this.clock.now();
    const all = ((await this.store.get(INDEX_KEY)) as IndexEntry[] | undefined) ?? [];
    return all.filter((entry) => entry.removeAt > now);
  }

  upsert(entry: IndexEntry): Promise<void> {
    return withStoreLock(this.coordination, `${this.lockKey()}`, LOCK, async () => {
      const now = this.clock.now();
      const all = ((await this.store.get(INDEX_KEY)) as IndexEntry[] | undefined) ?? [];
      const kept = all.filter((other) => other.id !== entry.id && other.removeAt > now);
      const next = [...kept, entry];
      // The index lives as long as its longest-lived session, so nothing outlives retention.
      const ttl = Math.max(...next.map((other) => other.removeAt)) - now;
      await this.store.set(INDEX_KEY, next, Math.max(ttl, 1));
    });
  }

  private lockKey(): string {
    return `session-index:${this.store.namespace ?? ''}`;
  }
}
