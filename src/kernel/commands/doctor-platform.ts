import axios, { type AxiosRequestConfig } from 'axios';
import type { LarkAppSettings } from '../lark-client.js';
import type { CheckResult } from './doctor-report.js';

const TIMEOUT_MS = 10_000;
const CONNECTION_LIMIT = 50;

/** The platform checks share what the credentials check obtained. */
export interface PlatformSession {
  app: LarkAppSettings;
  baseUrl: string;
  tenantToken?: string;
}

export function platformBaseUrl(domain: string): string {
  if (domain === 'feishu') return 'https://open.feishu.cn';
  if (domain === 'lark') return 'https://open.larksuite.com';
  return domain.replace(/\/+$/, '');
}

/** A tenant token fetch (reference §4.1): the one sure proof the app id and secret match. */
export async function checkCredentials(session: PlatformSession): Promise<CheckResult> {
  const name = 'credentials';
  const { app } = session;
  const reply = await post(`${session.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    app_id: app.appId,
    app_secret: app.appSecret,
  });
  if ('error' in reply) return unreachable(name, session.baseUrl, reply.error);
  const { code, msg, tenant_access_token: token, expire } = reply.body;
  if (code === 0 && typeof token === 'string') {
    session.tenantToken = token;
    const detail = `a tenant token was issued to ${app.appId} (valid ${expire} s)`;
    return { name, status: 'ok', detail };
  }
  return {
    name,
    status: 'fail',
    detail: `the platform refused the credentials of ${app.appId}: ` +
      describeCode(reply.status, code, msg),
    fix: 'copy App ID and App Secret from the developer console (Credentials & Basic Info) into ' +
      'app.appId and app.appSecret; a reset secret invalidates the old one',
  };
}

/** The long-connection endpoint discovery (reference §1.1), as the SDK performs it. */
export async function checkDiscovery(session: PlatformSession): Promise<CheckResult> {
  const name = 'endpoint discovery';
  const { app } = session;
  const reply = await post(`${session.baseUrl}/callback/ws/endpoint`, {
    AppID: app.appId,
    AppSecret: app.appSecret,
  }, { locale: 'zh' });
  if ('error' in reply) return unreachable(name, session.baseUrl, reply.error);
  const { code, msg, data } = reply.body as { code?: unknown; msg?: unknown; data?: DiscoveryData };
  if (code === 0 && typeof data?.URL === 'string') {
    // The URL carries an access key and a ticket: only its host is shown.
    const config = data.ClientConfig ?? {};
    return {
      name,
      status: 'ok',
      detail: `the long connection would open to ${hostOf(data.URL)} (ping every ` +
        `${config.PingInterval ?? '?'} s, reconnect count ${config.ReconnectCount ?? '?'})`,
    };
  }
  const detail = describeCode(reply.status, code, msg);
  return { name, status: 'fail', detail, fix: discoveryFix(code) };
}

/**
 * How many long connections the platform counts for the app right now. The discovery answer
 * carries no such number; `GET /open-apis/event/v1/connection` is asked, and when the platform
 * (or the emulator) does not answer it, the check says it could not be made.
 */
export async function checkLiveConnections(session: PlatformSession): Promise<CheckResult> {
  const name = 'live connections';
  if (!session.tenantToken) {
    const detail = 'not possible without a tenant token (see credentials)';
    return { name, status: 'skip', detail };
  }
  const reply = await request(`${session.baseUrl}/open-apis/event/v1/connection`, {
    headers: { authorization: `Bearer ${session.tenantToken}` },
  });
  const count = 'body' in reply ? readCount(reply.body) : undefined;
  if (count === undefined) {
    const why = 'error' in reply
      ? reply.error
      : describeCode(reply.status, reply.body.code, reply.body.msg);
    const detail = `not possible: the platform did not report a count (${why})`;
    return { name, status: 'skip', detail };
  }
  if (count >= CONNECTION_LIMIT) {
    return {
      name,
      status: 'fail',
      detail: `the platform counts ${count} live connections for ${session.app.appId}, the maximum`,
      fix: 'stop other instances, staging copies or old processes of this app; ' +
        'another connection will be refused',
    };
  }
  const note = count > 0 ? '; each receives a random share of the events' : '';
  return { name, status: 'ok', detail: `the platform counts ${count} live connection(s)${note}` };
}

interface DiscoveryData {
  URL?: unknown;
  ClientConfig?: { PingInterval?: number; ReconnectCount?: number };
}

type Reply = { status: number; body: Record<string, unknown> } | { error: string };

function post(url: string, body: object, headers: Record<string, string> = {}): Promise<Reply> {
  return request(url, { method: 'POST', headers, data: body });
}

/** Through axios, as the SDK's own calls go, so the same proxy settings apply. */
async function request(url: string, init: AxiosRequestConfig): Promise<Reply> {
  try {
    const response = await axios.request({
      url,
      timeout: TIMEOUT_MS,
      validateStatus: () => true,
      responseType: 'text',
      ...init,
    });
    return { status: response.status, body: parseObject(String(response.data)) };
  } catch (err) {
    return { error: (err as { code?: string }).code ?? (err as Error).name };
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function readCount(body: Record<string, unknown>): number | undefined {
  const count = (body.data as { online_instance_cnt?: unknown } | undefined)?.online_instance_cnt;
  return body.code === 0 && typeof count === 'number' ? count : undefined;
}

function describeCode(status: number, code: unknown, msg: unknown): string {
  const text = typeof msg === 'string' && msg ? `: ${msg}` : '';
  return code === undefined ? `HTTP ${status}` : `HTTP ${status}, code ${String(code)}${text}`;
}

function discoveryFix(code: unknown): string {
  switch (code) {
    case 1000040350:
      return 'the app holds the maximum of 50 long connections: stop other instances of it';
    case 1:
    case 1000040343:
      return 'the platform is busy; run doctor again in a minute';
    default:
      return 'check app.appId and app.appSecret, and that the app is a self-built app with ' +
        '"persistent connection" chosen for events and callbacks in the developer console';
  }
}

function unreachable(name: string, baseUrl: string, error: string): CheckResult {
  return {
    name,
    status: 'fail',
    detail: `cannot reach ${baseUrl} (${error})`,
    fix: 'check app.domain, the network, DNS and any HTTPS_PROXY between this host and ' +
      'the platform',
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparseable URL';
  }
}
