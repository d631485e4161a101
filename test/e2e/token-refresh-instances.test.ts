import { afterEach, expect, it, vi } from 'vitest';

import type { Emulator } from '../../src/emulator/index.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { CapturedLogs } from '../../src/testing/captured-logs.js';
import { tokenUsers, type TokenUserHandle } from '../fixtures/plugins/token-user.js';
import { APP, startAnotherKernel, startHarness } from '../support/kernel-harness.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';
import { refreshRequests, storeGrant, tokenYaml } from './token-refresh-support.js';

const USER = 'ou_tokeninstances0000000000000001';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const unique = () => `tr${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function yamlFor(name: string, prefix: string, tokenRefresh?: string): string {
  return tokenYaml({ name, tokenRefresh,
    store: `{ type: redis, url: "${REDIS_URL}", prefix: "${prefix}" }` });
}

interface Instance {
  kernel: Kernel;
  logs: CapturedLogs;
  handle: TokenUserHandle;
}

async function firstKernel(prefix: string, tokenRefresh?: string) {
  const name = `a-${prefix}`;
  const h = await startHarness(yamlFor(name, prefix, tokenRefresh));
  cleanup.push(() => h.stop());
  const first: Instance = { kernel: h.kernel, logs: h.logs, handle: tokenUsers.get(name)! };
  return { emulator: h.emulator, first };
}

/** Another instance of the same app on the same Redis, against the same platform. */
async function anotherKernel(emulator: Emulator, name: string, prefix: string,
  tokenRefresh?: string): Promise<Instance> {
  const { kernel, logs } = await startAnotherKernel(emulator, yamlFor(name, prefix, tokenRefresh));
  cleanup.push(() => kernel.stop());
  return { kernel, logs, handle: tokenUsers.get(name)! };
}

describeWithRedis('token-refresh across instances sharing Redis', () => {
  it('refreshes an expired token once for 50 callers on 3 kernels, who all get the new token',
    async () => {
      const prefix = unique();
      const { emulator, first } = await firstKernel(prefix);
      const kernels = [first,
        await anotherKernel(emulator, `b-${prefix}`, prefix),
        await anotherKernel(emulator, `c-${prefix}`, prefix)];
      const stored = await storeGrant(emulator, first.handle, APP.appId, USER, Date.now(), true);
      // The platform's clock agrees: the access token is past its two hours.
      emulator.oauth.advanceClock(7200_000 + 1_000);
      expect(emulator.apaas.userTokens.check(stored.accessToken).status).toBe('expired');

      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        kernels[i % 3]!.handle.tokens.getUserAccessToken(USER)));

      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(stored.accessToken);
      expect(emulator.apaas.userTokens.check(tokens[0]!).status).toBe('valid');
      expect(refreshRequests(emulator)).toHaveLength(1);
      expect((refreshRequests(emulator)[0]!.body as Record<string, unknown>)['refresh_token'])
        .toBe(stored.refreshToken);
      const log = kernels.map((k) => k.logs.text()).join('\n');
      expect(log).not.toContain('must authorize again');
      expect(log).not.toContain('20064');
      for (const secret of [stored.accessToken, stored.refreshToken, tokens[0]!]) {
        expect(log).not.toContain(secret);
      }
      const now = await kernels[2]!.handle.vault.get(APP.appId, USER);
      expect(now?.accessToken).toBe(tokens[0]);
      expect(now?.refreshToken).not.toBe(stored.refreshToken);
    });

  it('shares a scheduler pass among 3 kernels: each user refreshed once, by one of them',
    async () => {
      const prefix = unique();
      // Paced (10 refreshes a second each) so that the three passes run side by side.
      const options =
        '{ scheduler: { intervalSeconds: 3600, concurrency: 3, maxPerSecond: 10 } }';
      const { emulator, first } = await firstKernel(prefix, options);
      const kernels = [first,
        await anotherKernel(emulator, `b-${prefix}`, prefix, options),
        await anotherKernel(emulator, `c-${prefix}`, prefix, options)];
      const users = Array.from({ length: 45 }, (_, i) =>
        `ou_shared${String(i).padStart(23, '0')}`);
      const spent = new Set<string>();
      for (const openId of users) {
        const record = await storeGrant(emulator, first.handle, APP.appId, openId, Date.now(),
          true);
        spent.add(record.refreshToken!);
      }

      const runs = await Promise.all(kernels.map((k) => k.handle.tokens.runScheduledRefresh()));

      // Every user once: one refresh request per stored refresh token, none of them twice.
      const sent = refreshRequests(emulator).map((request) =>
        (request.body as Record<string, unknown>)['refresh_token'] as string);
      expect(sent).toHaveLength(users.length);
      expect(new Set(sent)).toEqual(spent);
      expect(runs.reduce((sum, run) => sum + run.refreshed, 0)).toBe(users.length);
      // Split across the kernels, not all done by one while the others wait on its locks.
      for (const run of runs) expect(run.refreshed).toBeGreaterThan(0);
      // Walking the users in one order, pacing between picking a user and locking it, two
      // kernels of three found every user locked (90 skips here); now a handful at most.
      const skipped = runs.reduce((sum, run) => sum + run.skipped, 0);
      expect(skipped).toBeLessThan(users.length / 3);
      for (const run of runs) expect(run.failed + run.reauthorize + run.gone).toBe(0);
      const log = kernels.map((k) => k.logs.text()).join('\n');
      expect(log).not.toContain('20064');
      expect(log).not.toContain('must authorize again');
      for (const openId of users) {
        const record = await kernels[1]!.handle.vault.get(APP.appId, openId);
        expect(spent.has(record!.refreshToken!)).toBe(false);
        expect(emulator.apaas.userTokens.check(record!.accessToken).status).toBe('valid');
      }
    });

  it('loses no token when a kernel stops in the middle of the scheduler\'s run', async () => {
    const prefix = unique();
    // Slow enough (2 refreshes a second) to stop the run while it is going.
    const options = '{ scheduler: { intervalSeconds: 3600, concurrency: 2, maxPerSecond: 2 } }';
    const { emulator, first } = await firstKernel(prefix, options);
    const users = Array.from({ length: 12 }, (_, i) =>
      `ou_restart${String(i).padStart(22, '0')}`);
    const before = new Map<string, string>();
    for (const openId of users) {
      const record = await storeGrant(emulator, first.handle, APP.appId, openId, Date.now(), true);
      before.set(openId, record.refreshToken!);
    }

    const cutShort = first.handle.tokens.runScheduledRefresh();
    await vi.waitFor(() => expect(refreshRequests(emulator).length).toBeGreaterThanOrEqual(3),
      { timeout: 10_000 });
    await first.kernel.stop();
    const firstRun = await cutShort;
    const second = await anotherKernel(emulator, `b-${prefix}`, prefix, options);
    const secondRun = await second.handle.tokens.runScheduledRefresh();

    expect(firstRun.refreshed).toBeGreaterThanOrEqual(3);
    expect(firstRun.refreshed).toBeLessThan(users.length);
    expect(firstRun.refreshed + secondRun.refreshed).toBe(users.length);
    expect(secondRun.fine).toBe(firstRun.refreshed);
    expect(refreshRequests(emulator)).toHaveLength(users.length);
    for (const openId of users) {
      const record = await second.handle.vault.get(APP.appId, openId);
      expect(record?.refreshToken).not.toBe(before.get(openId));
      expect(emulator.apaas.userTokens.check(record!.accessToken).status).toBe('valid');
      // The stored refresh token is the live one: using it now works.
      const token = await second.handle.tokens.refreshUserAccessToken(openId,
        record!.accessToken);
      expect(emulator.apaas.userTokens.check(token).status).toBe('valid');
    }
    expect(second.logs.text()).not.toContain('must authorize again');
  });
});
