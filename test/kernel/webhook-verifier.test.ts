import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhookRequest, type WebhookSecurity } from '../../src/kernel/transport/webhook-verifier.js';

// Vectors are built here with node:crypto straight from the platform's formulas, not with the
// code under test: key = sha256(encryptKey), AES-256-CBC, IV prepended, base64; signature =
// hex(sha256(timestamp + nonce + encryptKey + body)).
const TOKEN = 'vT0kenVerif1cation000000000000ab';
const KEY = 'test-encrypt-key-1';
const NOW_MS = 1_733_300_000_000;
const NOW_S = String(NOW_MS / 1000);
const SECURITY: WebhookSecurity = { verificationToken: TOKEN, encryptKey: KEY, maxClockSkewSeconds: 300 };

const EVENT = {
  schema: '2.0',
  header: { event_id: 'evt_w_1', event_type: 'im.message.receive_v1', token: TOKEN,
    create_time: '1733300000123', app_id: 'cli_a1b2c3d4e5f60718', tenant_key: 'tk_1' },
  event: { message: { message_id: 'om_1', chat_id: 'oc_1' } },
};

function seal(plaintext: string, key = KEY, iv = Buffer.alloc(16, 7)): string {
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

function signed(body: string, timestamp = NOW_S, nonce = 'nonce-1', key = KEY) {
  const signature = createHash('sha256').update(timestamp + nonce + key + body).digest('hex');
  return {
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': signature,
  };
}

const encryptedBody = (payload: object) => JSON.stringify({ encrypt: seal(JSON.stringify(payload)) });

describe('webhook request verification', () => {
  it('decrypts a signed, encrypted event to the plaintext envelope', () => {
    const body = encryptedBody(EVENT);
    const verdict = verifyWebhookRequest(body, signed(body), SECURITY, NOW_MS);
    expect(verdict).toEqual({ kind: 'envelope', envelope: EVENT });
  });

  it('decrypts a fixed vector produced by openssl enc -aes-256-cbc', () => {
    // openssl enc -aes-256-cbc -K $(printf %s test-encrypt-key-1 | sha256) -iv 07…07, IV
    // prepended, base64: an implementation independent of node's and of the SDK's.
    const sealed = 'BwcHBwcHBwcHBwcHBwcHB711abwnauep7SKz5HETcPFyIOWwVg/9WWqtH8alJ/8/99S1yw2jICE' +
      'cuOPvQm252bQlR6a+Im4BpF0nseyysyW3jcohcNdGn+WuykESS5oRnH6nEdaf9sGiRCCsM5/E6w==';
    const verdict = verifyWebhookRequest(JSON.stringify({ encrypt: sealed }), {}, SECURITY, NOW_MS);
    expect(verdict).toEqual({ kind: 'challenge', challenge: 'c1' });
  });

  it('accepts a signature vector produced by openssl dgst -sha256', () => {
    const body = '{"schema":"2.0","header":{"event_id":"e1","event_type":"x","token":"' + TOKEN +
      '"},"event":{}}';
    // printf %s "1733300000nonce-1test-encrypt-key-1$body" | openssl dgst -sha256
    const headers = {
      'x-lark-request-timestamp': '1733300000',
      'x-lark-request-nonce': 'nonce-1',
      'x-lark-signature': '856a4e37f88e5624701e57e7150880827667e501e41fbd8e2b6df082d04338b0',
    };
    expect(verifyWebhookRequest(body, headers, SECURITY, NOW_MS).kind).toBe('envelope');
    const tampered = { ...headers, 'x-lark-request-nonce': 'nonce-2' };
    expect(verifyWebhookRequest(body, tampered, SECURITY, NOW_MS).kind).toBe('rejected');
  });

  it('answers a plaintext URL check when no encrypt key is configured', () => {
    const body = JSON.stringify({ challenge: 'abc', token: TOKEN, type: 'url_verification' });
    const security = { verificationToken: TOKEN, maxClockSkewSeconds: 300 };
    expect(verifyWebhookRequest(body, {}, security, NOW_MS))
      .toEqual({ kind: 'challenge', challenge: 'abc' });
  });

  it('refuses a URL check carrying the wrong verification token', () => {
    const body = JSON.stringify({ challenge: 'abc', token: 'wrong', type: 'url_verification' });
    expect(verifyWebhookRequest(body, {}, SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 401, reason: 'verification token mismatch' });
  });

  it('refuses an event whose signature does not match the body', () => {
    const body = encryptedBody(EVENT);
    const headers = signed(body, NOW_S, 'nonce-1', 'another-key');
    expect(verifyWebhookRequest(body, headers, SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 401, reason: 'signature mismatch' });
  });

  it('refuses an event whose body was altered after signing', () => {
    const body = encryptedBody(EVENT);
    const headers = signed(body);
    const altered = encryptedBody({ ...EVENT, header: { ...EVENT.header, event_id: 'evt_other' } });
    expect(verifyWebhookRequest(altered, headers, SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 401, reason: 'signature mismatch' });
  });

  it('refuses an event without signature headers when an encrypt key is configured', () => {
    const body = encryptedBody(EVENT);
    expect(verifyWebhookRequest(body, {}, SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 401, reason: 'signature headers missing' });
  });

  it('refuses a correctly signed event whose timestamp is older than the allowed skew', () => {
    const body = encryptedBody(EVENT);
    const old = String(NOW_MS / 1000 - 301);
    expect(verifyWebhookRequest(body, signed(body, old), SECURITY, NOW_MS)).toMatchObject({
      kind: 'rejected', status: 401, reason: 'request timestamp outside the allowed clock skew',
    });
  });

  it('accepts a signed event inside the allowed skew', () => {
    const body = encryptedBody(EVENT);
    const recent = String(NOW_MS / 1000 - 299);
    expect(verifyWebhookRequest(body, signed(body, recent), SECURITY, NOW_MS).kind).toBe('envelope');
  });

  it('refuses a signed event carrying the wrong verification token', () => {
    const body = encryptedBody({ ...EVENT, header: { ...EVENT.header, token: 'not-the-token' } });
    expect(verifyWebhookRequest(body, signed(body), SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 401, reason: 'verification token mismatch' });
  });

  it('checks a schema 1.0 event by its top-level token', () => {
    const v1 = { ts: '1733300300.1', uuid: 'u1', token: TOKEN, type: 'event_callback',
      event: { type: 'approval_instance' } };
    const security = { verificationToken: TOKEN, maxClockSkewSeconds: 300 };
    expect(verifyWebhookRequest(JSON.stringify(v1), {}, security, NOW_MS))
      .toEqual({ kind: 'envelope', envelope: v1 });
    const forged = JSON.stringify({ ...v1, token: 'x' });
    expect(verifyWebhookRequest(forged, {}, security, NOW_MS).kind).toBe('rejected');
  });

  it('refuses a payload that does not decrypt with the configured key', () => {
    const body = JSON.stringify({ encrypt: seal(JSON.stringify(EVENT), 'some-other-key') });
    expect(verifyWebhookRequest(body, signed(body), SECURITY, NOW_MS)).toMatchObject({
      kind: 'rejected', status: 400, reason: 'payload does not decrypt with webhook.encryptKey',
    });
  });

  it('refuses an encrypted payload when no encrypt key is configured', () => {
    const security = { verificationToken: TOKEN, maxClockSkewSeconds: 300 };
    expect(verifyWebhookRequest(encryptedBody(EVENT), {}, security, NOW_MS)).toMatchObject({
      kind: 'rejected', status: 400,
    });
  });

  it('refuses a body that is not JSON', () => {
    expect(verifyWebhookRequest('not json', {}, SECURITY, NOW_MS))
      .toMatchObject({ kind: 'rejected', status: 400 });
  });
});
