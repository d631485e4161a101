import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LarkServiceError } from '../../src/kernel/errors.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { CallbackOutcome, RedirectFlow } from './redirect-flow.js';

export const CALLBACK_PATH = '/oauth/callback';

const PAGES: Record<CallbackOutcome['outcome'], [string, string]> = {
  completed: ['授权完成', 'Authorized. You can close this page and return to Feishu.'],
  declined: ['已拒绝授权', 'You declined. Nothing was granted; you can close this page.'],
  expired: ['授权已过期', 'This request expired. Ask again from Feishu.'],
  failed: ['授权失败', 'The authorization did not complete. Ask again from Feishu.'],
  refused: ['链接无效', 'This link is unknown or was already used. Ask again from Feishu.'],
};

/**
 * The redirect route of the `flow: redirect` option, served by card-auth on its own small
 * listener (loopback by default): it only has to be reachable from users' devices.
 */
export class RedirectListener {
  private server?: Server;

  constructor(
    private readonly flow: () => RedirectFlow,
    private readonly logger: Logger,
  ) {}

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://redirect');
      if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      this.flow().handleCallback(url.searchParams)
        .catch((err: unknown) => {
          this.logger.error({ err }, 'redirect handling failed');
          return { status: 500, outcome: 'failed' } as CallbackOutcome;
        })
        .then((result) => page(res, result));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(new LarkServiceError('LARK_E_AUTH_REDIRECT_LISTEN',
        `card-auth cannot listen on ${host}:${port} for redirects: ${cause.message}; change ` +
        'the options redirect.host / redirect.port', { cause })));
      server.listen(port, host, resolve);
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function page(res: import('node:http').ServerResponse, result: CallbackOutcome): void {
  const [zh, en] = PAGES[result.outcome];
  const html = `<!doctype html><meta charset="utf-8"><title>${en}</title>` +
    `<body data-outcome="${result.outcome}"><h1>${zh}</h1><p>${en}</p></body>`;
  res.writeHead(result.status, { 'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end(html);
}
