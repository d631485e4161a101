import { describe, expect, it } from 'vitest';

import type { Emulator } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

const WS = 'ws_orders';
const RECORD_READ = 'app_engine:workspace.table.record:read';
const RECORD_WRITE = 'app_engine:workspace.table.record:write';
const TABLE_READ = 'app_engine:workspace.table:read';
const SQL = 'app_engine:workspace.sql_commands:write';
const ALL_USER_SCOPES = [RECORD_READ, RECORD_WRITE, TABLE_READ, SQL];

interface Answer {
  status: number;
  headers: Headers;
  body: { code: number; msg: string; data?: Record<string, unknown>;
    error?: { permission_violations?: { type: string; subject: string }[] } };
}

async function call(emu: Emulator, method: string, path: string, token: string,
  body?: unknown): Promise<Answer> {
  const res = await fetch(`${emu.baseUrl}/open-apis/apaas/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

function seedOrders(emu: Emulator): void {
  emu.apaas.seedWorkspace({ workspaceId: WS, tables: [{ name: 'orders', description: 'Orders',
    records: [{ item: 'tea', qty: 3 }, { item: 'coffee', qty: 12 }, { item: 'cake', qty: 7 }] }] });
}

async function tenantToken(emu: Emulator, app: { appId: string; appSecret: string }) {
  const res = await fetch(`${emu.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }) });
  return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}

describe('aPaaS data platform (user token)', () => {
  const h = useEmulatorHarness();

  it('answers a filtered, ordered, selected record query with items as a JSON string', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);

    const res = await call(emu, 'GET', `/workspaces/${WS}/tables/orders/records?` +
      new URLSearchParams({ filter: 'qty=gt.5', order: 'qty.desc', select: 'item' }), token);

    expect(typeof res.body.data?.['items']).toBe('string');
    expect(JSON.parse(res.body.data?.['items'] as string)).toEqual([{ item: 'coffee' },
      { item: 'cake' }]);
    expect(res.body.data).toMatchObject({ total: 2, has_more: false });
  });

  it('pages records with page_token until has_more is false', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);

    const first = await call(emu, 'GET', `/workspaces/${WS}/tables/orders/records?page_size=2`,
      token);
    const pageToken = first.body.data?.['page_token'] as string;
    const second = await call(emu, 'GET',
      `/workspaces/${WS}/tables/orders/records?page_size=2&page_token=${pageToken}`, token);

    expect(first.body.data).toMatchObject({ has_more: true, total: 3 });
    expect(JSON.parse(second.body.data?.['items'] as string)).toHaveLength(1);
    expect(second.body.data?.['has_more']).toBe(false);
  });

  it('refuses records sent as a JSON array instead of a string (9499)', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);

    const res = await call(emu, 'POST', `/workspaces/${WS}/tables/orders/records`, token,
      { records: [{ item: 'pie' }] });

    expect(res).toMatchObject({ status: 400, body: { code: 9499 } });
  });

  it('inserts, updates by filter and deletes by filter, stamping system fields', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);
    const path = `/workspaces/${WS}/tables/orders/records`;

    const inserted = await call(emu, 'POST', path, token,
      { records: JSON.stringify([{ item: 'pie', qty: 1 }]) });
    await call(emu, 'PATCH', `${path}?filter=${encodeURIComponent('item=eq.pie')}`, token,
      { record: JSON.stringify({ qty: 2 }) });
    await call(emu, 'DELETE', `${path}?filter=${encodeURIComponent('item=eq.tea')}`, token);

    const rows = emu.apaas.tableRecords(WS, 'orders');
    const pie = rows.find((row) => row['item'] === 'pie');
    expect(inserted.body.data?.['record_ids']).toEqual([pie?.['_id']]);
    expect(pie).toMatchObject({ qty: 2, _updated_by: { id: 'ou_user_1' } });
    expect(rows.map((row) => row['item'])).toEqual(['coffee', 'cake', 'pie']);
  });

  it('encodes SQL results as a JSON array string, or double-encoded when chosen', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);
    emu.apaas.scriptSql({ workspaceId: WS, match: 'FROM orders', rows: [{ n: 3 }] });
    const sql = { sql: 'SELECT count(*) AS n FROM orders' };

    const documented = await call(emu, 'POST', `/workspaces/${WS}/sql_commands`, token, sql);
    emu.apaas.setSqlResultEncoding('double-encoded');
    const doubled = await call(emu, 'POST', `/workspaces/${WS}/sql_commands`, token, sql);

    expect(documented.body.data?.['result']).toBe('[{"n":3}]');
    expect(JSON.parse(doubled.body.data?.['result'] as string)).toEqual(['[{"n":3}]']);
    expect(emu.apaas.sqlCommands(WS).map((command) => command.sql)).toEqual([sql.sql, sql.sql]);
  });

  it('refuses a tenant token on a workspace route (99991663)', async () => {
    const { emu, app } = await h.startEmulator();
    seedOrders(emu);

    const res = await call(emu, 'GET', `/workspaces/${WS}/tables`, await tenantToken(emu, app));

    expect(res).toMatchObject({ status: 400, body: { code: 99991663 } });
  });

  it('tells an expired user token (99991677) from an unknown one (99991668)', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const expired = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);
    const revoked = emu.apaas.issueUserToken('ou_user_2', ALL_USER_SCOPES);
    emu.apaas.expireUserTokens('ou_user_1');
    emu.apaas.revokeUserTokens('ou_user_2');

    const first = await call(emu, 'GET', `/workspaces/${WS}/tables`, expired);
    const second = await call(emu, 'GET', `/workspaces/${WS}/tables`, revoked);

    expect(first.body.code).toBe(99991677);
    expect(second.body.code).toBe(99991668);
  });

  it('names the scope the user has not granted in permission_violations (99991679)', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', [TABLE_READ]);

    const res = await call(emu, 'POST', `/workspaces/${WS}/sql_commands`, token,
      { sql: 'SELECT 1' });

    expect(res.body.code).toBe(99991679);
    expect(res.body.error?.permission_violations).toEqual([
      { type: 'action_privilege_required', subject: SQL }]);
  });

  it('answers 99991672 naming the scope the app lacks, whatever the user granted', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    emu.apaas.denyAppScopes([SQL]);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);

    const res = await call(emu, 'POST', `/workspaces/${WS}/sql_commands`, token,
      { sql: 'SELECT 1' });

    expect(res.body.code).toBe(99991672);
    expect(res.body.msg).toContain(SQL);
  });

  it('rate-limits on demand with HTTP 429 and the reset headers', async () => {
    const { emu } = await h.startEmulator();
    seedOrders(emu);
    const token = emu.apaas.issueUserToken('ou_user_1', ALL_USER_SCOPES);
    emu.apaas.rateLimit({ resetSeconds: 2, limit: 10 });

    const limited = await call(emu, 'GET', `/workspaces/${WS}/tables`, token);
    const next = await call(emu, 'GET', `/workspaces/${WS}/tables`, token);

    expect(limited).toMatchObject({ status: 429, body: { code: 99991400 } });
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('2');
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('10');
    expect(next.status).toBe(200);
  });
});

