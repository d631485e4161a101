import { randomHex } from '../ids.js';

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

interface IssuedUserToken extends UserTokenGrant {
  token: string;
  expiresAt: number;
}

export interface IssueUserTokenInput {
  appId: string;
  openId: string;
  scopes: string[];
  ttlSeconds?: number;
}

/** The v1 lifetime of a user access token (reference §4.6): two hours. */
const DEFAULT_TTL_SECONDS = 7200;

/**
 * User access tokens the emulated platform has issued, so OpenAPI routes that require a user
 * token can tell a valid one (and its scopes) from an expired one (99991677) and from one it
 * never issued or has revoked (99991668). Expired tokens are remembered to keep those two
 * answers apart.
 */
export class UserTokens {
  private readonly issued = new Map<string, IssuedUserToken>();

  issue(input: IssueUserTokenInput): { token: string; expiresAt: number } {
    const ttlMs = (input.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
    const entry: IssuedUserToken = {
      token: `u-${randomHex(40)}`,
      appId: input.appId,
      openId: input.openId,
      scopes: [...input.scopes],
      expiresAt: Date.now() + ttlMs,
    };
    this.issued.set(entry.token, entry);
    return { token: entry.token, expiresAt: entry.expiresAt };
  }

  check(token: string): UserTokenCheck {
    const entry = this.issued.get(token);
    if (!entry) return { status: 'unknown' };
    if (entry.expiresAt <= Date.now()) return { status: 'expired' };
    const { appId, openId, scopes } = entry;
    return { status: 'valid', grant: { appId, openId, scopes: [...scopes] } };
  }

  /** The user's tokens (all users' without an open id) expire now: 99991677 on next use. */
  expire(openId?: string): number {
    return this.forEachOf(openId, (entry) => {
      entry.expiresAt = Math.min(entry.expiresAt, Date.now());
    });
  }

  /** The user's tokens are forgotten, as after revocation: 99991668 on next use. */
  revoke(openId?: string): number {
    return this.forEachOf(openId, (entry) => this.issued.delete(entry.token));
  }

  private forEachOf(openId: string | undefined, act: (entry: IssuedUserToken) => void): number {
    const matching = [...this.issued.values()]
      .filter((entry) => openId === undefined || entry.openId === openId);
    matching.forEach(act);
    return matching.length;
  }
}
