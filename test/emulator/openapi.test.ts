import { describe, expect, it } from 'vitest';

import type { Emulator } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

const TEXT = { msg_type: 'text', content: JSON.stringify({ text: 'hello' }) };

/** What an AxiosError thrown by the SDK carries. */
interface HttpFailure {
  response: { status: number; data: { code: number } };
}

function failureOf(promise: Promise<unknown>): Promise<{ status: number; code: number }> {
  return promise.then(
    () => { throw new Error('expected the call to fail'); },
    (err: HttpFailure) => ({ status: err.response.status, code: err.response.data.code }),
  );
}

async function rawGet(emu: Emulator, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.baseUrl}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('OpenAPI', () => {
  const h = useEmulatorHarness();

  it('records a message the SDK creates', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);

    const res = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat_1', ...TEXT } });

    const sent = await emu.waitForMessage((message) => message.chatId === 'oc_chat_1');
    expect(sent).toMatchObject({ appId: app.appId, msgType: 'text', content: TEXT.content });
    expect(res.data?.message_id).toBe(sent.messageId);
  });

  it('puts a reply in the chat of the user message it answers', async () => {
    const { emu, app } = await h.startEmulator();
    await h.connectSdk(emu, app, {});
    await emu.sendUserMessage({ chatId: 'oc_chat_2', chatType: 'group', senderOpenId: 'ou_1',
      text: 'hi', messageId: 'om_user_1' });

    await h.apiClient(emu, app).im.v1.message.reply({
      path: { message_id: 'om_user_1' }, data: TEXT });

    expect(emu.sentMessages({ chatId: 'oc_chat_2' })).toMatchObject([{ replyTo: 'om_user_1' }]);
  });

  it('rejects content given as an object instead of a JSON string (230001)', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);

    const failure = await failureOf(client.request({ method: 'POST',
      url: '/open-apis/im/v1/messages', params: { receive_id_type: 'chat_id' },
      data: { receive_id: 'oc_chat_1', msg_type: 'text', content: { text: 'hello' } } }));

    expect(failure).toEqual({ status: 400, code: 230001 });
  });

  it('patches only interactive messages (230001 for text)', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);
    const created = await client.im.v1.message.create({
      params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_user_1', ...TEXT } });

    const failure = await failureOf(client.im.v1.message.patch({
      path: { message_id: created.data?.message_id ?? '' },
      data: { content: JSON.stringify({ elements: [] }) } }));

    expect(failure).toEqual({ status: 400, code: 230001 });
  });

  it('answers an expired tenant token with 99991663 and HTTP 400', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);
    await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat_1', ...TEXT } });

    emu.expireTenantTokens();
    const failure = await failureOf(client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat_1', ...TEXT } }));

    expect(failure).toEqual({ status: 400, code: 99991663 });
  });

  it('answers a call without Authorization with 99991661', async () => {
    const { emu } = await h.startEmulator();

    const res = await rawGet(emu, '/open-apis/bot/v3/info');

    expect(res).toMatchObject({ status: 400, body: { code: 99991661 } });
  });

  it('fails the next matching call with an injected error, then recovers', async () => {
    const { emu, app } = await h.startEmulator();
    const client = h.apiClient(emu, app);
    const send = () => client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat_1', ...TEXT } });
    emu.injectError({ method: 'POST', path: '/open-apis/im/v1/messages', status: 429,
      body: { code: 99991400, msg: 'request trigger frequency limit' } });

    const failure = await failureOf(send());
    const retry = await send();

    expect(failure).toEqual({ status: 429, code: 99991400 });
    expect(retry.code).toBe(0);
  });

  it('serves the bot profile in a top-level "bot" field', async () => {
    const bot = { openId: 'ou_bot_1', appName: 'OrderBot' };
    const { emu, app } = await h.startEmulator({ bot });
    const client = h.apiClient(emu, app);

    const res = await client.request<{ bot?: object; data?: unknown }>({ method: 'GET',
      url: '/open-apis/bot/v3/info' });

    expect(res.bot).toMatchObject({ open_id: 'ou_bot_1', app_name: 'OrderBot' });
    expect(res.data).toBeUndefined();
  });

  it('keeps app secrets out of the request log', async () => {
    const { emu, app } = await h.startEmulator();

    await h.apiClient(emu, app).im.v1.message.create({
      params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat_1', ...TEXT } });

    const [tokenRequest] = emu.requests({ path: /tenant_access_token/ });
    expect(tokenRequest?.body).toEqual({ app_id: app.appId, app_secret: '[redacted]' });
    expect(JSON.stringify(emu.requests())).not.toContain(app.appSecret);
  });
});
