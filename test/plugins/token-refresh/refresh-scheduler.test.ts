import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { UserTokenRecord, UserTokenVaultService } from
  '../../../plugins/session-manager/index.js';
import { RefreshScheduler, type SchedulerSettings } from
  '../../../plugins/token-refresh/refresh-scheduler.js';
import type { UserTokenRefresher } from '../../../plugins/token-refresh/user-token-refresher.js';
import { captureLogs } from '../../../src/testing/captured-logs.js';

const APP_ID = 'cli_scheduler';

/** Every user's access token ends in a minute: due for a refresh. */
function dueRecord(openId: string): UserTokenRecord {
  const now = Date.now();
  return { appId: APP_ID, openId, accessToken: `t-${openId}`, accessTokenExpiresAt: now + 60_000,
    refreshToken: `r-${openId}`, refreshTokenExpiresAt: now + 30 * 86_400_000, scopes: [],
    grantedAt: now, updatedAt: now };
}

/** A scheduler over fake users; `readMs(n)` is how long the n-th vault read takes. */
function scheduler(users: string[], settings: Partial<SchedulerSettings>,
  readMs: (n: number) => number = () => 0) {
  const starts: { openId: string; at: number }[] = [];
  let reads = 0;
  const vault = {
    users: async () => [...users],
    get: async (_appId: string, openId: string) => {
      const ms = readMs(reads++);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return dueRecord(openId);
    },
    pruneUser: async () => false,
  } as unknown as UserTokenVaultService;
  const refresher = {
    refreshIfDue: async (openId: string) => {
      starts.push({ openId, at: Date.now() });
      return 'refreshed';
    },
  } as unknown as UserTokenRefresher;
  const run = new RefreshScheduler({ appId: APP_ID, vault, refresher,
    clock: { now: () => Date.now() }, logger: captureLogs('warn').logger }, {
    intervalMs: 60_000, concurrency: 4, maxPerSecond: 2, refreshTokenLeadMs: 0,
    refreshWhenRemaining: 0.1, ...settings });
  return { run, starts };
}

describe('token-refresh scheduler pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts no more than maxPerSecond (+1) refreshes in any second, however long looking takes',
    async () => {
      const users = Array.from({ length: 16 }, (_, i) => `ou_pace${i}`);
      // The first four looks are slow: their workers waited for a slot, then kept looking
      // past it; starting anyway would bunch them with the slots of the workers behind.
      const { run, starts } = scheduler(users, { concurrency: 8, maxPerSecond: 2 },
        (n) => (n < 4 ? 3_000 : 0));

      const pass = run.runOnce();
      await vi.runAllTimersAsync();
      const tally = await pass;

      expect(tally.refreshed).toBe(users.length);
      expect(new Set(starts.map((s) => s.openId)).size).toBe(users.length);
      const busiest = Math.max(...starts.map(({ at }) =>
        starts.filter((other) => other.at >= at && other.at < at + 1_000).length));
      expect(busiest).toBeLessThanOrEqual(2 + 1);
    });

  it('keeps a worker with a user in hand waiting for its slot when the queue runs out',
    async () => {
      // One a second, two workers. The first look takes 1.5 s, past its slot (0 s): that
      // worker takes a new slot (3 s). The other worker takes the last user at 2 s, which lets
      // idle workers go, but not this one: it still starts at 3 s.
      const { run, starts } = scheduler(['ou_hold0', 'ou_hold1', 'ou_hold2'],
        { concurrency: 2, maxPerSecond: 1 }, (n) => (n === 0 ? 1_500 : 0));
      const begun = Date.now();

      const pass = run.runOnce();
      await vi.runAllTimersAsync();
      await pass;

      expect(starts.map(({ at }) => at - begun)).toEqual([1_000, 2_000, 3_000]);
    });

  it('starts no refresh after a stop, not even one whose worker was waiting for its slot',
    async () => {
      const users = Array.from({ length: 6 }, (_, i) => `ou_stop${i}`);
      const { run, starts } = scheduler(users, { concurrency: 3, maxPerSecond: 1 });

      const pass = run.runOnce();
      await vi.advanceTimersByTimeAsync(0);
      expect(starts).toHaveLength(1);
      let stopped = false;
      void run.stop().then(() => {
        stopped = true;
      });
      // Nor does the stop wait for the slots (1 s and 2 s ahead) of the workers behind.
      await vi.advanceTimersByTimeAsync(0);

      expect(stopped).toBe(true);
      expect(starts).toHaveLength(1);
      expect((await pass).refreshed).toBe(1);
    });

  it('ends the pass once the last user is taken, not when idle workers\' slots come',
    async () => {
      // Two users, four workers at one refresh a second: slots at 0, 1, 2 and 3 s.
      const { run, starts } = scheduler(['ou_last0', 'ou_last1'],
        { concurrency: 4, maxPerSecond: 1 });
      let ended = false;
      const pass = run.runOnce().then((tally) => {
        ended = true;
        return tally;
      });

      await vi.advanceTimersByTimeAsync(1_000);

      expect(starts).toHaveLength(2);
      expect(ended).toBe(true);
      expect((await pass).refreshed).toBe(2);
    });
});
