import { isRecord } from '../http-io.js';
import {
  devicePollReply, OAuthCode, oauthFailure, oauthReply, type OAuthFailure,
} from '../oauth/oauth-errors.js';
import type { TokenIssue } from '../oauth/user-tokens.js';
import { authenticateClient, scopesOf } from './oauth-client.js';
import type { Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * `POST /open-apis/authen/v2/oauth/token` (reference §4.4), JSON or form-encoded, no
 * Authorization header: authorization codes (PKCE and redirect_uri checked), single-use
 * refresh tokens, and device-code polling (§4.7).
 */
function token(call: RouteCall, state: OpenApiState): Reply {
  const body = isRecord(call.body) ? call.body : {};
  const appId = authenticateClient({ ...call, headers: {} }, state);
  if (typeof appId !== 'string') return oauthReply(appId);

  switch (body['grant_type']) {
    case 'authorization_code':
      return issued(exchangeCode(appId, body, state));
    case 'refresh_token':
      return issued(state.oauth.tokens.rotate(appId, body['refresh_token'], narrowing(body)));
    case DEVICE_CODE_GRANT:
      return pollDevice(appId, body, state);
    default:
      return oauthReply(oauthFailure(OAuthCode.grantTypeUnsupported, 'unsupported_grant_type',
        'grant_type not supported'));
  }
}

function exchangeCode(appId: string, body: Record<string, unknown>,
  state: OpenApiState): TokenIssue | OAuthFailure {
  const grant = state.oauth.codes.redeem(body['code'], {
    appId, redirectUri: body['redirect_uri'], codeVerifier: body['code_verifier'] });
  if ('error' in grant) return grant;
  const scopes = narrowing(body) ?? grant.scopes;
  if (scopes.some((scope) => !grant.scopes.includes(scope))) {
    return oauthFailure(20068, 'invalid_scope', 'scope is not a subset of the granted scopes');
  }
  return state.oauth.tokens.issue(appId, grant.openId, scopes);
}

function pollDevice(appId: string, body: Record<string, unknown>, state: OpenApiState): Reply {
  const deviceCode = typeof body['device_code'] === 'string' ? body['device_code'] : '';
  const poll = state.oauth.deviceGrants.poll(appId, deviceCode);
  if (!poll.ok) return devicePollReply(poll.error, poll.description);
  const { grant } = poll;
  return issued(state.oauth.tokens.issue(appId, grant.openId!, grant.scopes));
}

function narrowing(body: Record<string, unknown>): string[] | undefined {
  const scopes = scopesOf(body['scope']);
  return scopes.length > 0 ? scopes : undefined;
}

/** Success fields are top level, with `code: 0` and no `msg` (reference §4.4). */
function issued(result: TokenIssue | OAuthFailure): Reply {
  if ('error' in result) return oauthReply(result);
  return { status: 200, body: { code: 0, ...result } };
}

export const oauthTokenRoutes: Route[] = [
  { method: 'POST', pattern: /^\/open-apis\/authen\/v2\/oauth\/token$/, auth: false,
    handle: token },
];
