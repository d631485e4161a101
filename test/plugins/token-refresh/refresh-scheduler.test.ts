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

  it('starts no refresh after a stop, not even one whose worker was waiting for its slot',
    async () => {
      const users = Array.from({ length: 6 }, (_, i) => `ou_stop${i}`);
      const { run, starts } = scheduler(users, { concurrency: 3, maxPerSecond: 1 });

      const pass = run.runOnce();
      await vi.advanceTimersByTimeAsync(0);
      expect(starts).toHaveLength(1);
      const stopped = run.stop();
      await vi.runAllTimersAsync();
      await stopped;

      expect(starts).toHaveLength(1);
      expect((await pass).refreshed).toBe(1);
    });
});
