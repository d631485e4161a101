import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from 'pino';

import type { EndpointDiscovery } from './endpoint-discovery.js';
import { headerRecord, readBody, sendJson, type ParsedBody } from './http-io.js';
import type { OpenApiRouter } from './openapi/openapi-router.js';
import type { RequestLog } from './openapi/request-log.js';
import type { RequestLogEntry } from './types.js';

export const DISCOVERY_PATH = '/callback/ws/endpoint';
export const CONTROL_PREFIX = '/__emulator/';
/** The accounts host's OAuth paths (device authorization, verification page), §4.7. */
const OAUTH_PREFIX = '/oauth/';

export interface FrontDoorParts {
  discovery: EndpointDiscovery;
  openApi: OpenApiRouter;
  requestLog: RequestLog;
  control: (req: IncomingMessage, res: ServerResponse, url: URL, body: ParsedBody) =>
    Promise<void>;
  onRequest: (entry: RequestLogEntry) => void;
  logger: Logger;
}

/** Routes every plain HTTP request on the emulator's port to the part that owns its path. */
export function createFrontDoor(parts: FrontDoorParts) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    serve(parts, req, res).catch((err: unknown) => {
      parts.logger.error({ err, path: req.url?.split('?')[0] }, 'request handling failed');
      if (!res.headersSent) sendJson(res, 500, { code: 1, msg: 'emulator internal error' });
    });
  };
}

async function serve(parts: FrontDoorParts, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);

  if (url.pathname.startsWith(CONTROL_PREFIX)) {
    await parts.control(req, res, url, body);
    return;
  }
  if (url.pathname === DISCOVERY_PATH && method === 'POST') {
    record(parts, req, method, url.pathname, body);
    parts.discovery.handle(req, res, body.ok ? body.value : undefined);
    return;
  }
  if (url.pathname.startsWith('/open-apis/') || url.pathname.startsWith(OAUTH_PREFIX)) {
    record(parts, req, method, url.pathname, body);
    const reply = parts.openApi.respond({
      method,
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      body,
    });
    if (reply.reset) {
      req.socket.destroy();
      return;
    }
    sendJson(res, reply.status, reply.body, reply.headers);
    return;
  }
  sendJson(res, 404, { code: 99991201, msg: 'path not found' });
}

function record(parts: FrontDoorParts, req: IncomingMessage, method: string, path: string,
  body: ParsedBody): void {
  const entry = parts.requestLog.add({
    method,
    path,
    headers: headerRecord(req),
    // An unparsable body may still hold a credential, so only its size is kept.
    body: body.ok ? body.value : `[unparsable body, ${body.raw.length} chars]`,
    at: Date.now(),
  });
  parts.onRequest(entry);
}
