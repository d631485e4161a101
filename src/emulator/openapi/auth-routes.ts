import { isRecord } from '../http-io.js';
import type { OpenApiState, Route, RouteCall } from './route.js';
import { PlatformCode, type Reply } from './platform-errors.js';

/**
 * Self-built app tokens (reference §4.1). Fields are top level, not under `data`.
 * Credential errors answer HTTP 200 with a non-zero code, as field reports describe; the
 * exact codes (10003, 10014) are not in the reference.
 */
function checkCredentials(body: unknown, state: OpenApiState): Reply | string {
  if (!isRecord(body) || typeof body['app_id'] !== 'string'
    || typeof body['app_secret'] !== 'string') {
    return { status: 200, body: { code: PlatformCode.invalidParam, msg: 'invalid param' } };
  }
  const app = state.options.apps.find((candidate) => candidate.appId === body['app_id']);
  if (!app) {
    return { status: 200, body: { code: PlatformCode.invalidParam, msg: 'app_id not found' } };
  }
  if (app.appSecret !== body['app_secret']) {
    const code = PlatformCode.appSecretInvalid;
    return { status: 200, body: { code, msg: 'app secret invalid' } };
  }
  return app.appId;
}

function tenantAccessToken(call: RouteCall, state: OpenApiState): Reply {
  const appId = checkCredentials(call.body, state);
  if (typeof appId !== 'string') return appId;
  const { token, expireSeconds } = state.tenantTokens.obtain(appId);
  return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token,
    expire: expireSeconds } };
}

/** The doc sample returns the same value for both tokens; the emulator does the same. */
function appAccessToken(call: RouteCall, state: OpenApiState): Reply {
  const appId = checkCredentials(call.body, state);
  if (typeof appId !== 'string') return appId;
  const { token, expireSeconds } = state.tenantTokens.obtain(appId);
  return { status: 200, body: { code: 0, msg: 'ok', app_access_token: token,
    tenant_access_token: token, expire: expireSeconds } };
}

export const authRoutes: Route[] = [
  { method: 'POST', pattern: /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/,
    auth: false, handle: tenantAccessToken },
  { method: 'POST', pattern: /^\/open-apis\/auth\/v3\/app_access_token\/internal$/,
    auth: false, handle: appAccessToken },
];
