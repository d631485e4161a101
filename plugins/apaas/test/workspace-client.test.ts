import { describe, expect, it } from 'vitest';

import { collect } from '../paginate.js';
import { ALL_WORKSPACE_SCOPES, USER, WORKSPACE, useApaasFixture } from './setup.js';

const RECORDS_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/tables/orders/records`;
const SQL_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/sql_commands`;

describe('aPaaS workspace client (as a user)', () => {
  const start = useApaasFixture();

  it('iterates every matching record across pages, fetching one page at a time', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    const items = await collect(service.asUser(USER).records(WORKSPACE, 'orders',
      { filter: 'qty=gte.3', order: 'qty.asc', select: ['item', 'qty'], pageSize: 2 }));

    expect(items).toEqual([{ item: 'tea', qty: 3 }, { item: 'cake', qty: 7 },
      { item: 'juice', qty: 9 }, { item: 'coffee', qty: 12 }]);
    expect(emu.requests({ path: RECORDS_PATH })).toHaveLength(2);
  });

  it('stops fetching pages when the consumer stops iterating', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    for await (const record of service.asUser(USER).records(WORKSPACE, 'orders',
      { pageSize: 2 })) {
      if (record['item'] === 'tea') break;
    }

    expect(emu.requests({ path: RECORDS_PATH })).toHaveLength(1);
  });

  it('lists the tables of a workspace with their columns', async () => {
    const { service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    const tables = await collect(service.asUser(USER).tables(WORKSPACE, 1));

    expect(tables.map((table) => table.name)).toEqual(['orders', 'customers']);
    expect(tables[0]?.columns.map((column) => column.name)).toEqual(['item', 'qty']);
  });

  it('sends inserted records as a JSON string and returns their ids', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    const ids = await service.asUser(USER).insertRecords(WORKSPACE, 'orders',
      [{ item: 'scone', qty: 4 }, { item: 'bun', qty: 2 }]);

    const [insert] = emu.requests({ path: RECORDS_PATH }).filter((r) => r.method === 'POST');
    expect(typeof (insert?.body as { records: unknown }).records).toBe('string');
    const stored = emu.apaas.tableRecords(WORKSPACE, 'orders').slice(-2);
    expect(stored.map((row) => row['_id'])).toEqual(ids);
    expect(stored.map((row) => row['_created_by'])).toEqual([
      expect.objectContaining({ id: USER }), expect.objectContaining({ id: USER })]);
  });

  it('updates by filter, updates by id and deletes by filter', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    const user = service.asUser(USER);
    const cake = emu.apaas.tableRecords(WORKSPACE, 'orders').find((r) => r['item'] === 'cake');

    await user.updateRecords(WORKSPACE, 'orders', 'qty=lt.4', { qty: 4 });
    await user.updateRecordsById(WORKSPACE, 'orders', [{ _id: String(cake?.['_id']), qty: 70 }]);
    await user.deleteRecords(WORKSPACE, 'orders', 'item=eq.coffee');

    const rows = emu.apaas.tableRecords(WORKSPACE, 'orders');
    expect(rows.map((row) => [row['item'], row['qty']])).toEqual([
      ['tea', 4], ['cake', 70], ['pie', 4], ['juice', 9]]);
  });

  it('reads SQL rows in the documented encoding', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    emu.apaas.scriptSql({ workspaceId: WORKSPACE, match: 'GROUP BY', rows: [{ n: 5 }, { n: 2 }] });

    const rows = await service.asUser(USER).sql(WORKSPACE,
      'SELECT count(*) AS n FROM orders GROUP BY item');

    expect(rows).toEqual([{ n: 5 }, { n: 2 }]);
    expect(emu.requests({ path: SQL_PATH })[0]?.body).toEqual(
      { sql: 'SELECT count(*) AS n FROM orders GROUP BY item' });
  });

  it('reads SQL rows in the double-encoded form seen in the field', async () => {
    const { emu, service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);
    emu.apaas.setSqlResultEncoding('double-encoded');
    emu.apaas.scriptSql({ workspaceId: WORKSPACE, match: 'GROUP BY', rows: [{ n: 5 }, { n: 2 }] });

    const rows = await service.asUser(USER).sql(WORKSPACE,
      'SELECT count(*) AS n FROM orders GROUP BY item');

    expect(rows).toEqual([{ n: 5 }, { n: 2 }]);
  });

  it('answers a non-SELECT command with no rows', async () => {
    const { service, tokens } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    const rows = await service.asUser(USER).sql(WORKSPACE, "DELETE FROM orders WHERE qty = 1");

    expect(rows).toEqual([]);
  });

  it('keeps user tokens out of the log', async () => {
    const { emu, service, tokens, logs } = await start();
    tokens.authorize(USER, ALL_WORKSPACE_SCOPES);

    await collect(service.asUser(USER).records(WORKSPACE, 'orders'));
    emu.apaas.expireUserTokens(USER);
    await collect(service.asUser(USER).records(WORKSPACE, 'orders'));

    expect(tokens.issuedTokens.length).toBeGreaterThan(1);
    for (const token of tokens.issuedTokens) expect(logs.text()).not.toContain(token);
  });
});
