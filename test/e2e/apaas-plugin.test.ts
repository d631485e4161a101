import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ApaasScopes } from '../../plugins/apaas/index.js';
import { authorizationRequests } from '../fixtures/plugins/emulator-user-tokens.js';
import { startHarness, type Harness } from '../support/kernel-harness.js';

const READER = 'ou_reader_1';
const STRANGER = 'ou_stranger_1';

/** The apaas plugin from configuration, used by another plugin's chat command. */
const yaml = `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
plugins:
  - use: group-message
  - use: ../plugins/emulator-user-tokens.ts
    options:
      emulatorUrl: "\${DOMAIN}"
      authorized: { ${READER}: [${ApaasScopes.workspaceRecordRead}] }
  - use: apaas
    options: { rateLimit: { maxRetries: 1 } }
  - use: ../plugins/order-report.ts
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(yaml);
  h.emulator.apaas.seedWorkspace({ workspaceId: 'ws_shop', tables: [{ name: 'orders',
    records: [{ item: 'tea', qty: 3 }, { item: 'cake', qty: 7 }] }] });
});
afterAll(async () => {
  await h?.stop();
});

const textOf = (content: string) => (JSON.parse(content) as { text: string }).text;

describe('apaas plugin in a kernel', () => {
  it('lets a plugin query a workspace with the asking user\'s token', async () => {
    await h.emulator.sendUserMessage({ chatId: 'oc_reader', chatType: 'p2p',
      senderOpenId: READER, text: '/orders' });

    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_reader');

    expect(textOf(reply.content)).toBe('cake x7, tea x3');
    const [query] = h.emulator.requests({ path: /\/tables\/orders\/records$/ });
    const bearer = String(query?.headers.authorization).replace(/^Bearer /, '');
    const check = h.emulator.apaas.userTokens.check(bearer);
    expect(check.status === 'valid' && check.grant.openId).toBe(READER);
  });

  it('asks a user without authorization to authorize, naming the feature', async () => {
    await h.emulator.sendUserMessage({ chatId: 'oc_stranger', chatType: 'p2p',
      senderOpenId: STRANGER, text: '/orders' });

    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_stranger');

    expect(textOf(reply.content)).toBe('Please authorize on the card I sent.');
    expect(authorizationRequests).toEqual([{ openId: STRANGER,
      scopes: [ApaasScopes.workspaceRecordRead],
      reason: 'Order report needs your authorization to query records of table orders',
      feature: 'Order report' }]);
  });
});
