import { afterEach, describe, expect, it, vi } from 'vitest';

import { isLarkServiceError } from '../../src/kernel/errors.js';
import { TestClock } from '../../src/testing/test-clock.js';
import { startTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { UserAuthorizationRequired } from '../../plugins/token-refresh/index.js';
import { tokenUsers } from '../fixtures/plugins/token-user.js';
import { APP, BOT } from '../support/kernel-harness.js';
import { refreshRequests, storeGrant, tokenYaml, TOKEN_PATH } from './token-refresh-support.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const USER = 'ou_tokenrefresh000000000000000001';
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configs');

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
});

let runs = 0;
async function start(tokenRefresh?: string) {
  const name = `single-${(runs += 1)}`;
  const clock = new TestClock();
  kit = await startTestKit({ config: tokenYaml({ name, tokenRefresh }), baseDir: fixtures,
    app: APP, bot: BOT, clock });
  return { kit, clock, handle: tokenUsers.get(name)! };
}

/** Every token the test saw must be absent from every log line. */
function expectNoTokenLogged(kit: TestKit, tokens: (string | undefined)[]) {
  const log = kit.logs.text();
  for (const token of tokens) if (token) expect(log).not.toContain(token);
}

describe('token-refresh on demand', () => {
  it('returns the stored token while more than a tenth of its lifetime is left', async () => {
    const { kit, clock, handle } = await start();
    const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());
    clock.advance(7200_000 * 0.89);

    expect(await handle.tokens.getUserAccessToken(USER)).toBe(stored.accessToken);
    expect(refreshRequests(kit.emulator)).toHaveLength(0);
  });

  it('refreshes once less than a tenth is left and stores the rotated tokens', async () => {
    const { kit, clock, handle } = await start();
    const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());
    clock.advance(7200_000 * 0.91);

    const token = await handle.tokens.getUserAccessToken(USER);

    const now = await handle.vault.get(APP.appId, USER);
    expect(token).not.toBe(stored.accessToken);
    expect(now?.accessToken).toBe(token);
    expect(now?.refreshToken).not.toBe(stored.refreshToken);
    expect(kit.emulator.apaas.userTokens.check(token).status).toBe('valid');
    expect(refreshRequests(kit.emulator)).toHaveLength(1);
    expect(await kit.kernel.metrics.registry.getSingleMetricAsString(
      'lark_service_token_refreshes_total')).toContain('{outcome="refreshed"} 1');
    expectNoTokenLogged(kit, [stored.accessToken, stored.refreshToken, token, now?.refreshToken]);
  });

  it('drops the tokens and sends one card with the expiry notice on a terminal refresh error, '
    + 'without retrying', async () => {
    const { kit, clock, handle } = await start();
    const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
    kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 400,
      body: { code: 20073, error: 'invalid_grant', error_description: 'refresh token used' } });

    const calls = await Promise.allSettled(
      Array.from({ length: 5 }, () => handle.tokens.getUserAccessToken(USER)));

    const errors = calls.map((call) => (call.status === 'rejected' ? call.reason : call.value));
    for (const error of errors) {
      expect(error).toBeInstanceOf(UserAuthorizationRequired);
      expect((error as UserAuthorizationRequired).reason).toBe('refresh-refused');
    }
    expect(refreshRequests(kit.emulator)).toHaveLength(1);
    expect(await kit.kernel.metrics.registry.getSingleMetricAsString(
      'lark_service_token_refreshes_total')).toContain('{outcome="reauthorize"} 1');
    expect(await handle.vault.get(APP.appId, USER)).toBeUndefined();
    const cards = kit.emulator.sentMessages().filter((m) => m.msgType === 'interactive');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.content).toContain(
      'Your earlier authorization can no longer be renewed; authorize again to keep using ' +
      'this app.');
    expect((await handle.tokens.reauthorizationOf(USER))?.sessionId)
      .toBe((errors[0] as UserAuthorizationRequired).sessionId);
    expectNoTokenLogged(kit, [stored.accessToken, stored.refreshToken]);
  });

  it('treats an expired refresh token as terminal without asking the platform', async () => {
    const { kit, clock, handle } = await start();
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
    clock.advance(8 * 24 * 3600_000);

    const error = await handle.tokens.getUserAccessToken(USER).catch((err: unknown) => err);

    expect((error as UserAuthorizationRequired).reason).toBe('refresh-expired');
    expect(refreshRequests(kit.emulator)).toHaveLength(0);
    expect(await handle.vault.get(APP.appId, USER)).toBeUndefined();
  });

  it('keeps using a token that cannot be refreshed until it expires', async () => {
    const { kit, clock, handle } = await start();
    const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());
    const { refreshToken: _none, refreshTokenExpiresAt: _never, ...withoutRefresh } = stored;
    await handle.vault.put(withoutRefresh);
    clock.advance(7200_000 * 0.95);

    expect(await handle.tokens.getUserAccessToken(USER)).toBe(stored.accessToken);
    clock.advance(7200_000 * 0.05);
    const error = await handle.tokens.getUserAccessToken(USER).catch((err: unknown) => err);
    expect((error as UserAuthorizationRequired).reason).toBe('refresh-expired');
    expect(refreshRequests(kit.emulator)).toHaveLength(0);
  });

  it('retries after a network error and keeps the stored tokens until a refresh succeeds',
    async () => {
      const { kit, clock, handle } = await start();
      const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
      kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 0, body: {},
        reset: true, times: 3 });

      const error = await handle.tokens.getUserAccessToken(USER).catch((err: unknown) => err);

      expect(isLarkServiceError(error, 'LARK_E_TOKEN_REFRESH_UNAVAILABLE')).toBe(true);
      expect(refreshRequests(kit.emulator)).toHaveLength(3);
      expect(await handle.vault.get(APP.appId, USER)).toMatchObject({
        accessToken: stored.accessToken, refreshToken: stored.refreshToken });
      expect(kit.emulator.sentMessages()).toHaveLength(0);

      kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 0, body: {},
        reset: true, times: 1 });
      const token = await handle.tokens.getUserAccessToken(USER);
      expect(kit.emulator.apaas.userTokens.check(token).status).toBe('valid');
      expect(refreshRequests(kit.emulator)).toHaveLength(5);
    });

  it('retries 20050 and 5xx answers with backoff, then succeeds', async () => {
    const { kit, clock, handle } = await start();
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
    kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 500,
      body: { code: 20050, error: 'server_error' } });
    kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 503,
      body: { code: 20072, error: 'temporarily_unavailable' } });

    const token = await handle.tokens.getUserAccessToken(USER);

    expect(kit.emulator.apaas.userTokens.check(token).status).toBe('valid');
    expect(refreshRequests(kit.emulator)).toHaveLength(3);
  });

  it('keeps the tokens and sends no card when the platform refuses for the app\'s reason',
    async () => {
      const { kit, clock, handle } = await start();
      const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
      kit.emulator.injectError({ method: 'POST', path: TOKEN_PATH, status: 400,
        body: { code: 20074, error: 'unauthorized_client' } });

      const error = await handle.tokens.getUserAccessToken(USER).catch((err: unknown) => err);

      expect(isLarkServiceError(error, 'LARK_E_TOKEN_REFRESH_REFUSED')).toBe(true);
      expect(refreshRequests(kit.emulator)).toHaveLength(1);
      expect((await handle.vault.get(APP.appId, USER))?.refreshToken).toBe(stored.refreshToken);
      expect(kit.emulator.sentMessages()).toHaveLength(0);
    });

  it('names a user who never authorized without sending a card', async () => {
    const { kit, handle } = await start();

    const error = await handle.tokens.getUserAccessToken(USER).catch((err: unknown) => err);

    expect((error as UserAuthorizationRequired).reason).toBe('not-authorized');
    expect(kit.emulator.sentMessages()).toHaveLength(0);
  });
});

