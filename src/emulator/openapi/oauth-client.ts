import { isRecord } from '../http-io.js';
import { OAuthCode, oauthFailure, type OAuthFailure } from '../oauth/oauth-errors.js';
import type { OpenApiState, RouteCall } from './route.js';

/**
 * The calling app of an OAuth request: `client_id` + `client_secret` in the body, or HTTP
 * Basic `app_id:app_secret` (the device authorization endpoint accepts both, reference §4.7).
 */
export function authenticateClient(call: RouteCall, state: OpenApiState): string | OAuthFailure {
  const body = isRecord(call.body) ? call.body : {};
  const basic = basicCredentials(call.headers?.authorization);
  const clientId = basic?.id ?? body['client_id'];
  const secret = basic?.secret ?? body['client_secret'];
  if (typeof clientId !== 'string' || typeof secret !== 'string') {
    return oauthFailure(OAuthCode.missingParameter, 'invalid_request',
      'client_id and client_secret are required');
  }
  const app = state.options.apps.find((candidate) => candidate.appId === clientId);
  if (!app) return oauthFailure(OAuthCode.appNotFound, 'invalid_client', 'app does not exist');
  if (app.appSecret !== secret) {
    return oauthFailure(OAuthCode.clientSecretInvalid, 'invalid_client', 'client secret invalid');
  }
  return app.appId;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function scopesOf(value: unknown): string[] {
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : [];
}

/** The signed-in user of a browser visit: the emulator's cookie, else the scripted user. */
export function visitorOf(call: RouteCall, state: OpenApiState): string | undefined {
  const cookie = /(?:^|;\s*)lark_emulator_open_id=([^;]+)/.exec(call.headers?.cookie ?? '');
  return cookie?.[1] ? decodeURIComponent(cookie[1]) : state.oauth.consent.signedInUser();
}
