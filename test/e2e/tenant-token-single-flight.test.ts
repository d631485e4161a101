import * as lark from '@larksuiteoapi/node-sdk';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { systemClock } from '../../src/kernel/clock.js';
import { createLarkClient, StoreTokenCache, type LarkClient } from '../../src/kernel/lark-client.js';
import { APP } from '../support/kernel-harness.js';
import { captureLogs, type CapturedLogs } from '../support/memory-logger.js';

/** A Lark client fresh from construction (no token yet) against its own emulator. */
interface Fixture {
  emulator: Emulator;
  lark: LarkClient;
  logs: CapturedLogs;
}

let h: Fixture | undefined;
afterEach(async () => {
  await h?.emulator.stop();
  h = undefined;
});

async function start(): Promise<Fixture> {
  const emulator = await Emulator.start({ apps: [APP] });
  const logs = captureLogs('debug', [APP.appSecret]);
  const cache = new StoreTokenCache(new Keyv(), systemClock);
  const lark = createLarkClient({ ...APP, domain: emulator.baseUrl }, cache, logs.logger);
  return { emulator, lark, logs };
}

type RequestOptions = ReturnType<typeof lark.withUserAccessToken>;

function sendText(fixture: Fixture, chatId: string, options?: RequestOptions) {
  return fixture.lark.im.message.create(
    {
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chatId, msg_type: 'text', content: JSON.stringify({ text: 'hi' }) },
    },
    options,
  );
}

const tokenRequests = (fixture: Fixture) =>
  fixture.emulator.requests({ path: /tenant_access_token/ }).length;

describe('tenant token requests', () => {
  it('ten concurrent first calls wait for one token request', async () => {
    h = await start();
    const chats = Array.from({ length: 10 }, (_, i) => `oc_start_${i}`);

    const results = await Promise.all(chats.map((chat) => sendText(h!, chat)));

    expect(results.map((r) => r.code)).toEqual(chats.map(() => 0));
    expect(tokenRequests(h)).toBe(1);
  });

  it('a message send rejected with 99991663 is followed by one token fetch and one replay with '
    + 'the new token', async () => {
    h = await start();
    await sendText(h, 'oc_warm');
    const creates = () => h!.emulator.requests({ path: /\/im\/v1\/messages$/ });
    const [sendsBefore, fetchesBefore] = [creates().length, tokenRequests(h)];
    h.emulator.expireTenantTokens();

    const result = await sendText(h, 'oc_once');

    const sends = creates().slice(sendsBefore);
    expect(result.code).toBe(0);
    expect(tokenRequests(h)).toBe(fetchesBefore + 1);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.headers.authorization).not.toBe(sends[0]!.headers.authorization);
    expect(h.emulator.sentMessages({ chatId: 'oc_once' })).toHaveLength(1);
  });

  it('ten concurrent calls rejected with 99991663 share one new token and replay once each', async () => {
    h = await start();
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
    h = await start();
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
    h = await start();
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
