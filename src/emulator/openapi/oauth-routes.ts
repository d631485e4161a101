import { isRecord } from '../http-io.js';
import { stableHex } from '../ids.js';
import type { DeviceScript } from '../oauth/device-grants.js';
import { OAuthCode } from '../oauth/oauth-errors.js';
import { authenticateClient, scopesOf, visitorOf } from './oauth-client.js';
import { ok, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

export const VERIFICATION_PATH = '/oauth/v1/device/verify';

/** `POST /oauth/v1/device_authorization` (reference §4.7, RFC 8628 field names). */
function deviceAuthorization(call: RouteCall, state: OpenApiState): Reply {
  const appId = authenticateClient(call, state);
  if (typeof appId !== 'string') {
    return { status: 400, body: { error: appId.error, error_description: appId.description } };
  }
  const body = isRecord(call.body) ? call.body : {};
  const grant = state.oauth.deviceGrants.issue(appId, scopesOf(body['scope']));
  const verificationUri = `${state.oauth.baseUrl()}${VERIFICATION_PATH}`;
  return { status: 200, body: {
    device_code: grant.deviceCode,
    user_code: grant.userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${grant.userCode}`,
    expires_in: Math.round((grant.expiresAt - grant.issuedAt) / 1000),
    interval: grant.intervalSeconds,
  } };
}

/**
 * The verification page as the signed-in user opens it inside Feishu: what that user does
 * there is their consent script (consent as themselves unless scripted otherwise).
 */
function verificationPage(call: RouteCall, state: OpenApiState): Reply {
  const grant = state.oauth.deviceGrants.find({ userCode: call.query.get('user_code') ?? '' });
  if (!grant) return page(404, 'invalid_user_code', 'this code is unknown or was already used');
  const visitor = visitorOf(call, state);
  if (!visitor) return page(401, 'login_required', 'no user is signed in to the emulator');
  grant.visitedBy = visitor;
  const decision = state.oauth.consent.decisionOf(visitor);
  state.oauth.deviceGrants.script(grant, decision);
  return page(200, 'ok', `${visitor} chose ${decision.outcome}`);
}

/**
 * `GET /open-apis/authen/v1/authorize` (reference §4.2): redirects at once, as the consent
 * page inside Feishu does for a user who agrees; a scripted refusal redirects with
 * `error=access_denied`; a user who does nothing leaves the page open.
 */
function authorizePage(call: RouteCall, state: OpenApiState): Reply {
  const q = call.query;
  const app = state.options.apps.find((candidate) => candidate.appId === q.get('client_id'));
  if (!app) return page(400, String(OAuthCode.appNotFound), 'client_id is not a known app');
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!redirectUri || !state.oauth.redirectUriAllowed(redirectUri)) {
    return page(400, String(OAuthCode.redirectUriNotAllowed), 'redirect_uri is not allowed');
  }
  const method = q.get('code_challenge_method') ?? 'plain';
  if (q.get('response_type') !== 'code' || (method !== 'S256' && method !== 'plain')) {
    return page(400, 'invalid_request', 'response_type must be code; method S256 or plain');
  }
  const visitor = visitorOf(call, state);
  if (!visitor) return page(401, 'login_required', 'no user is signed in to the emulator');
  const decision = state.oauth.consent.decisionOf(visitor);
  return consentRedirect(call, state, { appId: app.appId, redirectUri, visitor, decision,
    method: method as 'S256' | 'plain' });
}

interface ConsentInput {
  appId: string;
  redirectUri: string;
  visitor: string;
  decision: DeviceScript;
  method: 'S256' | 'plain';
}

function consentRedirect(call: RouteCall, state: OpenApiState, input: ConsentInput): Reply {
  const q = call.query;
  const params = new URLSearchParams();
  if (input.decision.outcome === 'access_denied') {
    params.set('error', 'access_denied');
  } else if (input.decision.outcome === 'approved') {
    const challenge = q.get('code_challenge') ?? undefined;
    params.set('code', state.oauth.codes.issue({
      appId: input.appId, openId: input.decision.openId ?? input.visitor,
      scopes: scopesOf(q.get('scope')), redirectUri: input.redirectUri,
      codeChallenge: challenge, codeChallengeMethod: challenge ? input.method : undefined,
    }));
  } else {
    return page(200, 'pending', `${input.visitor} has not decided yet`);
  }
  const stateParam = q.get('state');
  if (stateParam !== null) params.set('state', stateParam);
  return { status: 302, body: {}, headers: { location: withQuery(input.redirectUri, params) } };
}

/** A `#fragment` in redirect_uri moves after the query (reference §4.2). */
function withQuery(uri: string, params: URLSearchParams): string {
  const [base = '', fragment] = uri.split('#', 2);
  const joined = `${base}${base.includes('?') ? '&' : '?'}${params.toString()}`;
  return fragment === undefined ? joined : `${joined}#${fragment}`;
}

/** `GET /open-apis/authen/v1/user_info` with a user token (reference §4.5). */
function userInfo(call: RouteCall, state: OpenApiState): Reply {
  const bearer = /^Bearer\s+(\S+)$/i.exec(call.headers?.authorization ?? '')?.[1];
  const entry = bearer ? state.oauth.tokens.verify(bearer) : undefined;
  if (!entry) {
    return ok({ code: OAuthCode.userTokenInvalid, msg: 'user access token is invalid' });
  }
  const app = state.options.apps.find((candidate) => candidate.appId === entry.appId);
  const profile = state.oauth.profiles.get(entry.openId);
  const name = profile.name ?? `User ${entry.openId.slice(-4)}`;
  return ok({ code: 0, msg: 'success', data: {
    name, en_name: name, avatar_url: '', avatar_thumb: '', avatar_middle: '', avatar_big: '',
    open_id: entry.openId, union_id: `on_${stableHex(`union:${entry.openId}`)}`,
    tenant_key: app?.tenantKey ?? '',
    ...(profile.email && { email: profile.email }),
    ...(profile.mobile && { mobile: profile.mobile }),
    ...(profile.userId && { user_id: profile.userId }),
  } });
}

function page(status: number, outcome: string, detail: string): Reply {
  return { status, body: { outcome, detail } };
}

export const oauthRoutes: Route[] = [
  { method: 'POST', pattern: /^\/oauth\/v1\/device_authorization$/, auth: false,
    handle: deviceAuthorization },
  { method: 'GET', pattern: /^\/oauth\/v1\/device\/verify$/, auth: false,
    handle: verificationPage },
  { method: 'GET', pattern: /^\/open-apis\/authen\/v1\/authorize$/, auth: false,
    handle: authorizePage },
  { method: 'GET', pattern: /^\/open-apis\/authen\/v1\/user_info$/, auth: false,
    handle: userInfo },
];
