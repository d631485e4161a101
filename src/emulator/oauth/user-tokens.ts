import type { EmulatorClock } from '../emulator-clock.js';
import { newJwtLikeToken } from './oauth-ids.js';
import { OAuthCode, oauthFailure, type OAuthFailure } from './oauth-errors.js';

/** After a refresh the previous access token keeps working this long (reference §4.4). */
const ROTATION_GRACE_MS = 60_000;
/** Refreshing stops working this long after the user's original grant (reference §4.4). */
const GRANT_HARD_CAP_MS = 365 * 24 * 3600_000;

export interface UserTokenSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

interface AccessEntry {
  appId: string;
  openId: string;
  scopes: string[];
  expiresAt: number;
}

/** What a user access token stands for: a user of one app, with the scopes they granted. */
export interface UserTokenGrant {
  appId: string;
  openId: string;
  scopes: string[];
}

export type UserTokenCheck =
  | { status: 'valid'; grant: UserTokenGrant }
  | { status: 'expired' }
  | { status: 'unknown' };

interface RefreshEntry extends AccessEntry {
  grantedAt: number;
  accessToken: string;
  used: boolean;
}

/** The v2 token endpoint's success body (reference §4.4). */
export interface TokenIssue {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope: string;
  token_type: 'Bearer';
}

/**
 * User access tokens and their single-use, rotating refresh tokens. A refresh token comes
 * only with `offline_access`; using one twice answers 20064, as the platform does when two
 * refreshes race. Expired access tokens are remembered, so OpenAPI routes can tell an expired
 * one (99991677) from one never issued or revoked (99991668).
 */
export class UserTokens {
  private readonly access = new Map<string, AccessEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();

  constructor(
    private readonly clock: EmulatorClock,
    private readonly settings: UserTokenSettings,
  ) {}

  issue(
    appId: string,
    openId: string,
    scopes: string[],
    grantedAt = this.clock.now(),
    accessTtl = this.settings.accessTokenTtlSeconds,
  ): TokenIssue {
    const now = this.clock.now();
    const accessToken = newJwtLikeToken('access');
    this.access.set(accessToken, { appId, openId, scopes, expiresAt: now + accessTtl * 1000 });
    const issue: TokenIssue = { access_token: accessToken, expires_in: accessTtl,
      scope: scopes.join(' '), token_type: 'Bearer' };
    if (!scopes.includes('offline_access')) return issue;

    const refreshToken = newJwtLikeToken('refresh');
    const remainingCap = grantedAt + GRANT_HARD_CAP_MS - now;
    const refreshTtlMs = Math.min(this.settings.refreshTokenTtlSeconds * 1000, remainingCap);
    this.refresh.set(refreshToken, { appId, openId, scopes, grantedAt, accessToken,
      expiresAt: now + refreshTtlMs, used: false });
    return { ...issue, refresh_token: refreshToken,
      refresh_token_expires_in: Math.floor(refreshTtlMs / 1000) };
  }

  /** The user behind a live access token. */
  verify(accessToken: string): AccessEntry | undefined {
    const entry = this.access.get(accessToken);
    if (!entry || entry.expiresAt <= this.clock.now()) return undefined;
    return entry;
  }

  /** How an OpenAPI route sees `accessToken`: valid with its grant, expired, or unknown. */
  check(accessToken: string): UserTokenCheck {
    const entry = this.access.get(accessToken);
    if (!entry) return { status: 'unknown' };
    if (entry.expiresAt <= this.clock.now()) return { status: 'expired' };
    const { appId, openId, scopes } = entry;
    return { status: 'valid', grant: { appId, openId, scopes: [...scopes] } };
  }

  /** The user's access tokens (everyone's without an open id) expire now. */
  expire(openId?: string): number {
    const now = this.clock.now();
    return this.forEachAccess(openId, (token, entry) => {
      entry.expiresAt = Math.min(entry.expiresAt, now);
    });
  }

  /** The user's access and refresh tokens are forgotten, as after revocation. */
  revoke(openId?: string): number {
    for (const [token, entry] of this.refresh) {
      if (openId === undefined || entry.openId === openId) this.refresh.delete(token);
    }
    return this.forEachAccess(openId, (token) => this.access.delete(token));
  }

  private forEachAccess(
    openId: string | undefined,
    act: (token: string, entry: AccessEntry) => void,
  ): number {
    const matching = [...this.access].filter(([, e]) => openId === undefined || e.openId === openId);
    for (const [token, entry] of matching) act(token, entry);
    return matching.length;
  }

  /** Rotates: the old refresh token dies now, its access token after the grace period. */
  rotate(appId: string, refreshToken: unknown, narrowTo?: string[]): TokenIssue | OAuthFailure {
    const entry = typeof refreshToken === 'string' ? this.refresh.get(refreshToken) : undefined;
    if (!entry) {
      return oauthFailure(OAuthCode.refreshTokenInvalid, 'invalid_grant', 'refresh token invalid');
    }
    if (entry.appId !== appId) {
      return oauthFailure(OAuthCode.clientMismatch, 'invalid_grant', 'token of another app');
    }
    if (entry.used) {
      return oauthFailure(OAuthCode.refreshTokenRevoked, 'invalid_grant',
        'refresh token has been revoked');
    }
    if (entry.expiresAt <= this.clock.now()) {
      return oauthFailure(OAuthCode.refreshTokenExpired, 'invalid_grant', 'refresh token expired');
    }
    const scopes = narrowTo ?? entry.scopes;
    if (scopes.some((scope) => !entry.scopes.includes(scope))) {
      return oauthFailure(20068, 'invalid_scope', 'scope is not a subset of the granted scopes');
    }
    entry.used = true;
    this.endGrace(entry.accessToken);
    return this.issue(appId, entry.openId, scopes, entry.grantedAt);
  }

  private endGrace(accessToken: string): void {
    const previous = this.access.get(accessToken);
    if (!previous) return;
    previous.expiresAt = Math.min(previous.expiresAt, this.clock.now() + ROTATION_GRACE_MS);
  }
}
