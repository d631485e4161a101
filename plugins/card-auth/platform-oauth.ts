import { LarkServiceError } from '../../src/kernel/errors.js';
import type { UserTokenRecord } from '../session-manager/index.js';

const REQUEST_TIMEOUT_MS = 10_000;
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

type JsonObject = Record<string, unknown>;

/** Where the OAuth endpoints live for the configured platform (reference §4.2, §4.4, §4.7). */
export interface OAuthEndpoints {
  /** The accounts host: device authorization and the authorize page. */
  accountsBaseUrl: string;
  /** The OpenAPI host: the v2 token endpoint and user info. */
  openApiBaseUrl: string;
}

export function endpointsFor(domain: string, override?: string): OAuthEndpoints {
  const openApiBaseUrl = domain.replace(/\/+$/, '');
  if (override) return { accountsBaseUrl: override.replace(/\/+$/, ''), openApiBaseUrl };
  const official: Record<string, string> = {
    'https://open.feishu.cn': 'https://accounts.feishu.cn',
    'https://open.larksuite.com': 'https://accounts.larksuite.com',
  };
  return { accountsBaseUrl: official[openApiBaseUrl] ?? openApiBaseUrl, openApiBaseUrl };
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUriComplete: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

/** The v2 token endpoint's success body (reference §4.4). */
export interface IssuedTokens {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken?: string;
  refreshTokenExpiresInSeconds?: number;
  scopes: string[];
}

export type TokenPoll =
  | { kind: 'issued'; tokens: IssuedTokens }
  | { kind: 'error'; error: string; code?: number; status?: number };

export interface AppCredentials {
  appId: string;
  appSecret: string;
}

/**
 * The few OAuth calls card-auth makes, over plain HTTP: the device authorization endpoint is
 * not an OpenAPI path, and the v2 token endpoint takes no Authorization header. Bodies are
 * never logged or put into errors: they carry codes and tokens.
 */
export class PlatformOAuth {
  constructor(
    private readonly endpoints: OAuthEndpoints,
    private readonly app: AppCredentials,
  ) {}

  async startDeviceAuthorization(scopes: readonly string[]): Promise<DeviceAuthorization> {
    const basic = Buffer.from(`${this.app.appId}:${this.app.appSecret}`).toString('base64');
    const url = `${this.endpoints.accountsBaseUrl}/oauth/v1/device_authorization`;
    const { status, body } = await this.post(url,
      { client_id: this.app.appId, scope: scopes.join(' ') }, { authorization: `Basic ${basic}` });
    if (status !== 200 || typeof body['device_code'] !== 'string') {
      throw platformRefused('device authorization', status, body);
    }
    return {
      deviceCode: body['device_code'],
      userCode: String(body['user_code'] ?? ''),
      verificationUriComplete: String(body['verification_uri_complete']
        ?? body['verification_uri'] ?? ''),
      expiresInSeconds: Number(body['expires_in'] ?? 240),
      intervalSeconds: Number(body['interval'] ?? 5),
    };
  }

  pollDeviceToken(deviceCode: string): Promise<TokenPoll> {
    return this.token({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode });
  }

  exchangeCode(code: string, redirectUri: string, codeVerifier: string): Promise<TokenPoll> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri,
      code_verifier: codeVerifier });
  }

  /** `authen/v1/user_info` with the user's token: who actually consented (reference §4.5). */
  async userInfo(accessToken: string): Promise<{ openId: string; name: string }> {
    const res = await fetch(`${this.endpoints.openApiBaseUrl}/open-apis/authen/v1/user_info`, {
      headers: { authorization: `Bearer ${accessToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const data = body['data'] as Record<string, unknown> | undefined;
    if (body['code'] !== 0 || typeof data?.['open_id'] !== 'string') {
      throw platformRefused('user info', res.status, body);
    }
    return { openId: data['open_id'], name: String(data['name'] ?? '') };
  }

  private async token(grant: Record<string, string>): Promise<TokenPoll> {
    const url = `${this.endpoints.openApiBaseUrl}/open-apis/authen/v2/oauth/token`;
    const { status, body } = await this.post(url,
      { ...grant, client_id: this.app.appId, client_secret: this.app.appSecret });
    if (typeof body['access_token'] === 'string') return { kind: 'issued', tokens: tokensOf(body) };
    return { kind: 'error', error: String(body['error'] ?? 'unknown_error'), status,
      ...(typeof body['code'] === 'number' && { code: body['code'] }) };
  }

  private async post(url: string, form: Record<string, string>,
    headers: Record<string, string> = {}): Promise<{ status: number; body: JsonObject }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, body };
  }
}

/** The token part of a vault record for tokens issued at `now` (a grant or a refresh). */
export function tokenFields(tokens: IssuedTokens, now: number): Pick<UserTokenRecord,
  'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'refreshTokenExpiresAt'> {
  return {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: now + tokens.expiresInSeconds * 1000,
    ...(tokens.refreshToken && {
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: now + (tokens.refreshTokenExpiresInSeconds ?? 0) * 1000,
    }),
  };
}

/** The v2 token endpoint's success body (reference §4.4) as the plugins keep it. */
export function tokensOf(body: Record<string, unknown>): IssuedTokens {
  return {
    accessToken: String(body['access_token']),
    expiresInSeconds: Number(body['expires_in'] ?? 7200),
    ...(typeof body['refresh_token'] === 'string' && {
      refreshToken: body['refresh_token'],
      refreshTokenExpiresInSeconds: Number(body['refresh_token_expires_in'] ?? 0),
    }),
    scopes: String(body['scope'] ?? '').split(' ').filter(Boolean),
  };
}

/** Names the step and the platform's code, never the body (it may echo a code or token). */
function platformRefused(step: string, status: number, body: Record<string, unknown>) {
  const code = typeof body['code'] === 'number' ? body['code'] : undefined;
  const error = typeof body['error'] === 'string' ? body['error'] : undefined;
  const hint = code === 20027 ? ': a requested scope is not enabled for the app'
    : code === 20029 ? ': the redirect URL is not registered in the app\'s security settings' : '';
  return new LarkServiceError('LARK_E_AUTH_PLATFORM',
    `the platform refused the ${step} (HTTP ${status}${code ? `, code ${code}` : ''}` +
    `${error ? `, ${error}` : ''})${hint}`, { details: { step, status, code, error } });
}
