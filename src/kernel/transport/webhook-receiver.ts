import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { EventSink } from '../connection.js';
import { LarkServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { verifyWebhookRequest, type WebhookSecurity } from './webhook-verifier.js';

/** Platform payloads are small (a card callback is a few KB); anything larger is not one. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookListenSettings {
  host: string;
  port: number;
  path: string;
  /** The URL the console must point to, when the listener sits behind a proxy. */
  publicUrl?: string;
  security: WebhookSecurity;
}

/**
 * The platform's HTTP event delivery, served on node's own http server. Each verified payload
 * goes to the same sink the long connection feeds (the dispatcher), so claims, fan-out and the
 * card-callback budget are identical. An ordinary event is answered 200 at once (the dispatcher
 * returns before handlers run); a card callback's answer is the response body.
 */
export class WebhookReceiver {
  private readonly server: Server;
  private address: AddressInfo | undefined;

  constructor(
    private readonly settings: WebhookListenSettings,
    private readonly sink: EventSink,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        this.logger.error({ err }, 'webhook request failed');
        if (!res.headersSent) respond(res, 500, { msg: 'internal error' });
      });
    });
  }

  /** The local URL (actual port) or the configured public one. */
  get url(): string {
    if (this.settings.publicUrl) return this.settings.publicUrl;
    const port = this.address?.port ?? this.settings.port;
    const host = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return `http://${host}:${port}${this.settings.path}`;
  }

  get listening(): boolean {
    return this.address !== undefined;
  }

  async listen(): Promise<void> {
    const { host, port } = this.settings;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    }).catch((cause: unknown) => {
      throw new LarkServiceError(
        'LARK_E_WEBHOOK_LISTEN',
        `cannot listen for webhook deliveries on ${host}:${port}: ${(cause as Error).message}; ` +
          'choose a free webhook.port or another webhook.host',
        { cause, details: { host, port } },
      );
    });
    this.address = this.server.address() as AddressInfo;
    this.logger.info({ url: this.url }, 'webhook listener started');
  }

  async close(): Promise<void> {
    if (!this.address) return;
    this.address = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.logger.info('webhook listener stopped');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.settings.path) return this.refuse(res, 404, 'unknown path');
    if (req.method !== 'POST') return this.refuse(res, 405, 'only POST is accepted');
    const rawBody = await readLimited(req);
    if (rawBody === undefined) return this.refuse(res, 413, 'body too large');

    const verdict = verifyWebhookRequest(rawBody, req.headers, this.settings.security,
      this.clock.now());
    if (verdict.kind === 'rejected') return this.refuse(res, verdict.status, verdict.reason);
    if (verdict.kind === 'challenge') {
      this.logger.info('webhook url verification answered');
      return respond(res, 200, { challenge: verdict.challenge });
    }
    let answer: unknown;
    try {
      answer = await this.sink.invoke(verdict.envelope);
    } catch (err) {
      // The dispatcher refuses while the kernel stops; a non-200 makes the platform re-push.
      this.logger.warn({ err }, 'webhook delivery refused; the platform will re-push');
      return respond(res, 503, { msg: 'not accepting events' });
    }
    respond(res, 200, answer ?? {});
  }

  private refuse(res: ServerResponse, status: number, reason: string): void {
    this.logger.warn({ status, reason }, 'webhook request rejected');
    respond(res, status, { msg: reason });
  }
}

async function readLimited(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
