import type { Emulator } from '../../../src/emulator/index.js';
import type {
  AuthorizationOutcome, AuthorizationRequest, UserTokenSource,
} from '../user-token-source.js';

interface Session {
  request: AuthorizationRequest;
  settle(outcome: AuthorizationOutcome): void;
  outcome: Promise<AuthorizationOutcome>;
}

/**
 * A token source backed by the emulator: tokens are real emulator user tokens carrying the
 * scopes the user has granted here, refresh issues a new one, and authorization requests are
 * recorded and settled by the test (as the user's click and consent would).
 */
export class FakeUserTokenSource implements UserTokenSource {
  readonly requests: AuthorizationRequest[] = [];
  readonly issuedTokens: string[] = [];
  refreshes = 0;
  invalidations = 0;
  /** When set, refresh hands out this token instead of issuing one. */
  refreshAnswer: string | undefined;
  private readonly granted = new Map<string, Set<string>>();
  private readonly current = new Map<string, string>();
  private readonly sessions = new Map<string, Session>();
  private readonly requestListeners: ((sessionId: string) => void)[] = [];

  constructor(private readonly emulator: Emulator) {}

  /** The user has authorized these scopes (before the test's calls). */
  authorize(openId: string, scopes: string[]): void {
    const set = this.granted.get(openId) ?? new Set<string>();
    for (const scope of scopes) set.add(scope);
    this.granted.set(openId, set);
    this.current.delete(openId);
  }

  async getUserAccessToken(openId: string): Promise<string | undefined> {
    if (!this.granted.has(openId)) return undefined;
    return this.current.get(openId) ?? this.issue(openId);
  }

  async refresh(openId: string): Promise<string | undefined> {
    this.refreshes += 1;
    if (!this.granted.has(openId)) return undefined;
    if (this.refreshAnswer) return this.refreshAnswer;
    return this.issue(openId);
  }

  async invalidate(openId: string): Promise<void> {
    this.invalidations += 1;
    this.current.delete(openId);
    this.granted.delete(openId);
  }

  async requestAuthorization(request: AuthorizationRequest): Promise<{ sessionId: string }> {
    this.requests.push({ ...request, scopes: [...request.scopes] });
    const sessionId = `session_${this.requests.length}`;
    let settle: (outcome: AuthorizationOutcome) => void = () => undefined;
    const outcome = new Promise<AuthorizationOutcome>((resolve) => { settle = resolve; });
    this.sessions.set(sessionId, { request, settle, outcome });
    for (const listener of this.requestListeners.splice(0)) listener(sessionId);
    return { sessionId };
  }

  waitForAuthorization(sessionId: string, options: { timeoutMs: number }):
    Promise<AuthorizationOutcome> {
    const session = this.sessions.get(sessionId);
    if (!session) return Promise.resolve('failed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
      void session.outcome.then((outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  /** Resolves with the id of the next authorization request (or the first, if one was made). */
  nextRequest(): Promise<string> {
    if (this.requests.length > 0) return Promise.resolve(`session_${this.requests.length}`);
    return new Promise((resolve) => this.requestListeners.push(resolve));
  }

  /** The user consents on the card: the session's scopes are granted. */
  approve(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    this.authorize(session.request.openId, session.request.scopes);
    session.settle('completed');
  }

  private issue(openId: string): string {
    const token = this.emulator.apaas.issueUserToken(openId, [...(this.granted.get(openId) ?? [])]);
    this.current.set(openId, token);
    this.issuedTokens.push(token);
    return token;
  }
}
