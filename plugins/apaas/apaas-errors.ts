import { LarkServiceError } from '../../src/kernel/errors.js';
import type { PlatformFailure } from './platform-failure.js';
import type { AuthorizationOutcome } from './user-token-source.js';

/** Why the user has to authorize: no usable token, a token refused twice, or a missing scope. */
export type AuthorizationCause = 'no-authorization' | 'token-rejected' | 'missing-scope';

/**
 * The call needs the user to authorize first. One card was sent for these scopes (shared by
 * every concurrent call for the same user and scopes); `outcome` is set when the call waited
 * for the user and the wait ended without consent.
 */
export class AuthorizationRequired extends LarkServiceError {
  override readonly name = 'AuthorizationRequired';

  constructor(
    readonly openId: string,
    readonly scopes: readonly string[],
    readonly sessionId: string,
    readonly authorizationCause: AuthorizationCause,
    readonly outcome?: AuthorizationOutcome,
  ) {
    super('LARK_E_APAAS_AUTHORIZATION_REQUIRED', describe(openId, scopes, outcome), {
      details: { openId, scopes: [...scopes], sessionId, authorizationCause, outcome },
    });
  }

  afterWait(outcome: AuthorizationOutcome): AuthorizationRequired {
    return new AuthorizationRequired(this.openId, this.scopes, this.sessionId,
      this.authorizationCause, outcome);
  }
}

function describe(openId: string, scopes: readonly string[],
  outcome: AuthorizationOutcome | undefined): string {
  const asked = `user ${openId} has not authorized [${scopes.join(', ')}]`;
  if (outcome) return `${asked}: the authorization card ended "${outcome}"; ask again later`;
  return `${asked}; an authorization card was sent. Retry once they authorize, or call ` +
    'asUser() with waitForAuthorization';
}

export function appScopeMissing(failure: PlatformFailure, what: string): LarkServiceError {
  const scopes = failure.scopes.length > 0 ? failure.scopes.join(', ') : 'see the platform message';
  return new LarkServiceError('LARK_E_APAAS_APP_SCOPE_MISSING',
    `the app lacks the API scope needed to ${what}: add one of [${scopes}] to the app in the ` +
      `developer console and publish a new version (platform log id ${failure.logId ?? 'none'})`,
    { details: { platformCode: failure.code, scopes: failure.scopes, logId: failure.logId } });
}

export function rateLimited(failure: PlatformFailure, what: string, reason: string):
  LarkServiceError {
  return new LarkServiceError('LARK_E_APAAS_RATE_LIMITED',
    `rate-limited while trying to ${what} (${reason}); spread the calls out or raise the ` +
      'apaas plugin option rateLimit.maxRetries / rateLimit.maxWaitMs',
    { details: { platformCode: failure.code, resetSeconds: failure.resetSeconds } });
}

export function callFailed(failure: PlatformFailure, what: string): LarkServiceError {
  const platform = failure.code === undefined ? failure.msg
    : `platform code ${failure.code}: ${failure.msg}`;
  return new LarkServiceError('LARK_E_APAAS_CALL_FAILED',
    `cannot ${what}: ${platform} (log id ${failure.logId ?? 'none'})`,
    { details: { platformCode: failure.code, httpStatus: failure.httpStatus,
      logId: failure.logId, scopes: failure.scopes } });
}

export function unreadableAnswer(what: string, field: string): LarkServiceError {
  return new LarkServiceError('LARK_E_APAAS_CALL_FAILED',
    `cannot ${what}: the platform's "${field}" is not the JSON the API documents`,
    { details: { field } });
}
