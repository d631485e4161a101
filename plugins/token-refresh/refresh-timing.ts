import type { UserTokenRecord } from '../session-manager/index.js';

/**
 * When a stored token needs refreshing. A token is refreshed once less than `fraction` of
 * its lifetime is left (its lifetime runs from when it was stored, `updatedAt`, to its
 * expiry), so callers never hold one that dies in their hands.
 */
export function accessTokenDue(record: UserTokenRecord, now: number, fraction: number,
  leadMs = 0): boolean {
  const lifetime = Math.max(record.accessTokenExpiresAt - record.updatedAt, 0);
  const remaining = record.accessTokenExpiresAt - now;
  return remaining <= Math.max(lifetime * fraction, leadMs);
}

/** The refresh token will run out within `leadMs`: refresh now, or the user must re-consent. */
export function refreshTokenDue(record: UserTokenRecord, now: number, leadMs: number): boolean {
  const expiresAt = record.refreshTokenExpiresAt;
  if (!record.refreshToken || expiresAt === undefined || expiresAt <= record.updatedAt) {
    return false;
  }
  return expiresAt - now <= leadMs;
}

/** No refresh is possible: none was granted, or it has expired (reference §4.6). */
export function refreshTokenDead(record: UserTokenRecord, now: number): boolean {
  if (!record.refreshToken) return true;
  const expiresAt = record.refreshTokenExpiresAt;
  // An expiry at or before the store time means the platform gave none; let it decide.
  return expiresAt !== undefined && expiresAt > record.updatedAt && expiresAt <= now;
}
