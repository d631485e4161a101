import type { IncomingHttpHeaders } from 'node:http';
import {
  decryptPayload, requestSignature, sameSecret, SIGNATURE_HEADERS,
} from './webhook-crypto.js';

export interface WebhookSecurity {
  /** The app's Verification Token; every payload carries it. */
  verificationToken: string;
  /** The console's Encrypt Key; when set, payloads may be encrypted and must be signed. */
  encryptKey?: string;
  /** Signed requests older (or newer) than this are refused as replays. */
  maxClockSkewSeconds: number;
}

export type WebhookVerdict =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'envelope'; envelope: Record<string, unknown> }
  | { kind: 'rejected'; status: 400 | 401; reason: string };

type Json = Record<string, unknown>;

/**
 * Judges one HTTP delivery: decrypts it, answers the console's URL check, then checks the
 * signature (when an Encrypt Key is set) and the verification token. Reasons never quote a
 * secret or the request's own signature.
 */
export function verifyWebhookRequest(
  rawBody: string,
  headers: IncomingHttpHeaders,
  security: WebhookSecurity,
  nowMs: number,
): WebhookVerdict {
  // A signed request is judged before anything is decrypted, so forgeries cost nothing.
  const signed = security.encryptKey !== undefined && hasSignature(headers);
  if (signed) {
    const problem = signatureProblem(rawBody, headers, security, nowMs);
    if (problem) return reject(401, problem);
  }
  const opened = openBody(rawBody, security.encryptKey);
  if ('reason' in opened) return reject(400, opened.reason);
  const body = opened.body;

  // The URL check is answered on the token alone, as the SDK's own adapters do: whether the
  // platform signs it is not documented.
  if (body['type'] === 'url_verification') {
    if (!tokenMatches(body['token'], security)) return reject(401, 'verification token mismatch');
    const challenge = body['challenge'];
    if (typeof challenge !== 'string') return reject(400, 'url_verification without challenge');
    return { kind: 'challenge', challenge };
  }
  if (security.encryptKey !== undefined && !signed) return reject(401, 'signature headers missing');
  if (!tokenMatches(tokenOf(body), security)) return reject(401, 'verification token mismatch');
  return { kind: 'envelope', envelope: body };
}

function hasSignature(headers: IncomingHttpHeaders): boolean {
  return Object.values(SIGNATURE_HEADERS).some((name) => headers[name] !== undefined);
}

function openBody(rawBody: string, encryptKey?: string): { body: Json } | { reason: string } {
  const outer = parseObject(rawBody);
  if (!outer) return { reason: 'body is not a JSON object' };
  const { encrypt, ...rest } = outer;
  if (encrypt === undefined) return { body: outer };
  if (!encryptKey) return { reason: 'payload is encrypted but webhook.encryptKey is not set' };
  if (typeof encrypt !== 'string') return { reason: 'encrypt is not a string' };
  let inner: Json | undefined;
  try {
    inner = parseObject(decryptPayload(encryptKey, encrypt));
  } catch {
    inner = undefined;
  }
  if (!inner) return { reason: 'payload does not decrypt with webhook.encryptKey' };
  return { body: { ...inner, ...rest } };
}

function signatureProblem(
  rawBody: string,
  headers: IncomingHttpHeaders,
  security: WebhookSecurity,
  nowMs: number,
): string | undefined {
  const timestamp = single(headers[SIGNATURE_HEADERS.timestamp]);
  const nonce = single(headers[SIGNATURE_HEADERS.nonce]);
  const signature = single(headers[SIGNATURE_HEADERS.signature]);
  if (!timestamp || nonce === undefined || !signature) return 'signature headers missing';
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    return 'request timestamp is not a number of seconds';
  }
  if (Math.abs(nowMs / 1000 - seconds) > security.maxClockSkewSeconds) {
    return 'request timestamp outside the allowed clock skew';
  }
  const expected = requestSignature(timestamp, nonce, security.encryptKey!, rawBody);
  return sameSecret(expected, signature.toLowerCase()) ? undefined : 'signature mismatch';
}

/** Schema 2.0 keeps the token in `header`; schema 1.0 and the URL check at the top level. */
function tokenOf(body: Json): unknown {
  const header = body['header'];
  if (typeof header === 'object' && header !== null && 'token' in header) {
    return (header as Json)['token'];
  }
  return body['token'];
}

function tokenMatches(token: unknown, security: WebhookSecurity): boolean {
  return typeof token === 'string' && sameSecret(security.verificationToken, token);
}

function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reject(status: 400 | 401, reason: string): WebhookVerdict {
  return { kind: 'rejected', status, reason };
}
