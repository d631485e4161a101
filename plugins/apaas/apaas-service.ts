import type { Clock } from '../../src/kernel/clock.js';
import type { LarkClient } from '../../src/kernel/lark-client.js';
import type { Logger } from '../../src/kernel/logger.js';
import { ApplicationClient } from './application-client.js';
import { AuthorizationGate } from './authorization-gate.js';
import { OpenApiCaller, realSleep, type RateLimitPolicy, type Sleep } from './openapi-caller.js';
import { UserCallRunner } from './user-call-runner.js';
import type { UserTokenSource } from './user-token-source.js';
import { UserWorkspaceClient } from './workspace-client.js';

export interface AsUserOptions {
  /** Named on the authorization card ("<feature> needs your authorization to ..."). */
  feature?: string;
  /**
   * Wait for the user to authorize and then continue, instead of throwing
   * `AuthorizationRequired` at once. `true` waits up to the service's default (the
   * authorization session's lifetime).
   */
  waitForAuthorization?: boolean | { timeoutMs: number };
}

export interface ApaasServiceSettings {
  rateLimit: RateLimitPolicy;
  /** How long concurrent and later calls share one authorization request. */
  authorizationReuseMs: number;
  /** Default bound of `waitForAuthorization: true`. */
  authorizationWaitMs: number;
  /** Default feature name on authorization cards. */
  feature: string;
}

export interface ApaasServiceDeps {
  lark: LarkClient;
  tokens: UserTokenSource;
  logger: Logger;
  clock: Clock;
  /** Replaced in tests so rate-limit waits need no real time. */
  sleep?: Sleep;
}

/**
 * The aPaaS client other plugins use: `asUser(openId)` for the data platform with that user's
 * authority, `application(namespace)` for application objects, flows and functions as the app.
 */
export class ApaasService {
  private readonly caller: OpenApiCaller;
  private readonly gate: AuthorizationGate;

  constructor(
    private readonly deps: ApaasServiceDeps,
    private readonly settings: ApaasServiceSettings,
  ) {
    this.caller = new OpenApiCaller(deps.lark, settings.rateLimit, deps.logger,
      deps.sleep ?? realSleep);
    this.gate = new AuthorizationGate(deps.tokens, deps.clock, settings.authorizationReuseMs,
      deps.logger);
  }

  asUser(openId: string, options: AsUserOptions = {}): UserWorkspaceClient {
    const wait = options.waitForAuthorization;
    const waitTimeoutMs = wait === true ? this.settings.authorizationWaitMs
      : wait ? wait.timeoutMs : undefined;
    const runner = new UserCallRunner(
      { caller: this.caller, tokens: this.deps.tokens, gate: this.gate, logger: this.deps.logger },
      { openId, feature: options.feature ?? this.settings.feature, waitTimeoutMs },
    );
    return new UserWorkspaceClient(runner);
  }

  application(namespace: string): ApplicationClient {
    return new ApplicationClient(this.caller, namespace);
  }
}
