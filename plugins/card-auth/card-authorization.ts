import { LarkServiceError } from '../../src/kernel/errors.js';
import {
  isOpen, withStoreLock, type AuthorizationSession,
} from '../session-manager/index.js';
import type { AuthParts } from './auth-parts.js';
import { sendRequestCard } from './card-messages.js';
import { OFFLINE_ACCESS } from './consent-starter.js';
import type { UserRateLimiter } from './rate-limiter.js';
import { checkCardOptions, type AuthorizationCardOptions } from './request-options.js';

export interface AuthorizationRequest {
  openId: string;
  scopes: readonly string[];
  /** Shown on the card: why the app asks. */
  reason: string;
  /** Send the card to this chat; without it, to the user directly. */
  chatId?: string;
  /** An extra line on the card, e.g. "your authorization expired; authorize again". */
  notice?: string;
  /**
   * The feature that needs the token, named in a line of the card's language(s):
   * "<feature> needs your authorization".
   */
  feature?: string;
  /**
   * True when the user's earlier authorization can no longer be refreshed: the line then
   * says so ("...can no longer be renewed; authorize again to keep using <feature>").
   */
  renewal?: boolean;
  /** This card's look; each option overrides the card-auth option of the same name. */
  card?: AuthorizationCardOptions;
}

export interface AuthorizationTicket {
  sessionId: string;
  /** True when an open session for the same user and scopes was reused (no new card). */
  reused: boolean;
  session: AuthorizationSession;
}

export type AuthorizationListener = (session: AuthorizationSession) => void;

/** Sending a card is one OpenAPI call; a holder that died frees the lock after ttlMs. */
const REQUEST_LOCK = { ttlMs: 15_000, waitMs: 20_000 };

/** The card-auth service (token `CardAuthorization`). */
export interface CardAuthorizationService {
  requestAuthorization(request: AuthorizationRequest): Promise<AuthorizationTicket>;
  /**
   * Resolves with the session once it has ended (completed, declined, expired, failed, or
   * superseded: completed, then replaced by a later completion), on this instance or any
   * other; rejects LARK_E_AUTH_WAIT_TIMEOUT after `timeoutMs`.
   */
  waitForAuthorization(sessionId: string,
    options?: { timeoutMs?: number }): Promise<AuthorizationSession>;
  /** Called on this instance whenever a session ends here; returns the unsubscribe. */
  onAuthorizationEnded(listener: AuthorizationListener): () => void;
}

const DEFAULT_WAIT_MS = 10 * 60_000;
const STORE_CHECK_MS = 500;

export class CardAuthorization implements CardAuthorizationService {
  private readonly listeners = new Set<AuthorizationListener>();

  constructor(
    private readonly parts: AuthParts,
    private readonly limiter: UserRateLimiter,
    private readonly perMinute: number,
  ) {
    parts.sessions.onTransition((session, from) => {
      // Ending is leaving the open states; a completed session later superseded ended before.
      if (isOpen(session.state) || !isOpen(from)) return;
      for (const listener of this.listeners) listener(session);
    });
  }

  async requestAuthorization(request: AuthorizationRequest): Promise<AuthorizationTicket> {
    const scopes = normaliseScopes(request.scopes);
    const card = checkCardOptions(request.openId, request.card);
    // One find-or-send at a time per user and scopes, on every instance: two requests racing
    // before the first card is out would otherwise send two cards.
    const key = `${this.parts.pluginId}:request:${request.openId}:${[...scopes].sort().join(' ')}`;
    return withStoreLock(this.parts.coordination, key, REQUEST_LOCK,
      () => this.findOrSend(request, scopes, card));
  }

  private async findOrSend(request: AuthorizationRequest, scopes: string[],
    card: AuthorizationCardOptions | undefined): Promise<AuthorizationTicket> {
    const open = await this.findOpen(request.openId, scopes);
    if (open) return { sessionId: open.id, reused: true, session: open };
    if (!(await this.limiter.take(request.openId))) {
      throw new LarkServiceError('LARK_E_AUTH_RATE_LIMITED',
        `user ${request.openId} asked for authorization more than ${this.perMinute} times ` +
        'this minute (card-auth option rateLimitPerMinute); try again in a minute',
        { details: { openId: request.openId, plugin: this.parts.pluginId } });
    }

    const session = await this.parts.sessions.create({ ...request, scopes,
      ...(card !== undefined && { card }) });
    try {
      const sent = await sendRequestCard(this.parts, session);
      const withCard = await this.parts.sessions.update(session.id,
        { messageId: sent.messageId, chatId: sent.chatId });
      this.parts.logger.info({ sessionId: session.id }, 'authorization card sent');
      return { sessionId: session.id, reused: false, session: withCard ?? session };
    } catch (err) {
      await this.parts.sessions.transition(session.id, 'failed',
        { failureReason: 'the card could not be sent' });
      throw err;
    }
  }

  async waitForAuthorization(sessionId: string,
    options: { timeoutMs?: number } = {}): Promise<AuthorizationSession> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const first = await this.parts.sessions.get(sessionId);
    if (!first) throw notFound(sessionId);
    if (!isOpen(first.state)) return first;

    return new Promise<AuthorizationSession>((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(deadline);
        clearInterval(check);
        unsubscribe();
        outcome();
      };
      const unsubscribe = this.onAuthorizationEnded((session) => {
        if (session.id === sessionId) finish(() => resolve(session));
      });
      // Sessions ending on another instance are only seen in the shared store.
      const check = setInterval(() => {
        this.parts.sessions.get(sessionId).then((session) => {
          if (!session) finish(() => reject(notFound(sessionId)));
          else if (!isOpen(session.state)) finish(() => resolve(session));
        }).catch(() => undefined);
      }, Math.min(STORE_CHECK_MS, timeoutMs));
      const deadline = setTimeout(() => finish(() => reject(new LarkServiceError(
        'LARK_E_AUTH_WAIT_TIMEOUT',
        `authorization session ${sessionId} did not end within ${timeoutMs} ms`,
        { details: { sessionId } }))), timeoutMs);
      // A wait never keeps the process alive on its own.
      check.unref();
      deadline.unref();
    });
  }

  onAuthorizationEnded(listener: AuthorizationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async findOpen(openId: string, scopes: string[]) {
    const now = this.parts.clock.now();
    const open = await this.parts.sessions.listByUser(openId, ['pending', 'awaiting_consent']);
    return open.find((session) => session.expiresAt > now && session.messageId !== undefined
      && sameScopes(session.scopes, scopes));
  }
}

/** offline_access is always asked for, so a refresh token comes with the grant. */
export function normaliseScopes(scopes: readonly string[]): string[] {
  return [...new Set([...scopes.map((scope) => scope.trim()).filter(Boolean), OFFLINE_ACCESS])];
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope) => b.includes(scope));
}

function notFound(sessionId: string): LarkServiceError {
  return new LarkServiceError('LARK_E_AUTH_SESSION_NOT_FOUND',
    `no authorization session ${sessionId}; it may have been removed after its retention`,
    { details: { sessionId } });
}
