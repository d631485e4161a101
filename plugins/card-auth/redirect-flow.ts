import { createHash, randomBytes } from 'node:crypto';

import type { AuthorizationSession } from '../session-manager/index.js';
import type { AuthParts } from './auth-parts.js';
import { endSession } from './card-messages.js';
import { completeWithTokens } from './completion.js';
import type { OAuthEndpoints } from './platform-oauth.js';

/** What the redirect route answers: an HTTP status and the outcome shown to the user. */
export interface CallbackOutcome {
  status: number;
  outcome: 'completed' | 'declined' | 'expired' | 'failed' | 'refused';
}

/**
 * The authorization-code flow with PKCE S256 (reference §4.2, §4.4): the `state` is a single
 * use value bound to its session in the shared store, so the redirect may reach any
 * instance; a replayed or unknown state is refused before anything is sent to Feishu, and
 * the exchange sends the exact redirect_uri the authorize URL carried.
 */
export class RedirectFlow {
  constructor(
    private readonly parts: AuthParts,
    private readonly endpoints: OAuthEndpoints,
    private readonly redirectUri: () => string,
  ) {}

  async authorizeUrl(session: AuthorizationSession): Promise<string> {
    const state = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = this.redirectUri();
    await this.parts.flows.saveRedirectState(state, { sessionId: session.id, redirectUri },
      verifier, session.expiresAt - this.parts.clock.now());
    const query = new URLSearchParams({
      client_id: this.parts.appId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: session.scopes.join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    return `${this.endpoints.accountsBaseUrl}/open-apis/authen/v1/authorize?${query}`;
  }

  async handleCallback(query: URLSearchParams): Promise<CallbackOutcome> {
    const state = query.get('state') ?? '';
    const record = await this.consume(state);
    if (!record) return { status: 400, outcome: 'refused' };
    const session = await this.parts.sessions.get(record.sessionId);
    if (!session || session.state !== 'awaiting_consent') {
      return { status: 400, outcome: 'refused' };
    }
    if (this.parts.clock.now() >= session.expiresAt) {
      await endSession(this.parts, session.id, 'expired', 'the session deadline passed');
      return { status: 410, outcome: 'expired' };
    }

    const code = query.get('code');
    if (!code) {
      const declined = query.get('error') === 'access_denied';
      await endSession(this.parts, session.id, declined ? 'declined' : 'failed',
        declined ? undefined : 'the consent page returned an error');
      return { status: 200, outcome: declined ? 'declined' : 'failed' };
    }
    const answer = await this.parts.oauth.exchangeCode(code, record.redirectUri, record.verifier);
    if (answer.kind === 'error') {
      this.parts.logger.warn({ sessionId: session.id, code: answer.code, error: answer.error },
        'authorization code exchange refused');
      await endSession(this.parts, session.id, 'failed', 'the platform refused the code');
      return { status: 502, outcome: 'failed' };
    }
    await completeWithTokens(this.parts, session, answer.tokens);
    const final = await this.parts.sessions.get(session.id);
    return { status: 200, outcome: final?.state === 'completed' ? 'completed' : 'failed' };
  }

  /** Claims the state once across instances, then reads and deletes its record. */
  private async consume(state: string) {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(state)) return undefined;
    const first = await this.parts.coordination.claim(
      `${this.parts.pluginId}:state-used:${state}`, 24 * 3600_000);
    if (!first) {
      this.parts.logger.warn({}, 'redirect with an already used state refused');
      return undefined;
    }
    return this.parts.flows.takeRedirectState(state);
  }
}
