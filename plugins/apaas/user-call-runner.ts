import type { Logger } from '../../src/kernel/logger.js';
import { AuthorizationRequired, type AuthorizationCause } from './apaas-errors.js';
import type { AuthorizationGate } from './authorization-gate.js';
import { PlatformCallError, type ApiRequest, type OpenApiCaller } from './openapi-caller.js';
import { PlatformCodes, type PlatformFailure } from './platform-failure.js';
import type { UserTokenSource } from './user-token-source.js';

/** One call made with a user's authority, and the scopes it needs. */
export interface UserOperation {
  request: ApiRequest;
  scopes: string[];
}

export interface UserCallSettings {
  openId: string;
  /** Named on the authorization card. */
  feature: string;
  /** When set, a call that needs authorization waits this long for it, then continues. */
  waitTimeoutMs?: number;
}

export interface UserCallDeps {
  caller: OpenApiCaller;
  tokens: UserTokenSource;
  gate: AuthorizationGate;
  logger: Logger;
}

const STALE_TOKEN = new Set<number | undefined>([
  PlatformCodes.userTokenInvalid, PlatformCodes.userTokenExpired,
]);

type Sent<T> = { ok: true; value: T } | { ok: false; stale: boolean; error: unknown };

/**
 * Runs calls as one user and turns the platform's answers into their meaning:
 * - no usable token: ask the user to authorize (one card per user and scopes);
 * - 99991668 / 99991677: refresh the token and retry once; rejected again, forget the token
 *   and ask the user to authorize;
 * - 99991679: ask for exactly the scopes the platform names;
 * - 99991672 and rate limits are the caller's (operator error, wait and retry).
 * With a wait configured, a call that needs authorization waits for the session to end and,
 * on consent, runs once more.
 */
export class UserCallRunner {
  constructor(
    private readonly deps: UserCallDeps,
    private readonly settings: UserCallSettings,
  ) {}

  get openId(): string {
    return this.settings.openId;
  }

  async run<T>(operation: UserOperation): Promise<T> {
    try {
      return await this.attempt<T>(operation);
    } catch (err) {
      const waitMs = this.settings.waitTimeoutMs;
      if (!(err instanceof AuthorizationRequired) || waitMs === undefined) throw err;
      const outcome = await this.deps.tokens.waitForAuthorization(err.sessionId,
        { timeoutMs: waitMs });
      if (outcome !== 'timeout') this.deps.gate.ended(err.sessionId);
      if (outcome !== 'completed') throw err.afterWait(outcome);
      return this.attempt<T>(operation);
    }
  }

  private async attempt<T>(operation: UserOperation): Promise<T> {
    const { tokens, logger } = this.deps;
    const token = await tokens.getUserAccessToken(this.openId);
    if (!token) throw await this.authorizationRequired(operation, operation.scopes,
      'no-authorization');

    const first = await this.send<T>(operation, token);
    if (first.ok) return first.value;
    if (!first.stale) throw await this.meaningOf(first.error, operation);

    logger.info({ openId: this.openId }, 'user token rejected; refreshing and retrying once');
    const fresh = await tokens.refresh(this.openId, token);
    if (!fresh) throw await this.authorizationRequired(operation, operation.scopes,
      'token-rejected');
    const second = await this.send<T>(operation, fresh);
    if (second.ok) return second.value;
    if (!second.stale) throw await this.meaningOf(second.error, operation);
    await tokens.invalidate(this.openId);
    throw await this.authorizationRequired(operation, operation.scopes, 'token-rejected');
  }

  private async send<T>(operation: UserOperation, token: string): Promise<Sent<T>> {
    try {
      const value = await this.deps.caller.send<T>(operation.request, token);
      this.deps.gate.granted(this.openId, operation.scopes);
      return { ok: true, value };
    } catch (error) {
      const stale = error instanceof PlatformCallError && STALE_TOKEN.has(error.failure.code);
      return { ok: false, stale, error };
    }
  }

  private async meaningOf(error: unknown, operation: UserOperation): Promise<unknown> {
    if (!(error instanceof PlatformCallError)) return error;
    if (error.failure.code !== PlatformCodes.userScopeMissing) return error.error;
    return this.authorizationRequired(operation, missingScopes(error.failure, operation),
      'missing-scope');
  }

  private async authorizationRequired(operation: UserOperation, scopes: string[],
    cause: AuthorizationCause): Promise<AuthorizationRequired> {
    const reason = `${this.settings.feature} needs your authorization to ${operation.request.what}`;
    const sessionId = await this.deps.gate.request(this.openId, scopes, reason,
      this.settings.feature);
    return new AuthorizationRequired(this.openId, scopes, sessionId, cause);
  }
}

/**
 * The scopes to ask the user for after 99991679: those the platform names. When its message
 * says any one of them will do, only the first (the platform lists the narrowest first) is
 * asked for; when it names none, the scopes the operation is documented to need.
 */
function missingScopes(failure: PlatformFailure, operation: UserOperation): string[] {
  const [first] = failure.scopes;
  if (first === undefined) return operation.scopes;
  return /one of/i.test(failure.msg) ? [first] : failure.scopes;
}
