/**
 * Where the aPaaS client gets users' access tokens and asks users to authorize. The
 * token-refresh and card-auth plugins provide this together; the client depends on nothing
 * else of theirs.
 */
export interface UserTokenSource {
  /**
   * A valid user access token for the user, refreshed if it was close to expiry, or
   * `undefined` when the user has no usable authorization (never authorized, refresh token
   * gone or refused): the client then asks the user to authorize.
   */
  getUserAccessToken(openId: string): Promise<string | undefined>;

  /**
   * Refreshes the user's token now, because the platform rejected the current one
   * (99991668 / 99991677). `undefined` when refreshing is impossible and the user must
   * authorize again. With `rejectedToken`, a token already replaced (by a concurrent call)
   * is not refreshed again: the replacement is returned.
   */
  refresh(openId: string, rejectedToken?: string): Promise<string | undefined>;

  /** Forgets the user's token: the platform rejected even a freshly refreshed one. */
  invalidate(openId: string): Promise<void>;

  /**
   * Sends the user an authorization card for these scopes, or reuses the open session that
   * already asks for them, and resolves with its id.
   */
  requestAuthorization(request: AuthorizationRequest): Promise<{ sessionId: string }>;

  /** Resolves when the session ends, or with `timeout` once `timeoutMs` has passed. */
  waitForAuthorization(sessionId: string, options: { timeoutMs: number }):
    Promise<AuthorizationOutcome>;
}

export interface AuthorizationRequest {
  openId: string;
  scopes: string[];
  /** Shown on the card: which feature needs the authorization and for what. */
  reason: string;
  /** The feature's name alone, for lines such as "authorize again to keep using ...". */
  feature?: string;
}

export type AuthorizationOutcome = 'completed' | 'declined' | 'expired' | 'failed' | 'timeout';
