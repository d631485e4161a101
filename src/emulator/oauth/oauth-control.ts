import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import type { DeviceGrant, DeviceScript } from './device-grants.js';
import type { OAuthState } from './oauth-state.js';
import type { UserProfileFields } from './user-profiles.js';
import type { TokenIssue } from './user-tokens.js';

/** A device grant as tests see it. */
export type DeviceGrantView = Omit<DeviceGrant, 'slowDownsLeft'>;

/**
 * The scripting side of the emulated OAuth platform (`emulator.oauth`): who is signed in,
 * what each user does on a consent page, what a device grant's polls answer, and the clock
 * every token, code and device code expires on.
 */
export class OAuthControl {
  constructor(private readonly state: OAuthState) {}

  /** The user browser visits act as (authorize page, verification page) without a cookie. */
  signIn(openId: string | undefined): void {
    this.state.consent.signIn(openId);
  }

  /**
   * What `openId` does whenever a consent page opens in front of them: approve (as
   * themselves, or as `script.openId`, another account), deny, let it expire, or nothing.
   * `undefined` restores the default (approve as themselves).
   */
  scriptUser(openId: string, script: DeviceScript | undefined): void {
    this.state.consent.script(openId, script);
  }

  /** Decides one device grant directly, found by device code or user code. */
  scriptDeviceGrant(key: { deviceCode?: string; userCode?: string }, script: DeviceScript): void {
    this.state.deviceGrants.script(this.grant(key), script);
  }

  /**
   * `openId` opens a verification URL (or user code) inside Feishu; their consent script
   * decides the grant. Same as a GET of `verification_uri_complete` by that user.
   */
  openVerificationPage(urlOrUserCode: string, openId: string): DeviceGrantView {
    const userCode = urlOrUserCode.includes('user_code=')
      ? new URL(urlOrUserCode).searchParams.get('user_code') ?? ''
      : urlOrUserCode;
    const grant = this.grant({ userCode });
    grant.visitedBy = openId;
    this.state.deviceGrants.script(grant, this.state.consent.decisionOf(openId));
    return view(grant);
  }

  /**
   * The token endpoint's answer as if `openId` had just consented to `scopes` for the app:
   * an access token and, with `offline_access`, a single-use refresh token.
   */
  issueTokens(appId: string, openId: string, scopes: string[]): TokenIssue {
    return this.state.tokens.issue(appId, openId, scopes);
  }

  /** Name, email, mobile and user id `authen/v1/user_info` answers for the user. */
  setUserProfile(openId: string, fields: UserProfileFields): void {
    this.state.profiles.set(openId, fields);
  }

  deviceGrants(): DeviceGrantView[] {
    return this.state.deviceGrants.list().map(view);
  }

  /** Moves the emulated platform's clock forward: tokens, codes and device codes age. */
  advanceClock(ms: number): void {
    this.state.clock.advance(ms);
  }

  now(): number {
    return this.state.clock.now();
  }

  private grant(key: { deviceCode?: string; userCode?: string }): DeviceGrant {
    const grant = this.state.deviceGrants.find(key);
    if (grant) return grant;
    throw new EmulatorError(EmulatorErrorCode.unknownGrant,
      `no device grant with ${key.deviceCode ? 'that device code' : `user code ${key.userCode}`}`);
  }
}

function view(grant: DeviceGrant): DeviceGrantView {
  const { slowDownsLeft: _hidden, ...rest } = grant;
  return { ...rest };
}
