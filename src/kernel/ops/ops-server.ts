import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LarkServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Readiness } from './readiness.js';

export interface OpsSettings {
  host: string;
  port: number;
}

export interface OpsHandlers {
  readiness(): Promise<Readiness>;
  metrics(): Promise<{ contentType: string; text: string }>;
}

/**
 * The operations listener: `/healthz` (the process answers), `/readyz` (the kernel can do
 * its job; 503 otherwise, with the reasons) and `/metrics` (Prometheus text format).
 */
export class OpsServer {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async listen(
    settings: OpsSettings,
    handlers: OpsHandlers,
    logger: Logger,
  ): Promise<OpsServer> {
    const server = http.createServer((req, res) => {
      route(req, res, handlers).catch((err: unknown) => {
        logger.error({ err, path: req.url }, 'operations request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    await bind(server, settings);
    const { port } = server.address() as AddressInfo;
    const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
    const ops = new OpsServer(server, `http://${host}:${port}`);
    logger.info({ url: ops.url }, 'operations listener ready');
    return ops;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: OpsHandlers,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  switch (path) {
    case '/healthz':
      sendJson(res, 200, { status: 'alive' });
      return;
    case '/readyz': {
      const readiness = await handlers.readiness();
      sendJson(res, readiness.ready ? 200 : 503, readiness);
      return;
    }
    case '/metrics': {
      const { contentType, text } = await handlers.metrics();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    default:
      sendJson(res, 404, { error: 'not found; try /healthz, /readyz or /metrics' });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function bind(server: http.Server, settings: OpsSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException) => {
      reject(new LarkServiceError(
        'LARK_E_OPS_LISTEN',
        `the operations listener cannot listen on ${settings.host}:${settings.port} ` +
          `(${cause.code}); ` +
          'choose a free ops.port, stop the process using it, or fix ops.host',
        { cause, details: { host: settings.host, port: settings.port } },
      ));
    };
    server.once('error', onError);
    server.listen(settings.port, settings.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
