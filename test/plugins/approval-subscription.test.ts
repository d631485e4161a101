import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscribeApproval } from '../../plugins/approval/approval-subscription.js';
import { Emulator } from '../../src/emulator/index.js';
import { startTestKit } from '../../src/testing/index.js';

const APP = { appId: 'cli_a0a0a0a0a0a0a0a1', appSecret: 'approval-test-secret' };

let emulator: Emulator;
let client: lark.Client;
beforeEach(async () => {
  emulator = await Emulator.start({ apps: [APP], approvalCodes: ['AC-1'] });
  // Its own token cache: the SDK's default one is shared by every client in the process.
  const tokens = new Map<unknown, unknown>();
  const cache = {
    get: async (key: unknown) => tokens.get(key),
    set: async (key: unknown, value: unknown) => Boolean(tokens.set(key, value)),
  };
  // The SDK logs failed requests whole (headers included); the plugin's own errors are checked.
  const quiet = () => undefined;
  const logger = { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet };
  client = new lark.Client({ ...APP, domain: emulator.baseUrl, cache, logger });
});
afterEach(async () => {
  await emulator.stop();
});

describe('approval subscription', () => {
  it('subscribes once, and counts "already subscribed" (1390007) as success', async () => {
    expect(await subscribeApproval(client, 'AC-1', 'approval')).toBe('subscribed');
    expect(await subscribeApproval(client, 'AC-1', 'approval')).toBe('already-subscribed');
    expect(emulator.approvalSubscriptions()).toEqual(['AC-1']);
  });

  it('fails naming the plugin and the code of a definition that does not exist', async () => {
    const err = await subscribeApproval(client, 'AC-404', 'approval').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LARK_E_APPROVAL_SUBSCRIBE_FAILED' });
    expect((err as Error).message).toMatch(/plugin "approval".*"AC-404".*1390002/);
  });

  it('fails on a platform error injected on the subscribe path', async () => {
    emulator.injectError({ method: 'POST', path: /\/approval\/v4\/approvals\//, status: 500,
      body: { code: 2200, msg: 'internal error' } });
    const err = await subscribeApproval(client, 'AC-1', 'approval').catch((e: unknown) => e);
    expect((err as Error).message).toContain('2200');
  });

  it('refuses to push approval events for a definition nobody subscribed', async () => {
    const push = emulator.approvalInstanceChanged({
      approvalCode: 'AC-1', instanceCode: 'IC-1', status: 'APPROVED',
    });
    await expect(push).rejects.toMatchObject({ code: 'LARK_E_EMULATOR_NOT_SUBSCRIBED' });
  });
});

describe('approval plugin start', () => {
  it('stops the start-up with the subscription error for an unknown approval code', async () => {
    const start = startTestKit({
      plugins: [{ use: 'approval', options: { approvalCodes: ['NOPE'] } }],
      emulator: { approvalCodes: ['AC-1'] },
    });
    await expect(start).rejects.toMatchObject({ code: 'LARK_E_APPROVAL_SUBSCRIBE_FAILED' });
  });
});
