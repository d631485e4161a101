import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/kernel-harness.js';

const yaml = `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
plugins: []
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function sendText(harness: Harness, chatId: string, options?: ReturnType<typeof lark.withUserAccessToken>) {
  return harness.kernel.lark.im.message.create(
    {
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chatId, msg_type: 'text', content: JSON.stringify({ text: 'hi' }) },
    },
    options,
  );
}

const tokenRequests = (harness: Harness) =>
  harness.emulator.requests({ path: /tenant_access_token/ }).length;

describe('tenant token requests', () => {
  it('ten concurrent calls right after start wait for one token request', async () => {
    h = await startHarness(yaml);
    const chats = Array.from({ length: 10 }, (_, i) => `oc_start_${i}`);

    const results = await Promise.all(chats.map((chat) => sendText(h!, chat)));

    expect(results.map((r) => r.code)).toEqual(chats.map(() => 0));
    expect(tokenRequests(h)).toBe(1);
  });

  it('ten concurrent calls rejected with 99991663 share one new token and replay once each', async () => {
    h = await startHarness(yaml);
    await sendText(h, 'oc_warm');
    h.emulator.expireTenantTokens();

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sendText(h!, `oc_burst_${i}`)),
    );

    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(tokenRequests(h)).toBe(2);
    expect(h.emulator.requests({ path: /\/im\/v1\/messages$/ })).toHaveLength(1 + 10 + 10);
  });

  it('a token request the platform refuses fails the call with its code and caches nothing', async () => {
    h = await startHarness(yaml);
    h.emulator.injectError({
      path: /tenant_access_token/,
      status: 200,
      body: { code: 10014, msg: 'app secret invalid' },
      times: 1,
    });

    await expect(sendText(h, 'oc_refused')).rejects.toThrow(/10014/);
    const retried = await sendText(h, 'oc_after');

    expect(retried.code).toBe(0);
    expect(tokenRequests(h)).toBe(2);
    expect(h.logs.text()).not.toContain('e2e-app-secret-value');
  });

  it('a user-token call rejected with 99991663 is not replayed with the tenant token', async () => {
    h = await startHarness(yaml);
    await sendText(h, 'oc_warm');
    h.emulator.injectError({
      path: /\/im\/v1\/messages$/,
      status: 400,
      body: { code: 99991663, msg: 'token invalid' },
      times: 1,
    });

    await expect(
      sendText(h, 'oc_user', lark.withUserAccessToken('u-user-token-value')),
    ).rejects.toThrow();

    const sends = h.emulator.requests({ path: /\/im\/v1\/messages$/ });
    expect(sends).toHaveLength(2);
    expect(tokenRequests(h)).toBe(1);
  });
});
