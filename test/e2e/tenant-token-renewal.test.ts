import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/kernel-harness.js';

const yaml = `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
plugins:
  - use: group-message
    options: { defaultReply: "ok: {text}" }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(yaml);
});
afterAll(async () => {
  await h?.stop();
});

const USER = 'ou_user_1';

describe('tenant token renewal', () => {
  it('evicts a tenant token the platform rejects, fetches a new one and replays the call once', async () => {
    await h.emulator.sendUserMessage({ chatId: 'oc_a', chatType: 'p2p', senderOpenId: USER, text: 'one' });
    await h.emulator.waitForMessage((m) => m.chatId === 'oc_a', 5_000);
    const tokenFetches = () => h.emulator.requests({ path: /tenant_access_token/ }).length;
    const fetchesBefore = tokenFetches();
    h.emulator.expireTenantTokens();

    await h.emulator.sendUserMessage({ chatId: 'oc_b', chatType: 'p2p', senderOpenId: USER, text: 'two' });
    await h.emulator.waitForMessage((m) => m.chatId === 'oc_b', 5_000);

    const replies = h.emulator.requests({ path: /\/reply$/ });
    const bearers = replies.map((r) => r.headers.authorization);
    expect(replies).toHaveLength(3);
    expect(bearers[1]).toBe(bearers[0]);
    expect(bearers[2]).not.toBe(bearers[1]);
    expect(tokenFetches()).toBe(fetchesBefore + 1);
  });
});