describe('aPaaS applications (tenant token)', () => {
  const h = useEmulatorHarness();

  it('creates and reads back an object record through the SDK client', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);
    const url = '/open-apis/apaas/v1/applications/package_test__c/objects/order/records';

    const created = await client.request<{ data: { id: string } }>({ method: 'POST', url,
      data: { record: JSON.stringify({ item: 'tea' }) } });
    const read = await client.request<{ data: { item: string } }>({ method: 'POST',
      url: `${url}/${created.data.id}/query`, data: { select: ['item'] } });

    expect(JSON.parse(read.data.item)).toEqual({ _id: created.data.id, item: 'tea' });
  });

  it('refuses a user token on an application route (99991668 "not support")', async () => {
    const { emu } = await h.startEmulator();
    const token = emu.apaas.issueUserToken('ou_user_1', []);

    const res = await call(emu, 'POST', '/applications/ns__c/functions/f/invoke', token, {});

    expect(res.body).toMatchObject({ code: 99991668, msg: 'user access token not support' });
  });

  it('executes a flow given a JSON-string operator, answering scripted out_params', async () => {
    const { emu, app } = await h.startEmulator();
    emu.apaas.scriptFlow({ namespace: 'ns__c', flowId: 'approve', outParams: { ok: true } });

    const res = await call(emu, 'POST', '/applications/ns__c/flows/approve/execute',
      await tenantToken(emu, app),
      { operator: JSON.stringify({ _id: 1, email: 'a@example.com' }),
        params: JSON.stringify({ amount: 5 }) });

    expect(res.body.data).toMatchObject({ status: 'end', out_params: '{"ok":true}' });
    expect(emu.apaas.applicationCalls()).toMatchObject([{ kind: 'flow', params: { amount: 5 } }]);
  });
});

describe('aPaaS control API', () => {
  const h = useEmulatorHarness();

  async function control(emu: Emulator, route: string, body: unknown) {
    const res = await fetch(`${emu.baseUrl}/__emulator/apaas/${route}`, { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  }

  it('seeds a workspace, issues a user token and scripts a rate limit over HTTP', async () => {
    const { emu } = await h.startEmulator();
    await control(emu, 'workspaces', { workspaceId: WS, tables: [{ name: 'orders',
      records: [{ item: 'tea' }] }] });
    const { token } = await control(emu, 'user-tokens', { openId: 'ou_user_1',
      scopes: [RECORD_READ] });
    await control(emu, 'rate-limits', { pathPattern: '/records$', resetSeconds: 1 });

    const limited = await call(emu, 'GET', `/workspaces/${WS}/tables/orders/records`,
      String(token));
    const answered = await call(emu, 'GET', `/workspaces/${WS}/tables/orders/records`,
      String(token));

    expect(limited.status).toBe(429);
    expect(JSON.parse(answered.body.data?.['items'] as string)).toMatchObject([{ item: 'tea' }]);
  });
});
