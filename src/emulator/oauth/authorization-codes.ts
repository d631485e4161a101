import { createHash } from 'node:crypto';

import type { EmulatorClock } from '../emulator-clock.js';
import { newAuthorizationCode } from './oauth-ids.js';
import { OAuthCode, oauthFailure, type OAuthFailure } from './oauth-errors.js';

/** Codes live 5 minutes and are single use (reference §4.2, §4.6). */
const CODE_TTL_MS = 5 * 60_000;

export interface CodeGrant {
  appId: string;
  openId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  issuedAt: number;
  used: boolean;
}

export interface Redemption {
  appId: string;
  redirectUri: unknown;
  codeVerifier: unknown;
}

/** Authorization codes handed out by the authorize page and redeemed at the v2 endpoint. */
export class AuthorizationCodes {
  private readonly codes = new Map<string, CodeGrant>();

  constructor(private readonly clock: EmulatorClock) {}

  issue(grant: Omit<CodeGrant, 'issuedAt' | 'used'>): string {
    const code = newAuthorizationCode();
    this.codes.set(code, { ...grant, issuedAt: this.clock.now(), used: false });
    return code;
  }

  /** The grant behind `code`, marked used; or the v2 endpoint's error (reference §4.4). */
  redeem(code: unknown, request: Redemption): CodeGrant | OAuthFailure {
    const grant = typeof code === 'string' ? this.codes.get(code) : undefined;
    if (!grant) return oauthFailure(OAuthCode.codeNotFound, 'invalid_grant', 'code not found');
    if (grant.used) return oauthFailure(OAuthCode.codeUsed, 'invalid_grant', 'code already used');
    if (this.clock.now() - grant.issuedAt > CODE_TTL_MS) {
      return oauthFailure(OAuthCode.codeExpired, 'invalid_grant', 'code expired');
    }
    if (grant.appId !== request.appId) {
      return oauthFailure(OAuthCode.clientMismatch, 'invalid_grant', 'code issued to another app');
    }
    if (request.redirectUri !== grant.redirectUri) {
      return oauthFailure(OAuthCode.redirectUriMismatch, 'invalid_grant',
        'redirect_uri differs from the one used at authorize');
    }
    if (!verifierMatches(grant, request.codeVerifier)) {
      return oauthFailure(OAuthCode.pkceFailed, 'invalid_grant', 'PKCE verification failed');
    }
    grant.used = true;
    return grant;
  }
}

function verifierMatches(grant: CodeGrant, verifier: unknown): boolean {
  if (grant.codeChallenge === undefined) return true;
  if (typeof verifier !== 'string' || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  if (grant.codeChallengeMethod === 'plain') return verifier === grant.codeChallenge;
  return createHash('sha256').update(verifier).digest('base64url') === grant.codeChallenge;
}
