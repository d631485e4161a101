import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../src/kernel/transport/webhook-receiver.js';
import { captureLogs } from '../support/memory-logger.js';

const TOKEN = 'receiver-verification-token-0001';
const KEY = 'receiver-encrypt-key-0001';

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(answer: (body: unknown) => Promise<unknown>) {
  const logs = captureLogs('debug');
  const received: unknown[] = [];
  receiver = new WebhookReceiver(
    { host: '127.0.0.1', port: 0, path: '/hook',
      security: { verificationToken: TOKEN, encryptKey: KEY, maxClockSkewSeconds: 300 } },
    { invoke: (body) => { received.push(body); return answer(body); } },
    logs.logger,
    { now: () => Date.now() },
  );
  await receiver.listen();
  return { url: receiver.url, logs, received };
}

/** Seals and signs as the platform does, with node:crypto here in the test. */
function platformRequest(payload: object, key = KEY) {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  const sealed = Buffer.concat([iv, cipher.update(JSON.stringify(payload)), cipher.final()]);
  const body = JSON.stringify({ encrypt: sealed.toString('base64') });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'n-' + randomBytes(4).toString('hex');
  const signature = createHash('sha256').update(timestamp + nonce + key + body).digest('hex');
  return {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce, 'x-lark-signature': signature },
  };
}

const CARD = {
  schema: '2.0',
  header: { event_id: 'evt_card_r1', event_type: 'card.action.trigger', token: TOKEN },
  event: { operator: { open_id: 'ou_1' }, action: { value: { op: 'x' } } },
};

describe('webhook receiver over HTTP', () => {
  it('echoes the URL check challenge', async () => {
    const { url, received } = await startReceiver(async () => undefined);
    const res = await fetch(url, platformRequest({ challenge: 'ch-1', token: TOKEN, type: 'url_verification' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'ch-1' });
    expect(received).toHaveLength(0);
  });

  it('hands the decrypted envelope to the sink and returns its answer as the body', async () => {
    const answer = { toast: { type: 'success', content: 'ok' } };
    const { url, received } = await startReceiver(async () => answer);
    const res = await fetch(url, platformRequest(CARD));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(answer);
    expect(received).toEqual([CARD]);
  });

  it('answers 401 to a bad signature and logs the reason without any secret', async () => {
    const { url, logs, received } = await startReceiver(async () => undefined);
    const request = platformRequest(CARD);
    request.headers['x-lark-signature'] = '0'.repeat(64);
    const res = await fetch(url, request);
    expect(res.status).toBe(401);
    expect(received).toHaveLength(0);
    const line = logs.lines().find((l) => l['msg'] === 'webhook request rejected');
    expect(line).toMatchObject({ status: 401, reason: 'signature mismatch' });
    expect(logs.text()).not.toContain(KEY);
    expect(logs.text()).not.toContain(TOKEN);
  });

  it('answers 401 to a payload sealed with another key and a wrong token', async () => {
    const { url, received } = await startReceiver(async () => undefined);
    const forged = platformRequest({ ...CARD, header: { ...CARD.header, token: 'guess' } });
    expect((await fetch(url, forged)).status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it('answers 404 on another path and 405 to a GET', async () => {
    const { url } = await startReceiver(async () => undefined);
    expect((await fetch(url.replace('/hook', '/other'), platformRequest(CARD))).status).toBe(404);
    expect((await fetch(url)).status).toBe(405);
  });

  it('answers 503 when the dispatcher refuses, so the platform re-pushes', async () => {
    const { url } = await startReceiver(async () => {
      throw new Error('kernel is shutting down');
    });
    expect((await fetch(url, platformRequest(CARD))).status).toBe(503);
  });
});
