import type { IncomingMessage, ServerResponse } from 'node:http';

import { isRecord, sendJson } from './http-io.js';
import { newAccessKey, newDeviceId } from './ids.js';
import type { ResolvedOptions } from './options.js';
import type { TicketBook } from './ticket-book.js';

export type RefuseMode = 'reset' | 'http-503';

export interface EndpointFailure {
  code: number;
  msg?: string;
}

/**
 * `POST /callback/ws/endpoint`: trades app credentials for a one-time WebSocket URL and
 * the ClientConfig (reference §1.1). Also where outages are injected: a refused discovery
 * is a network-level failure (the SDK retries), a scripted `code` is an answered failure
 * (the SDK retries only 1000040343).
 */
export class EndpointDiscovery {
  private refuseMode: RefuseMode | undefined;
  private readonly failures: { failure: EndpointFailure; remaining: number }[] = [];

  constructor(
    private readonly options: ResolvedOptions,
    private readonly tickets: TicketBook,
    private readonly wsBaseUrl: () => string,
  ) {}

  refuse(mode: RefuseMode | undefined): void {
    this.refuseMode = mode;
  }

  get refusing(): RefuseMode | undefined {
    return this.refuseMode;
  }

  fail(failure: EndpointFailure, times: number): void {
    this.failures.push({ failure, remaining: times });
  }

  handle(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (this.refuseMode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (this.refuseMode === 'http-503') {
      sendJson(res, 503, { code: 1, msg: 'service unavailable' });
      return;
    }
    const scripted = this.takeFailure();
    if (scripted) {
      // `data: {}` must be present: without it the SDK's destructuring throws and the
      // failure is treated as retryable, hiding the code under test (reference §1.1).
      sendJson(res, 200, { code: scripted.code, msg: scripted.msg ?? 'failed', data: {} });
      return;
    }
    const appId = this.authenticate(body);
    if (!appId) {
      const code = this.options.discoveryAuthFailedCode;
      sendJson(res, 200, { code, msg: 'auth failed: invalid AppID or AppSecret', data: {} });
      return;
    }
    sendJson(res, 200, {
      code: 0,
      msg: 'ok',
      data: { URL: this.connectUrl(appId), ClientConfig: { ...this.options.clientConfig } },
    });
  }

  /** The numeric service id an app's URL carries; pings echo it as `Frame.service`. */
  serviceId(appId: string): number {
    return 33_554_000 + this.appIndex(appId);
  }

  private connectUrl(appId: string): string {
    // service_id must not be the first parameter: the Node SDK parses the whole URL with
    // querystring, so the first key is unreadable to it (reference §1.2).
    const query = [
      'fpid=1',
      `aid=${this.appIndex(appId) + 1}`,
      `device_id=${newDeviceId()}`,
      `access_key=${newAccessKey()}`,
      `service_id=${this.serviceId(appId)}`,
      `ticket=${this.tickets.issue(appId)}`,
    ].join('&');
    return `${this.wsBaseUrl()}/ws/v2?${query}`;
  }

  private authenticate(body: unknown): string | undefined {
    if (!isRecord(body)) return undefined;
    const app = this.options.apps.find((candidate) => candidate.appId === body['AppID']);
    return app && app.appSecret === body['AppSecret'] ? app.appId : undefined;
  }

  private takeFailure(): EndpointFailure | undefined {
    const next = this.failures[0];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) this.failures.shift();
    return next.failure;
  }

  private appIndex(appId: string): number {
    return this.options.apps.findIndex((app) => app.appId === appId);
  }
}
