import { createDecipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';

import { CARD_CLIENT_ERROR, Emulator, EmulatorErrorCode } from '../../src/emulator/index.js';
import type { EmulatorApp, EmulatorOptions } from '../../src/emulator/types.js';

const APP: EmulatorApp = {
  appId: 'cli_b1b2c3d4e5f60718', appSecret: 'webhook-app-secret',
  verificationToken: 'webhook-verification-token-01', encryptKey: 'webhook-encrypt-key-01',
};
const CLICK = { operatorOpenId: 'ou_user_1', messageId: 'om_card_w1', chatId: 'oc_chat_1',
  value: { op: 'go' } };

interface Captured { headers: IncomingMessage['headers']; body: string }

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startEmulator(options: Partial<EmulatorOptions> = {}, app = APP) {
  const emu = await Emulator.start({ apps: [app], ...options });
  cleanup.push(() => emu.stop());
  return emu;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
}

/** Opens a body as the receiving side does, with node:crypto in the test itself. */
function openBody(body: string): Record<string, any> {
  const outer = JSON.parse(body) as { encrypt?: string };
  if (outer.encrypt === undefined) return outer;
  const sealed = Buffer.from(outer.encrypt, 'base64');
  const key = createHash('sha256').update(APP.encryptKey!).digest();
  const decipher = createDecipheriv('aes-256-cbc', key, sealed.subarray(0, 16));
  const plain = Buffer.concat([decipher.update(sealed.subarray(16)), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as Record<string, any>;
}

/** A bare receiver that records requests and answers with `reply(n)` for the n-th one. */
async function recordingReceiver(reply: (n: number, body: string) => [number, object]) {
  const captured: Captured[] = [];
  const url = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      captured.push({ headers: req.headers, body });
      const parsed = openBody(body);
      const [status, answer] = parsed.type === 'url_verification'
        ? [200, { challenge: parsed.challenge }]
        : reply(captured.length, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return { url, captured };
}

/** The SDK's own webhook adapter: its signature check and cipher judge our format. */
async function sdkReceiver(handles: Record<string, (data: any) => Promise<unknown>>) {
  const dispatcher = new lark.EventDispatcher({
    encryptKey: APP.encryptKey, verificationToken: APP.verificationToken,
    loggerLevel: lark.LoggerLevel.error,
  }).register(handles);
  return serve(lark.adaptDefault('/webhook', dispatcher, { autoChallenge: true }));
}

describe('webhook delivery', () => {
  it('passes the URL check of the SDK adapter and delivers an event it decrypts and verifies', async () => {
    const emu = await startEmulator();
    const seen: { event_id?: string; chat_id?: string }[] = [];
    const url = await sdkReceiver({
      'im.chat.member.bot.added_v1': async (data) => void seen.push(data),
    });
    await emu.setRequestUrl(url);

    const ack = await emu.pushEvent({
      schema: '2.0',
      header: { event_id: 'evt_wh_1', event_type: 'im.chat.member.bot.added_v1',
        create_time: String(Date.now()), app_id: APP.appId, tenant_key: 'tk_1' },
      event: { chat_id: 'oc_chat_1' },
    });

    expect(ack).toMatchObject({ code: 200, connectionId: 'webhook', timedOut: false });
    expect(seen).toMatchObject([{ event_id: 'evt_wh_1', chat_id: 'oc_chat_1' }]);
  });

  it('takes the HTTP response body of a card callback as the callback answer', async () => {
    const emu = await startEmulator();
    const url = await sdkReceiver({
      'card.action.trigger': async (data) => ({
        toast: { type: 'success', content: `ok ${JSON.stringify(data.action.value)}` },
      }),
    });
    await emu.setRequestUrl(url);

    const { ack, response } = await emu.clickCard(CLICK);

    expect(ack.code).toBe(200);
    expect(response).toEqual({ toast: { type: 'success', content: 'ok {"op":"go"}' } });
  });

  it('seals the body and signs it as the platform formulas say, checked with node:crypto', async () => {
    const emu = await startEmulator();
    const { url, captured } = await recordingReceiver(() => [200, {}]);
    await emu.setRequestUrl(url);
    await emu.clickCard(CLICK);

    const { headers, body } = captured[1]!;
    const expected = createHash('sha256').update(String(headers['x-lark-request-timestamp']) +
      String(headers['x-lark-request-nonce']) + APP.encryptKey + body).digest('hex');
    expect(headers['x-lark-signature']).toBe(expected);
    expect(JSON.parse(body)).toEqual({ encrypt: expect.any(String) });
    expect(openBody(body)).toMatchObject({ header: { token: APP.verificationToken } });
  });

  it('sends plaintext without a signature when the app has no encrypt key', async () => {
    const emu = await startEmulator({}, { ...APP, encryptKey: undefined });
    const { url, captured } = await recordingReceiver(() => [200, {}]);
    await emu.setRequestUrl(url);
    await emu.clickCard(CLICK);

    const { headers, body } = captured[1]!;
    expect(headers['x-lark-signature']).toBeUndefined();
    expect(JSON.parse(body)).toMatchObject({
      schema: '2.0', header: { event_type: 'card.action.trigger', token: APP.verificationToken },
    });
  });

  it('refuses to register a URL that does not echo the challenge', async () => {
    const emu = await startEmulator();
    const url = await serve((_req, res) => res.writeHead(200).end('{"challenge":"wrong"}'));

    await expect(emu.setRequestUrl(url)).rejects.toMatchObject({
      code: EmulatorErrorCode.webhookChallenge,
    });
    expect(emu.requestUrl()).toBeUndefined();
  });

  it('re-pushes an event answered with a non-200 status, same event_id, by HTTP', async () => {
    const emu = await startEmulator({ repush: { enabled: true, delaysMs: [20, 20] } });
    const { url, captured } = await recordingReceiver((n) => (n === 2 ? [500, {}] : [200, {}]));
    await emu.setRequestUrl(url);
    const repushed = new Promise((resolve) => emu.once('repush', resolve));

    const first = await emu.pushEvent({ schema: '2.0', header: { event_id: 'evt_wh_retry',
      event_type: 'im.message.message_read_v1', app_id: APP.appId }, event: {} });

    expect(first.code).toBe(500);
    await expect(repushed).resolves.toMatchObject({ attempt: 1, ack: { code: 200 } });
    expect(captured).toHaveLength(3);
    const ids = captured.slice(1).map(({ body }) => openBody(body)['header'].event_id);
    expect(ids).toEqual(['evt_wh_retry', 'evt_wh_retry']);
  });

  it('shows a client error for a card callback answered non-200, and does not re-push it', async () => {
    const emu = await startEmulator({ repush: { enabled: true, delaysMs: [10] } });
    const { url, captured } = await recordingReceiver((n) => (n <= 3 ? [502, {}] : [200, {}]));
    await emu.setRequestUrl(url);

    const { ack } = await emu.clickCard(CLICK);
    // An event failed after the click is re-pushed on the same 10 ms step; timers of equal
    // delay fire in order, so a re-push of the click would have come before it.
    const repushed = new Promise((resolve) => emu.once('repush', resolve));
    await emu.pushEvent({ schema: '2.0', header: { event_id: 'evt_after', event_type: 'x' },
      event: {} });
    await expect(repushed).resolves.toMatchObject({ eventId: 'evt_after' });

    expect(ack).toMatchObject({ code: 502, clientError: CARD_CLIENT_ERROR.nonOkStatus });
    expect(captured.map(({ body }) => openBody(body)['header']?.event_id))
      .toEqual([undefined, ack.eventId, 'evt_after', 'evt_after']);
  });

  it('goes back to the long connection when the subscription mode is switched back', async () => {
    const emu = await startEmulator();
    const { url } = await recordingReceiver(() => [200, {}]);
    await emu.setRequestUrl(url);
    emu.useLongConnection();

    await expect(emu.pushEvent({ schema: '2.0', header: { event_id: 'e', event_type: 'x' },
      event: {} })).rejects.toMatchObject({ code: EmulatorErrorCode.noConnection });
  });

  it('registers a request URL through the control API, and reports a failed URL check', async () => {
    const emu = await startEmulator({}, { ...APP, encryptKey: undefined });
    const { url, captured } = await recordingReceiver(() => [200, {}]);
    const post = (body: object) => fetch(`${emu.baseUrl}/__emulator/webhook`,
      { method: 'POST', body: JSON.stringify(body) });

    const silent = await serve((_req, res) => res.writeHead(500).end('{}'));

    const ok = await post({ url, encryptKey: APP.encryptKey });
    const bad = await post({ url: silent });

    expect(ok.status).toBe(200);
    expect(JSON.parse(captured[0]!.body)).toHaveProperty('encrypt');
    expect(emu.requestUrl()).toBe(url);
    expect(bad.status).toBe(409);
    expect(await bad.json()).toMatchObject({
      error: { code: EmulatorErrorCode.webhookChallenge } });
  });
});
