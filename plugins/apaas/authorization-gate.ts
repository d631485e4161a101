import type { Clock } from '../../src/kernel/clock.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { UserTokenSource } from './user-token-source.js';

interface OpenRequest {
  openId: string;
  scopes: string[];
  sessionId: Promise<string>;
  /** Set once the token source has answered. */
  resolvedId?: string;
  askedAt: number;
}

/**
 * One authorization card per user and set of scopes, however many calls need it at once: the
 * first call asks the token source, the others share its session until the user has the scopes
 * (a call with them succeeds), the session ends, or `reuseMs` passes. Across instances the
 * card-auth plugin reuses an open session for the same user and scopes.
 */
export class AuthorizationGate {
  private readonly open = new Map<string, OpenRequest>();

  constructor(
    private readonly tokens: UserTokenSource,
    private readonly clock: Clock,
    private readonly reuseMs: number,
    private readonly logger: Logger,
  ) {}

  /** The session asking `openId` for `scopes`: an open one, or a new card. */
  request(openId: string, scopes: string[], reason: string, feature?: string): Promise<string> {
    const key = keyOf(openId, scopes);
    const existing = this.open.get(key);
    if (existing && this.clock.now() - existing.askedAt < this.reuseMs) return existing.sessionId;

    const entry: OpenRequest = { openId, scopes: [...scopes].sort(), askedAt: this.clock.now(),
      sessionId: this.tokens.requestAuthorization({ openId, scopes, reason,
        ...(feature && { feature }) })
        .then(({ sessionId: id }) => {
          entry.resolvedId = id;
          this.logger.info({ sessionId: id, openId, scopes }, 'authorization requested');
          return id;
        }) };
    const { sessionId } = entry;
    this.open.set(key, entry);
    // A failed request is not remembered, so the next call asks again.
    sessionId.catch(() => {
      if (this.open.get(key) === entry) this.open.delete(key);
    });
    return sessionId;
  }

  /** The user evidently holds these scopes now: requests for them (or fewer) are done. */
  granted(openId: string, scopes: readonly string[]): void {
    for (const [key, entry] of this.open) {
      if (entry.openId === openId && entry.scopes.every((scope) => scopes.includes(scope))) {
        this.open.delete(key);
      }
    }
  }

  /** The session ended (consent, refusal, expiry): the next need sends a new card. */
  ended(sessionId: string): void {
    for (const [key, entry] of this.open) {
      if (entry.resolvedId === sessionId) this.open.delete(key);
    }
  }
}

function keyOf(openId: string, scopes: string[]): string {
  return `${openId}\u0000${[...new Set(scopes)].sort().join(' ')}`;
}
