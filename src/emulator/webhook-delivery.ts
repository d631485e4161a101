import { request, type ClientRequest } from 'node:http';
import type { Logger } from 'pino';

import { EmulatorError, EmulatorErrorCode } from './errors.js';
import { isRecord } from './http-io.js';
import { randomHex } from './ids.js';
import type { ResolvedOptions } from './options.js';
import { encryptBody, signBody } from './webhook-signing.js';

type ResolvedApp = ResolvedOptions['apps'][number];

/** What came back from one HTTP delivery; status 0 when no HTTP answer came at all. */
export interface WebhookReply {
  requestId: string;
  status: number;
  body?: unknown;
  rawBody: string;
  headers: Record<string, string>;
  timedOut: boolean;
  latencyMs: number;
}

/**
 * The platform's HTTP event delivery ("send events to a request URL" in the console). An
 * app whose request URL is registered gets its events and card callbacks POSTed there instead
 * of over the long connection; registering runs the console's URL check (`url_verification`
 * challenge) first. With an Encrypt Key the body is sealed and signed (webhook-signing.ts).
 */
export class WebhookDelivery {
  private readonly urls = new Map<string, string>();
  private readonly encryptKeys = new Map<string, string>();
  private readonly inFlight = new Set<ClientRequest>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {
    for (const app of options.apps) {
      if (app.encryptKey) this.encryptKeys.set(app.appId, app.encryptKey);
    }
  }

  urlOf(appId: string): string | undefined {
    return this.urls.get(appId);
  }

  /** The console's Encrypt Key; undefined turns encryption and signatures off. */
  setEncryptKey(appId: string, encryptKey: string | undefined): void {
    if (encryptKey) this.encryptKeys.set(appId, encryptKey);
    else this.encryptKeys.delete(appId);
  }

  /** Saves the request URL as the console does: only once it echoes the challenge. */
  async register(app: ResolvedApp, url: string): Promise<void> {
    const challenge = randomHex(36);
    const reply = await this.post(url, app.appId, {
      challenge, token: app.verificationToken, type: 'url_verification',
    });
    const echoed = isRecord(reply.body) ? reply.body['challenge'] : undefined;
    if (reply.status !== 200 || echoed !== challenge) {
      throw new EmulatorError(EmulatorErrorCode.webhookChallenge,
        `request URL ${url} failed the URL check for ${app.appId} (HTTP ${reply.status}, ` +
        `${reply.timedOut ? 'timed out' : 'challenge not echoed'}); fix the receiver first`);
    }
    this.urls.set(app.appId, url);
    this.logger.info({ appId: app.appId, url }, 'webhook request url registered');
  }

  /** Back to the long connection, as when the console's subscription mode is switched. */
  useLongConnection(appId: string): void {
    this.urls.delete(appId);
  }

  /** POSTs one payload, filling the verification token the platform always sends. */
  deliver(app: ResolvedApp, payload: object): Promise<WebhookReply> {
    const url = this.urls.get(app.appId);
    if (!url) {
      throw new EmulatorError(EmulatorErrorCode.unknownApp, `app ${app.appId} has no request URL`);
    }
    return this.post(url, app.appId, withVerificationToken(payload, app.verificationToken));
  }

  stop(): void {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }

  private post(url: string, appId: string, payload: object): Promise<WebhookReply> {
    return new Promise<WebhookReply>((resolve) => {
      const { body, headers } = this.seal(appId, payload);
      const requestId = randomHex(32);
      const sentAt = Date.now();
      const done = (reply: Omit<WebhookReply, 'requestId' | 'latencyMs'>) => {
        this.inFlight.delete(req);
        resolve({ ...reply, requestId, latencyMs: Date.now() - sentAt });
      };
      const req = request(url, {
        method: 'POST', headers, agent: false, timeout: this.options.ackTimeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const rawBody = Buffer.concat(chunks).toString('utf8');
          done({ status: res.statusCode ?? 0, rawBody, body: parseJson(rawBody),
            headers: flatHeaders(res.headers), timedOut: false });
        });
        res.on('error', () => done({ status: 0, rawBody: '', headers: {}, timedOut: false }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => done({ status: 0, rawBody: '', headers: {},
        timedOut: err.message === 'timed out' }));
      this.inFlight.add(req);
      req.end(body);
    });
  }

  private seal(appId: string, payload: object) {
    const encryptKey = this.encryptKeys.get(appId);
    const plain = JSON.stringify(payload);
    const body = encryptKey ? JSON.stringify({ encrypt: encryptBody(encryptKey, plain) }) : plain;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomHex(16);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
    };
    if (encryptKey) headers['x-lark-signature'] = signBody(timestamp, nonce, encryptKey, body);
    return { body, headers };
  }
}

function withVerificationToken(payload: object, token: string): object {
  if (!isRecord(payload)) return payload;
  const header = payload['header'];
  if (isRecord(header)) {
    return header['token'] === undefined ? { ...payload, header: { ...header, token } } : payload;
  }
  return payload['token'] === undefined ? { ...payload, token } : payload;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text === '' ? undefined : text;
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