describe('token-refresh scheduler', () => {
  it('refreshes a token before it expires, and leaves fresh ones alone, on a fake clock',
    async () => {
      const { kit, clock, handle } = await start(
        '{ scheduler: { intervalSeconds: 60 }, retry: { backoffMs: 10 } }');
      const stored = await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());

      expect(await handle.tokens.runScheduledRefresh()).toMatchObject({ fine: 1, refreshed: 0 });
      clock.advance(7200_000 - 5 * 60_000);
      const run = await handle.tokens.runScheduledRefresh();

      const now = await handle.vault.get(APP.appId, USER);
      expect(run).toMatchObject({ refreshed: 1 });
      expect(now!.accessTokenExpiresAt).toBeGreaterThan(stored.accessTokenExpiresAt);
      expect(stored.accessTokenExpiresAt).toBeGreaterThan(clock.now());
      expect(kit.emulator.apaas.userTokens.check(now!.accessToken).status).toBe('valid');
      expect(refreshRequests(kit.emulator)).toHaveLength(1);
    });

  it('refreshes a token whose refresh token runs out within the lead time', async () => {
    const { kit, clock, handle } = await start(
      '{ scheduler: { intervalSeconds: 60, refreshTokenLeadHours: 24 } }');
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());
    const record = (await handle.vault.get(APP.appId, USER))!;
    await handle.vault.put({ ...record, accessTokenExpiresAt: clock.now() + 10 * 3600_000,
      refreshTokenExpiresAt: clock.now() + 23 * 3600_000 });

    expect(await handle.tokens.runScheduledRefresh()).toMatchObject({ refreshed: 1 });
    expect(refreshRequests(kit.emulator)).toHaveLength(1);
  });

  it('runs by itself every interval', async () => {
    const { kit, clock, handle } = await start('{ scheduler: { intervalSeconds: 0.05 } }');
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);

    await vi.waitFor(() => expect(refreshRequests(kit.emulator)).toHaveLength(1),
      { timeout: 5_000 });
    await vi.waitFor(async () => expect(await handle.vault.get(APP.appId, USER))
      .toMatchObject({ updatedAt: clock.now() }));
    expect(kit.emulator.apaas.userTokens.check(
      (await handle.vault.get(APP.appId, USER))!.accessToken).status).toBe('valid');
  });

  it('logs users who are fine at debug only', async () => {
    const { kit, clock, handle } = await start();
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now());
    const before = kit.logs.lines().length;

    expect(await handle.tokens.runScheduledRefresh()).toMatchObject({ fine: 1 });

    const lines = kit.logs.lines().slice(before);
    expect(lines.map((line) => line['msg'])).toContain('token refresh not needed');
    expect(lines.filter((line) => line['level'] !== 'debug')).toEqual([]);
  });
});

describe('user-info sync', () => {
  it('stores the user\'s profile, read with the fresh token, after each refresh', async () => {
    const { kit, clock, handle } = await start(
      '{ userInfo: { syncOnRefresh: true }, scheduler: { intervalSeconds: 3600 } }');
    await storeGrant(kit.emulator, handle, APP.appId, USER, clock.now(), true);
    kit.emulator.oauth.setUserProfile(USER, { name: 'Ann Lee', email: 'ann@example.com',
      mobile: '+8613800000000', userId: 'a1b2c3d4' });
    expect(await handle.tokens.userProfile(USER)).toBeUndefined();

    const token = await handle.tokens.getUserAccessToken(USER);

    const [info] = kit.emulator.requests({ path: '/open-apis/authen/v1/user_info' });
    expect(info?.headers.authorization).toBe(`Bearer ${token}`);
    expect(await handle.tokens.userProfile(USER)).toEqual({ openId: USER, name: 'Ann Lee',
      userId: 'a1b2c3d4', unionId: expect.stringMatching(/^on_/) as unknown,
      email: 'ann@example.com', mobile: '+8613800000000', syncedAt: clock.now() });
    expect(kit.logs.text()).not.toContain('ann@example.com');
  });
});
