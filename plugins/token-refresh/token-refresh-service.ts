import type { ReauthorizationMark, Reauthorization } from './reauthorization.js';
import type { RefreshScheduler, SchedulerRun } from './refresh-scheduler.js';
import { unknownApp } from './token-errors.js';
import type { UserInfoSync, UserProfile } from './user-info-sync.js';
import type { TokenRequestOptions, UserTokenRefresher } from './user-token-refresher.js';

/** The token-refresh service (token `TokenRefresh`). */
export interface TokenRefreshService {
  /**
   * A valid access token for the user of this kernel's app, refreshed first when less than
   * `refreshWhenRemaining` of its lifetime is left. Throws `UserAuthorizationRequired` when
   * the user must authorize (a card was sent if their refresh token was refused or expired),
   * `LARK_E_TOKEN_REFRESH_UNAVAILABLE` when the token expired and the platform could not
   * refresh it (tokens kept), `LARK_E_TOKEN_REFRESH_REFUSED` for an app-side refusal.
   */
  getUserAccessToken(openId: string, options?: TokenRequestOptions): Promise<string>;
  /** The same, naming the app; only the kernel's own app can be refreshed. */
  getUserAccessTokenFor(appId: string, openId: string,
    options?: TokenRequestOptions): Promise<string>;
  /**
   * Refreshes now because the platform rejected `rejectedToken` (99991668 / 99991677); a
   * token already replaced by a concurrent caller is returned instead of refreshing again.
   */
  refreshUserAccessToken(openId: string, rejectedToken?: string,
    options?: TokenRequestOptions): Promise<string>;
  /** Why the user must authorize again, while they have not. */
  reauthorizationOf(openId: string): Promise<ReauthorizationMark | undefined>;
  /** The profile stored by the user-info sync, if it is on. */
  userProfile(openId: string): Promise<UserProfile | undefined>;
  /** Runs the scheduler's pass now (operations, tests); joins a pass already running. */
  runScheduledRefresh(): Promise<SchedulerRun>;
}

export interface TokenRefreshParts {
  appId: string;
  refresher: UserTokenRefresher;
  reauthorization: Reauthorization;
  scheduler: RefreshScheduler;
  userInfo?: UserInfoSync;
}

export class TokenRefresh implements TokenRefreshService {
  constructor(private readonly parts: TokenRefreshParts) {}

  getUserAccessToken(openId: string, options?: TokenRequestOptions): Promise<string> {
    return this.parts.refresher.accessToken(openId, options);
  }

  async getUserAccessTokenFor(appId: string, openId: string,
    options?: TokenRequestOptions): Promise<string> {
    if (appId !== this.parts.appId) throw unknownApp(appId, this.parts.appId);
    return this.parts.refresher.accessToken(openId, options);
  }

  refreshUserAccessToken(openId: string, rejectedToken?: string,
    options?: TokenRequestOptions): Promise<string> {
    return this.parts.refresher.refreshRejected(openId, rejectedToken, options);
  }

  reauthorizationOf(openId: string): Promise<ReauthorizationMark | undefined> {
    return this.parts.reauthorization.markOf(this.parts.appId, openId);
  }

  async userProfile(openId: string): Promise<UserProfile | undefined> {
    return this.parts.userInfo?.profile(this.parts.appId, openId);
  }

  runScheduledRefresh(): Promise<SchedulerRun> {
    return this.parts.scheduler.runOnce();
  }
}
