import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import approvalListener, { approvalChanges } from '../fixtures/plugins/approval-listener.js';
import { startTestKit, type TestKit } from '../../src/testing/index.js';

const CHAT = 'oc_approvals_team';
const CODE = '3B5D7F9A-1C2E-4A6B-8D0F-2A4C6E8B0D1F';

let kit: TestKit;
beforeAll(async () => {
  kit = await startTestKit({
    config: `
plugins:
  - use: approval
    options:
      approvalCodes: ["${CODE}"]
      notify: { chatIds: [${CHAT}], initiator: true }
`,
    plugins: [approvalListener],
    emulator: { approvalCodes: [CODE] },
  });
});
afterAll(async () => {
  await kit?.stop();
});

describe('approval plugin, through the SDK WSClient', () => {
  it('subscribes the configured approval definition at start', () => {
    expect(kit.emulator.approvalSubscriptions()).toEqual([CODE]);
  });

  it('sends the configured chat a card when a 1.0 approval_instance event arrives', async () => {
    const ack = await kit.approvalChanged({
      approvalCode: CODE, instanceCode: 'IC-1', status: 'APPROVED', operateTimeMs: 1733300299876,
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    const card = kit.lastSent(CHAT);
    expect(card.msgType).toBe('interactive');
    expect(card.receiveIdType).toBe('chat_id');
    expect(JSON.stringify(card.card)).toContain('IC-1');
    expect(card.card).toMatchObject({ header: { title: { content: 'Approval approved' } } });
  });

  it('handles a 1.0 approval event pushed twice (same uuid) once', async () => {
    const payload = kit.emulator.buildApprovalInstanceEvent({
      approvalCode: CODE, instanceCode: 'IC-2', status: 'REJECTED', eventId: 'uuid-twice-1',
    });
    await kit.push(payload);
    await kit.push(payload);
    expect(approvalChanges.filter((c) => c.instanceCode === 'IC-2')).toHaveLength(1);
    expect(kit.sent({ chatId: CHAT }).filter((m) => JSON.stringify(m.card).includes('IC-2')))
      .toHaveLength(1);
  });

  it('publishes the normalised change: status, codes, times in ms, uuid as event id', async () => {
    await kit.approvalChanged({
      approvalCode: CODE, instanceCode: 'IC-3', status: 'REVERTED', operateTimeMs: 1760000000123,
      eventId: 'uuid-ic-3', instanceUuid: 'req-7781',
    });
    expect(approvalChanges.find((c) => c.instanceCode === 'IC-3')).toMatchObject({
      eventId: 'uuid-ic-3', schema: '1.0', approvalCode: CODE, status: 'REVERTED',
      operateTimeMs: 1760000000123, instanceUuid: 'req-7781',
    });
  });

  it('reads the 2.0 event too and notifies the initiator it names', async () => {
    await kit.approvalChanged({
      schema: '2.0', approvalCode: CODE, instanceCode: 'IC-4', status: 'CANCELED',
      initiatorOpenId: 'ou_initiator_1', operateTimeMs: 1760000000456,
    });
    expect(approvalChanges.find((c) => c.instanceCode === 'IC-4')).toMatchObject({
      schema: '2.0', status: 'CANCELED', initiatorOpenId: 'ou_initiator_1',
      operateTimeMs: 1760000000456,
    });
    const toInitiator = kit.sent().filter((m) => m.receiveId === 'ou_initiator_1');
    expect(toInitiator).toHaveLength(1);
  });
});
