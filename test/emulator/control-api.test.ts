import { describe, expect, it } from 'vitest';

import type { Emulator } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

async function control(emu: Emulator, method: string, route: string, body?: object) {
  const res = await fetch(`${emu.baseUrl}/__emulator/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('control HTTP API', () => {
  const h = useEmulatorHarness();

  it('pushes an event to the SDK and answers with its ACK record', async () => {
    const { emu, app } = await h.startEmulator();
    const received: unknown[] = [];
    await h.connectSdk(emu, app, { 'im.message.receive_v1': async (data: never) => {
      received.push(data);
    } });
    const payload = emu.buildMessageEvent({ chatId: 'oc_chat_1', chatType: 'p2p',
      senderOpenId: 'ou_user_1', text: 'via control api' });

    const res = await control(emu, 'POST', 'events', { payload });

    expect(res).toMatchObject({ status: 200, body: { code: 200, timedOut: false } });
    expect(received).toHaveLength(1);
  });

  it('lists the connections of an app', async () => {
    const { emu, app } = await h.startEmulator();
    await h.connectSdk(emu, app, {});

    const res = await control(emu, 'GET', `connections?appId=${app.appId}`);

    expect(res.body).toMatchObject([{ appId: app.appId, frozen: false }]);
  });

  it('answers a malformed body with 400 and the offending field', async () => {
    const { emu } = await h.startEmulator();

    const res = await control(emu, 'POST', 'endpoint-failures', { code: 'not a number' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'LARK_E_EMULATOR_CONTROL_BODY' } });
    expect(JSON.stringify(res.body)).toContain('code');
  });

  it('injects an OpenAPI error by path pattern', async () => {
    const { emu, app } = await h.startEmulator();
    await control(emu, 'POST', 'openapi-errors', { pathPattern: '^/open-apis/im/',
      status: 400, body: { code: 230002, msg: 'bot not in chat' } });

    const failure = await h.apiClient(emu, app).im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: 'oc_chat_1', msg_type: 'text', content: '{"text":"x"}' },
    }).catch((err: { response: { data: unknown } }) => err.response.data);

    expect(failure).toEqual({ code: 230002, msg: 'bot not in chat' });
  });

  it('pushes a 1.0 approval event only after the app subscribed its code', async () => {
    const { emu, app } = await h.startEmulator();
    const received: unknown[] = [];
    await h.connectSdk(emu, app, { approval_instance: async (data: never) => {
      received.push(data);
    } });
    const change = { approvalCode: 'AC_1', instanceCode: 'IC_1', status: 'APPROVED' };

    const refused = await control(emu, 'POST', 'approval-instances', change);
    await h.apiClient(emu, app).request({ method: 'POST',
      url: '/open-apis/approval/v4/approvals/AC_1/subscribe' });
    const pushed = await control(emu, 'POST', 'approval-instances', change);

    expect(refused).toMatchObject({ status: 409,
      body: { error: { code: 'LARK_E_EMULATOR_NOT_SUBSCRIBED' } } });
    expect(pushed).toMatchObject({ status: 200,
      body: { code: 200, eventType: 'approval_instance' } });
    expect(received).toHaveLength(1);
    expect((await control(emu, 'GET', 'approval-subscriptions')).body).toEqual(['AC_1']);
  });
});
