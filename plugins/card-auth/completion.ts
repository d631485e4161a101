import type { AuthorizationSession, UserTokenRecord } from '../session-manager/index.js';
import { WRONG_ACCOUNT } from './auth-cards.js';
import type { AuthParts } from './auth-parts.js';
import { endSession, showEndedCard } from './card-messages.js';
import type { IssuedTokens } from './platform-oauth.js';

/**
 * The last step of both flows: check who consented, store the tokens encrypted, complete
 * the session and update its card. A token of a different account is dropped unstored.
 */
export async function completeWithTokens(parts: AuthParts, session: AuthorizationSession,
  tokens: IssuedTokens): Promise<void> {
  let consented: { openId: string; name: string };
  try {
    consented = await parts.oauth.userInfo(tokens.accessToken);
  } catch (err) {
    parts.logger.warn({ err, sessionId: session.id }, 'user info for the new token failed');
    await endSession(parts, session.id, 'failed', 'the platform did not confirm the user');
    return;
  }
  if (consented.openId !== session.openId) {
    parts.logger.warn({ sessionId: session.id }, 'a different account consented; token dropped');
    await endSession(parts, session.id, 'failed', WRONG_ACCOUNT);
    return;
  }

  await parts.vault.put(tokenRecord(parts, session, tokens));
  parts.logger.info({ sessionId: session.id, scopes: tokens.scopes.length }, 'user token stored');
  const result = await parts.sessions.transition(session.id, 'completed',
    { authorizedName: consented.name });
  if (result.ok) await showEndedCard(parts, result.session);
}

function tokenRecord(parts: AuthParts, session: AuthorizationSession,
  tokens: IssuedTokens): UserTokenRecord {
  const now = parts.clock.now();
  return {
    appId: parts.appId,
    openId: session.openId,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: now + tokens.expiresInSeconds * 1000,
    ...(tokens.refreshToken && {
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: now + (tokens.refreshTokenExpiresInSeconds ?? 0) * 1000,
    }),
    scopes: tokens.scopes.length > 0 ? tokens.scopes : [...session.scopes],
    grantedAt: now,
    updatedAt: now,
  };
}
