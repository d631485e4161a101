import {
  withStoreLock, type AuthorizationSession, type UserTokenRecord,
} from '../session-manager/index.js';
import { WRONG_ACCOUNT } from './auth-cards.js';
import type { AuthParts } from './auth-parts.js';
import { endSession, showEndedCard } from './card-messages.js';
import { tokenFields, type IssuedTokens } from './platform-oauth.js';

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

  const { completed, superseded } = await storeAndComplete(parts, session, tokens,
    consented.name);
  if (completed) await showEndedCard(parts, completed);
  for (const earlier of superseded) await showEndedCard(parts, earlier);
}

/** One user's completions wait for each other this long at most (a store round trip each). */
const COMPLETION_LOCK = { ttlMs: 30_000, waitMs: 30_000 };

/**
 * Under a lock on the user held across instances: store the session's tokens, supersede
 * the user's sessions that completed before it, then complete it. Completions of one user
 * are thus taken one after the other, and the last one is both the token in the vault and
 * the only session left `completed`. Whoever hears of the completion finds the tokens
 * stored and the earlier sessions superseded. A session that ended otherwise meanwhile
 * (expired, declined) stores nothing.
 */
async function storeAndComplete(parts: AuthParts, session: AuthorizationSession,
  tokens: IssuedTokens, authorizedName: string) {
  const lockKey = `${parts.pluginId}:complete:${parts.appId}:${session.openId}`;
  return withStoreLock(parts.coordination, lockKey, COMPLETION_LOCK, async () => {
    const current = await parts.sessions.get(session.id);
    if (current?.state !== 'awaiting_consent') {
      parts.logger.warn({ sessionId: session.id, state: current?.state },
        'session ended before its token arrived; token dropped');
      return { completed: undefined, superseded: [] };
    }
    // The vault's own lock keeps this write in order with token refreshes of the user.
    await parts.vault.update(parts.appId, session.openId,
      async () => tokenRecord(parts, session, tokens));
    parts.logger.info({ sessionId: session.id, scopes: tokens.scopes.length },
      'user token stored');
    // Earlier completions are superseded first, so whoever hears of this one sees them so.
    const superseded = await supersedeEarlier(parts, session);
    const result = await parts.sessions.transition(session.id, 'completed', { authorizedName });
    return { completed: result.ok ? result.session : undefined, superseded };
  });
}

async function supersedeEarlier(parts: AuthParts,
  latest: AuthorizationSession): Promise<AuthorizationSession[]> {
  const earlier = (await parts.sessions.listByUser(latest.openId, ['completed']))
    .filter((other) => other.id !== latest.id);
  const moved: AuthorizationSession[] = [];
  for (const other of earlier) {
    const result = await parts.sessions.transition(other.id, 'superseded',
      { supersededBy: latest.id });
    if (!result.ok) continue;
    parts.logger.info({ sessionId: other.id }, 'authorization superseded by a later one');
    moved.push(result.session);
  }
  return moved;
}

function tokenRecord(parts: AuthParts, session: AuthorizationSession,
  tokens: IssuedTokens): UserTokenRecord {
  const now = parts.clock.now();
  return {
    appId: parts.appId,
    openId: session.openId,
    ...tokenFields(tokens, now),
    scopes: tokens.scopes.length > 0 ? tokens.scopes : [...session.scopes],
    grantedAt: now,
    updatedAt: now,
  };
}
