import { describe, expect, it } from 'vitest';

import { isLarkServiceError } from '../../../src/kernel/errors.js';
import { AuthorizationRequired } from '../apaas-errors.js';
import { collect } from '../paginate.js';
import { ApaasScopes } from '../scopes.js';
import { ALL_WORKSPACE_SCOPES, USER, WORKSPACE, outcomeOf, useApaasFixture } from './setup.js';

const RECORDS_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/tables/orders/records`;
const SQL_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/sql_commands`;
const COUNT = 'SELECT count(*) AS n FROM orders';

describe('aPaaS client: what the platform\'s answers mean', () => {
  const start = useApaasFixture();

  it('throws AuthorizationRequired and sends one card for twenty concurrent calls', async () => {
    const { service, tokens } = await start();
    const user = service.asUser(USER, { feature: 'Shop report' });

    const results = await Promise.all(Array.from({ length: 20 },
      () => outcomeOf(collect(user.records(WORKSPACE, 'orders')))));

    expect(tokens.requests).toEqual([{ openId: USER, scopes: [ApaasScopes.workspaceRecordRead],
      reason: 'Shop report needs your authorization to query records of table orders',
      feature: 'Shop report' }]);
    const errors = results.map((result) => result.error);
    expect(errors.every((error) => error instanceof AuthorizationRequired)).toBe(true);
    expect(new Set(errors.map((error) => (error as AuthorizationRequired).sessionId)).size)
      .toBe(1);
  });

  it('does not send a second card for a later call while the first is open', async () => {
    const { service, tokens } = await start();

    await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));
    await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

    expect(tokens.requests).toHaveLength(1);
  });

  it('refreshes an expired user token once and succeeds with the new one', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    await collect(service.asUser(USER).records(WORKSPACE, 'orders'));
    emu.apaas.expireUserTokens(USER);

    const rows = await collect(service.asUser(USER).records(WORKSPACE, 'orders'));

    expect(rows).toHaveLength(5);
    expect(tokens.refreshes).toBe(1);
    const bearers = emu.requests({ path: RECORDS_PATH }).map((r) => r.headers.authorization);
    expect(bearers).toEqual([bearers[0], bearers[0], `Bearer ${tokens.issuedTokens[1]}`]);
    expect(tokens.requests).toHaveLength(0);
  });

  it('refreshes a token the platform no longer knows (99991668) and retries once', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    await service.asUser(USER).sql(WORKSPACE, COUNT);
    emu.apaas.revokeUserTokens(USER);

    await service.asUser(USER).sql(WORKSPACE, COUNT);

    expect(tokens.refreshes).toBe(1);
    expect(emu.requests({ path: SQL_PATH })).toHaveLength(3);
  });

  it('forgets a token refused again after refresh and asks the user to authorize', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    await service.asUser(USER).sql(WORKSPACE, COUNT);
    emu.apaas.expireUserTokens(USER);
    tokens.refreshAnswer = 'u-neverissuedbytheplatform0000';

    const { error } = await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

    expect(error).toBeInstanceOf(AuthorizationRequired);
    expect((error as AuthorizationRequired).authorizationCause).toBe('token-rejected');
    expect(tokens.invalidations).toBe(1);
    expect(emu.requests({ path: SQL_PATH })).toHaveLength(3);
  });

  it('asks for exactly the scope the user has not granted (99991679)', async () => {
    const { service, tokens } = await start();
    tokens.authorize(USER, [ApaasScopes.workspaceRecordRead, ApaasScopes.workspaceTableRead]);

    const { error } = await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

    expect(error).toMatchObject({ code: 'LARK_E_APAAS_AUTHORIZATION_REQUIRED',
      scopes: [ApaasScopes.workspaceSql], authorizationCause: 'missing-scope' });
    expect(tokens.requests.map((request) => request.scopes)).toEqual([[ApaasScopes.workspaceSql]]);
  });

  it('asks for the scopes the call needs when the 99991679 answer names none', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, [ApaasScopes.workspaceTableRead]);
    emu.apaas.setScopeErrorDetail('none');

    const { error } = await outcomeOf(collect(service.asUser(USER).records(WORKSPACE, 'orders')));

    expect(error).toMatchObject({ scopes: [ApaasScopes.workspaceRecordRead],
      authorizationCause: 'missing-scope' });
    expect(tokens.requests).toHaveLength(1);
  });

  it('reports a scope the app lacks (99991672) to the operator, with no card and no retry',
    async () => {
      const { emu, service, tokens, logs } = await start();
      tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
      emu.apaas.denyAppScopes([ApaasScopes.workspaceSql]);

      const { error } = await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

      expect(isLarkServiceError(error, 'LARK_E_APAAS_APP_SCOPE_MISSING')).toBe(true);
      expect((error as Error).message).toContain(ApaasScopes.workspaceSql);
      expect(tokens.requests).toHaveLength(0);
      expect(emu.requests({ path: SQL_PATH })).toHaveLength(1);
      expect(logs.lines().some((line) => line['level'] === 'warn'
        && String(line['msg']).includes('lacks an API scope'))).toBe(true);
    });

  it('waits for the reset the rate-limit headers give, then retries', async () => {
    const { emu, service, tokens, sleeps } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    emu.apaas.rateLimit({ path: SQL_PATH, resetSeconds: 3, times: 2 });

    const rows = await service.asUser(USER).sql(WORKSPACE, COUNT);

    expect(rows).toEqual([]);
    expect(sleeps).toEqual([3000, 3000]);
    expect(emu.requests({ path: SQL_PATH })).toHaveLength(3);
  });

  it('gives up at once when the reset is further away than the cap', async () => {
    const { emu, service, tokens, sleeps } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    emu.apaas.rateLimit({ path: SQL_PATH, resetSeconds: 120 });

    const { error } = await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

    expect(isLarkServiceError(error, 'LARK_E_APAAS_RATE_LIMITED')).toBe(true);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the retry cap when the limit persists', async () => {
    const { emu, service, tokens, sleeps } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    emu.apaas.rateLimit({ path: SQL_PATH, resetSeconds: 1, times: 10 });

    const { error } = await outcomeOf(service.asUser(USER).sql(WORKSPACE, COUNT));

    expect(isLarkServiceError(error, 'LARK_E_APAAS_RATE_LIMITED')).toBe(true);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(emu.requests({ path: SQL_PATH })).toHaveLength(4);
  });

  it('waits for the user to authorize, then completes the call by itself', async () => {
    const { service, tokens } = await start();
    const user = service.asUser(USER, { waitForAuthorization: { timeoutMs: 10_000 } });

    const pending = collect(user.records(WORKSPACE, 'orders', { filter: 'item=eq.tea' }));
    tokens.approve(await tokens.nextRequest());

    expect(await pending).toMatchObject([{ item: 'tea', qty: 3 }]);
    expect(tokens.requests).toHaveLength(1);
  });

  it('ends the wait with AuthorizationRequired when the user does not answer in time', async () => {
    const { service, tokens } = await start();
    const user = service.asUser(USER, { waitForAuthorization: { timeoutMs: 20 } });

    const { error } = await outcomeOf(user.sql(WORKSPACE, COUNT));

    expect(error).toMatchObject({ code: 'LARK_E_APAAS_AUTHORIZATION_REQUIRED',
      outcome: 'timeout' });
    expect(tokens.requests).toHaveLength(1);
  });
});
