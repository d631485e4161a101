import type { Reply } from '../openapi/platform-errors.js';

/**
 * v2 token endpoint failures: `{code, error, error_description}` with an HTTP 4xx/5xx
 * (reference §4.4). RFC 8628 polling answers carry only `error` (reference §4.7, Uncertain #6).
 */
export const OAuthCode = {
  missingParameter: 20001,
  clientSecretInvalid: 20002,
  codeNotFound: 20003,
  codeExpired: 20004,
  clientMismatch: 20024,
  refreshTokenInvalid: 20026,
  grantTypeUnsupported: 20036,
  refreshTokenExpired: 20037,
  appNotFound: 20048,
  pkceFailed: 20049,
  refreshTokenRevoked: 20064,
  codeUsed: 20065,
  redirectUriMismatch: 20071,
  /** authen/v1/user_info: the user token is invalid or expired (reference §4.5). */
  userTokenInvalid: 20005,
  /** Authorize page: redirect_uri is not in the app's allow-list. */
  redirectUriNotAllowed: 20029,
} as const;

export interface OAuthFailure {
  status: number;
  code: number;
  error: string;
  description: string;
}

export function oauthFailure(code: number, error: string, description: string,
  status = 400): OAuthFailure {
  return { status, code, error, description };
}

export function oauthReply(failure: OAuthFailure): Reply {
  return { status: failure.status, body: { code: failure.code, error: failure.error,
    error_description: failure.description } };
}

/** An RFC 8628 polling answer: HTTP 400 and the error name. */
export function devicePollReply(error: string, description: string): Reply {
  return { status: 400, body: { error, error_description: description } };
}
