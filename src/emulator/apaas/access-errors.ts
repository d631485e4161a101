import { newLogId } from '../ids.js';
import { platformError, type Reply } from '../openapi/platform-errors.js';

/**
 * Codes of the token, permission and rate-limit family (reference §6). The reference gives no
 * HTTP status for 99991668/77/72/79 (Uncertain #10); 400 is used, as for 99991663.
 */
export const AccessCode = {
  userTokenInvalid: 99991668,
  userTokenExpired: 99991677,
  appScopeMissing: 99991672,
  userScopeMissing: 99991679,
  rateLimited: 99991400,
  /** aPaaS "param is invalid" (reference §7.1). */
  apaasParamInvalid: 2320001,
  /** A JSON field of the wrong type, e.g. `records` sent as an array (reference §7.2). */
  badParamType: 9499,
} as const;

export const userTokenInvalid = (): Reply => platformError(400, AccessCode.userTokenInvalid,
  'Invalid access token for authorization. Please make a request with token attached.');

/** The message the platform gives when an API that takes tenant tokens gets a user token. */
export const userTokenNotSupported = (): Reply =>
  platformError(400, AccessCode.userTokenInvalid, 'user access token not support');

export const userTokenExpired = (): Reply => platformError(400, AccessCode.userTokenExpired,
  'user access token expired, please refresh it');

/**
 * 99991672 (the app lacks the scope) and 99991679 (the user has not granted it). The body
 * names the scopes the way the reference shows: `msg` lists them, and
 * `error.permission_violations[].subject` carries each, typed `action_scope_required` for the
 * app and `action_privilege_required` for the user. Any one listed scope is enough.
 */
export function scopeMissing(kind: 'app' | 'user', anyOf: string[],
  detail: ScopeErrorDetail = 'violations'): Reply {
  const code = kind === 'app' ? AccessCode.appScopeMissing : AccessCode.userScopeMissing;
  const type = kind === 'app' ? 'action_scope_required' : 'action_privilege_required';
  const msg = detail === 'none' ? 'Access denied.'
    : `Access denied. One of the following scopes is required: [${anyOf.join(', ')}]`;
  const logId = newLogId();
  const violations = detail === 'violations'
    ? { permission_violations: anyOf.map((subject) => ({ type, subject })) } : {};
  return {
    status: 400,
    body: { code, msg, error: { message: msg, log_id: logId, ...violations } },
    headers: { 'x-tt-logid': logId },
  };
}

/**
 * How much a scope error says: `violations` (default) as the reference shows; `message-only`
 * drops `permission_violations`; `none` names no scope at all. The reference shows the 99991679
 * body once, so clients are tested against the thinner forms too.
 */
export type ScopeErrorDetail = 'violations' | 'message-only' | 'none';

export const apaasParamInvalid = (detail: string): Reply =>
  platformError(400, AccessCode.apaasParamInvalid, `param is invalid: ${detail}`);

export const badParamType = (field: string): Reply =>
  platformError(400, AccessCode.badParamType, `Invalid parameter type in json: ${field}`);
