import { LarkServiceError } from '../../src/kernel/errors.js';

/** Why a user has to authorize (again). */
export type ReauthorizationReason =
  /** No tokens are stored for the user: never authorized, or dropped earlier. */
  | 'not-authorized'
  /** The platform refused the refresh token (20026, 20037, 20064, 20073). */
  | 'refresh-refused'
  /** The refresh token ran out (or none was granted) before it could be used. */
  | 'refresh-expired';

/**
 * The user has no usable authorization. Tokens that cannot be used were dropped; when
 * `sessionId` is set an authorization card was sent to the user (one for however many
 * callers were waiting).
 */
export class UserAuthorizationRequired extends LarkServiceError {
  override readonly name = 'UserAuthorizationRequired';

  constructor(
    readonly appId: string,
    readonly openId: string,
    readonly reason: ReauthorizationReason,
    readonly sessionId?: string,
  ) {
    super('LARK_E_TOKEN_AUTHORIZATION_REQUIRED', describe(openId, reason, sessionId),
      { details: { appId, openId, reason, sessionId } });
  }
}

function describe(openId: string, reason: ReauthorizationReason, sessionId?: string): string {
  const why = reason === 'not-authorized' ? 'has not authorized the app'
    : reason === 'refresh-refused' ? 'must authorize again: the platform refused the refresh token'
      : 'must authorize again: the refresh token has expired';
  const next = sessionId ? '; an authorization card was sent' : '';
  return `user ${openId} ${why}${next}. Retry once the user has authorized`;
}

export function refreshUnavailable(appId: string, openId: string, attempts: number,
  last: string): LarkServiceError {
  return new LarkServiceError('LARK_E_TOKEN_REFRESH_UNAVAILABLE',
    `the access token of user ${openId} (app ${appId}) expired and ${attempts} refresh ` +
    `attempts failed (last: ${last}); the stored tokens were kept. Retry later, or raise the ` +
    'token-refresh option retry.attempts', { details: { appId, openId, attempts, last } });
}

export function refreshRefused(appId: string, openId: string, last: string): LarkServiceError {
  return new LarkServiceError('LARK_E_TOKEN_REFRESH_REFUSED',
    `the platform refused to refresh the token of user ${openId} for app ${appId} (${last}); ` +
    'the stored tokens were kept. Check app.appSecret and that refreshing user tokens is ' +
    "switched on in the app's security settings", { details: { appId, openId, last } });
}

export function unknownApp(appId: string, kernelAppId: string): LarkServiceError {
  return new LarkServiceError('LARK_E_TOKEN_UNKNOWN_APP',
    `token-refresh holds the secret of app ${kernelAppId} only and cannot refresh tokens of ` +
    `app ${appId}; ask with the kernel's app id`, { details: { appId, kernelAppId } });
}
