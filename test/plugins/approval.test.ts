import { afterEach, describe, expect, it } from 'vitest';
import { ApprovalEventsService } from '../../plugins/approval/index.js';
import { definePlugin } from '../../src/kernel/plugins/plugin-definition.js';
import { startTestKit, type TestKit } from '../../src/testing/index.js';

const TEAM = 'oc_team';
const approval = (options: Record<string, unknown>) => ({
  use: 'approval', options: { approvalCodes: ['AC'], notify: { chatIds: [TEAM] }, ...options },
});

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
});

describe('approval plugin', () => {
  it('sends cards only for the statuses in notifyOn', async () => {
    kit = await startTestKit({ plugins: [approval({ notifyOn: ['APPROVED'] })] });
    await kit.approvalChanged({ approvalCode: 'AC', instanceCode: 'IC-P', status: 'PENDING' });
    await kit.approvalChanged({ approvalCode: 'AC', instanceCode: 'IC-A', status: 'APPROVED' });
    expect(kit.sent({ chatId: TEAM }).map((m) => JSON.stringify(m.card).includes('IC-A')))
      .toEqual([true]);
  });

  it('still notifies and reaches other listeners when one listener throws', async () => {
    const heard: string[] = [];
    const listeners = definePlugin({
      name: 'listeners',
      requires: [ApprovalEventsService],
      start(ctx) {
        const events = ctx.use(ApprovalEventsService);
        events.subscribe(() => {
          throw new Error('listener broke');
        });
        events.subscribe((change) => void heard.push(change.instanceCode));
      },
    });
    kit = await startTestKit({ plugins: [approval({}), listeners] });
    await kit.approvalChanged({ approvalCode: 'AC', instanceCode: 'IC-1', status: 'REJECTED' });
    expect(heard).toEqual(['IC-1']);
    expect(kit.sent({ chatId: TEAM })).toHaveLength(1);
    expect(kit.logs.lines().some((l) => l.msg === 'approval listener failed')).toBe(true);
  });

  it('reads a REVERTED event whose operate_time is an int64', async () => {
    const times: (number | undefined)[] = [];
    const listener = definePlugin({
      name: 'times',
      requires: [ApprovalEventsService],
      start: (ctx) => void ctx.use(ApprovalEventsService).subscribe((c) => {
        times.push(c.operateTimeMs);
      }),
    });
    kit = await startTestKit({ plugins: [approval({}), listener] });
    const payload = kit.build.approvalInstance({
      approvalCode: 'AC', instanceCode: 'IC-R', status: 'REVERTED', operateTimeMs: 1760000000001,
    }) as { event: { operate_time: unknown } };
    expect(typeof payload.event.operate_time).toBe('number');
    await kit.push(payload);
    expect(times).toEqual([1760000000001]);
  });
});
