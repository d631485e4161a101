import type {
  AuthorizationOutcome, AuthorizationRequest, UserTokenSource,
} from '../apaas/user-token-source.js';
import type { CardAuthorizationService } from '../card-auth/index.js';
import { isLarkServiceError } from '../../src/kernel/errors.js';
import type { Reauthorization } from './reauthorization.js';
import type { UserTokenRefresher } from './user-token-refresher.js';

/**
 * The apaas plugin's `ApaasUserTokens`, from token-refresh and card-auth. The apaas client
 * sends the authorization card itself (for the scopes the call needs), so token reads here
 * send none and answer `undefined`; the card then carries the "authorization expired" line
 * when the user's tokens were dropped.
 */
export class ApaasTokenSource implements UserTokenSource {
  constructor(
    private readonly appId: string,
    private readonly refresher: UserTokenRefresher,
    private readonly cards: CardAuthorizationService,
    private readonly reauthorization: Reauthorization,
  ) {}

  getUserAccessToken(openId: string): Promise<string | undefined> {
    return this.orUndefined(this.refresher.accessToken(openId, { sendCard: false }));
  }

  refresh(openId: string, rejectedToken?: string): Promise<string | undefined> {
    return this.orUndefined(this.refresher.refreshRejected(openId, rejectedToken,
      { sendCard: false }));
  }

  async invalidate(openId: string): Promise<void> {
    await this.refresher.forget(openId);
  }

  async requestAuthorization(request: AuthorizationRequest): Promise<{ sessionId: string }> {
    const mark = await this.reauthorization.markOf(this.appId, request.openId);
    const renewal = mark ? this.reauthorization.renewalFields(request.feature) : undefined;
    const ticket = await this.cards.requestAuthorization({ ...request, ...renewal });
    return { sessionId: ticket.sessionId };
  }

  async waitForAuthorization(sessionId: string, options: { timeoutMs: number }):
    Promise<AuthorizationOutcome> {
    try {
      const session = await this.cards.waitForAuthorization(sessionId, options);
      // Superseded: the user completed, and a later completion's token is the one stored.
      if (session.state === 'superseded') return 'completed';
      return session.state === 'completed' || session.state === 'declined'
        || session.state === 'expired' ? session.state : 'failed';
    } catch (err) {
      if (isLarkServiceError(err, 'LARK_E_AUTH_WAIT_TIMEOUT')) return 'timeout';
      throw err;
    }
  }

  /** Only "authorize first" becomes undefined; outages and refusals stay errors. */
  private async orUndefined(token: Promise<string>): Promise<string | undefined> {
    try {
      return await token;
    } catch (err) {
      if (isLarkServiceError(err, 'LARK_E_TOKEN_AUTHORIZATION_REQUIRED')) return undefined;
      throw err;
    }
  }
}
