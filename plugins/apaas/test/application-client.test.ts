import { describe, expect, it } from 'vitest';

import { isLarkServiceError } from '../../../src/kernel/errors.js';
import { collect } from '../paginate.js';
import { ApaasScopes } from '../scopes.js';
import { outcomeOf, useApaasFixture } from './setup.js';

const NAMESPACE = 'package_shop__c';
const RECORDS_PATH = `/open-apis/apaas/v1/applications/${NAMESPACE}/objects/order/records`;

describe('aPaaS application client (as the app)', () => {
  const start = useApaasFixture();

  it('creates, reads, updates and deletes an object record with the tenant token', async () => {
    const { emu, service } = await start();
    const app = service.application(NAMESPACE);

    const id = await app.createRecord('order', { item: 'tea', qty: 3 });
    await app.updateRecord('order', id, { qty: 4 });
    const read = await app.getRecord('order', id, ['item', 'qty']);
    await app.deleteRecord('order', id);

    expect(read).toEqual({ _id: id, item: 'tea', qty: 4 });
    expect(emu.apaas.objectRecords(NAMESPACE, 'order')).toEqual([]);
    const [create] = emu.requests({ path: RECORDS_PATH });
    expect(create?.body).toEqual({ record: '{"item":"tea","qty":3}' });
    expect(create?.headers.authorization).toMatch(/^Bearer t-/);
  });

  it('iterates a batch query across pages', async () => {
    const { emu, service } = await start();
    emu.apaas.seedObject({ namespace: NAMESPACE, objectApiName: 'order',
      records: ['a', 'b', 'c', 'd', 'e'].map((item) => ({ item })) });

    const items = await collect(service.application(NAMESPACE).queryRecords('order',
      { select: ['item'], pageSize: 2 }));

    expect(items.map((record) => record['item'])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(emu.requests({ path: `${RECORDS_PATH}/batch_query` })).toHaveLength(3);
  });

  it('creates and deletes records in batches, reporting each', async () => {
    const { emu, service } = await start();
    const app = service.application(NAMESPACE);

    const created = await app.batchCreateRecords('order', [{ item: 'a' }, { item: 'b' }]);
    const deleted = await app.batchDeleteRecords('order', [created[0]?.id ?? '', 'missing']);

    expect(created.every((result) => result.success)).toBe(true);
    expect(deleted.map((result) => result.success)).toEqual([true, false]);
    expect(emu.apaas.objectRecords(NAMESPACE, 'order').map((r) => r['item'])).toEqual(['b']);
  });

  it('executes a flow with JSON-string operator and params, decoding out_params', async () => {
    const { emu, service } = await start();
    emu.apaas.scriptFlow({ namespace: NAMESPACE, flowId: 'ship', outParams: { tracking: 'T1' } });

    const run = await service.application(NAMESPACE).executeFlow('ship',
      { operator: { email: 'ann@example.com' }, params: { orderId: 'o1' } });

    expect(run).toMatchObject({ status: 'end', outParams: { tracking: 'T1' } });
    expect(emu.apaas.applicationCalls()).toMatchObject([{ kind: 'flow', name: 'ship',
      operator: { email: 'ann@example.com' }, params: { orderId: 'o1' } }]);
  });

  it('invokes a function and decodes its JSON-string result', async () => {
    const { emu, service } = await start();
    emu.apaas.scriptFunction({ namespace: NAMESPACE, functionApiName: 'price',
      result: { total: 42 } });

    const result = await service.application(NAMESPACE).invokeFunction('price', { qty: 2 });

    expect(result).toEqual({ total: 42 });
  });

  it('reports a flow scope the app lacks as an operator error, without retrying', async () => {
    const { emu, service } = await start();
    emu.apaas.denyAppScopes([ApaasScopes.flowWrite]);

    const { error } = await outcomeOf(service.application(NAMESPACE).executeFlow('ship',
      { operator: { _id: 1 } }));

    expect(isLarkServiceError(error, 'LARK_E_APAAS_APP_SCOPE_MISSING')).toBe(true);
    expect(emu.requests({ path: /\/flows\/ship\/execute$/ })).toHaveLength(1);
  });

  it('reports any other platform error with its code', async () => {
    const { service } = await start();

    const { error } = await outcomeOf(service.application(NAMESPACE).getRecord('order', 'nope'));

    expect(error).toMatchObject({ code: 'LARK_E_APAAS_CALL_FAILED',
      details: { platformCode: 2320001 } });
  });
});
