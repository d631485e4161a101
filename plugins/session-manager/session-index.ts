import type { Clock } from '../../src/kernel/clock.js';
import type { Coordination, SharedIndex } from '../../src/kernel/store/coordination.js';
import { SESSION_STATES, type SessionState } from './session-states.js';

/** What the index keeps of a session: enough to list by user and state without loading it. */
export interface IndexEntry {
  id: string;
  state: SessionState;
  expiresAt: number;
}

/**
 * Every retained session, indexed twice: once for the whole app (state and deadline, for the
 * poller and the expiry sweep) and once per user (state, for find-or-send). Each session is
 * one field of each index, set on its own and gone when the session leaves retention, so
 * writers of different sessions never wait for each other.
 */
export class SessionIndex {
  private readonly all: SharedIndex;

  constructor(
    private readonly coordination: Coordination,
    private readonly clock: Clock,
    private readonly name: string,
  ) {
    this.all = coordination.index(name);
  }

  async entries(): Promise<IndexEntry[]> {
    const entries: IndexEntry[] = [];
    for (const [id, value] of await this.all.entries()) {
      const [state, expiresAt] = value.split(' ');
      if (isState(state)) entries.push({ id, state, expiresAt: Number(expiresAt) });
    }
    return entries;
  }

  async ofUser(openId: string): Promise<Array<{ id: string; state: SessionState }>> {
    const entries: Array<{ id: string; state: SessionState }> = [];
    for (const [id, state] of await this.byUser(openId).entries()) {
      if (isState(state)) entries.push({ id, state });
    }
    return entries;
  }

  async upsert(entry: IndexEntry & { openId: string; removeAt: number }): Promise<void> {
    const ttlMs = Math.max(1, entry.removeAt - this.clock.now());
    await Promise.all([
      this.all.set(entry.id, `${entry.state} ${entry.expiresAt}`, ttlMs),
      this.byUser(entry.openId).set(entry.id, entry.state, ttlMs),
    ]);
  }

  private byUser(openId: string): SharedIndex {
    return this.coordination.index(`${this.name}:user:${openId}`);
  }
}

const isState = (value: string | undefined): value is SessionState =>
  (SESSION_STATES as readonly string[]).includes(value ?? '');
