import type { EmulatorClock } from '../emulator-clock.js';
import { AuthorizationCodes } from './authorization-codes.js';
import { ConsentBook } from './consent.js';
import { DeviceGrants } from './device-grants.js';
import { UserProfiles } from './user-profiles.js';
import { UserTokens } from './user-tokens.js';

/** OAuth tuning (reference §4.6); every lifetime runs on the emulator's clock. */
export interface OAuthOptions {
  /** Default 7200 (user_access_token). */
  accessTokenTtlSeconds?: number;
  /** Default 604800, the docs' sample (Uncertain #7). */
  refreshTokenTtlSeconds?: number;
  /** Default 240, the fallback openclaw uses (reference §4.6). */
  deviceCodeTtlSeconds?: number;
  /**
   * Default 5 (RFC 8628). The platform sends whole seconds; a fraction lets tests poll fast.
   */
  deviceIntervalSeconds?: number;
  /** The apps' redirect-URL allow-list; absent = every URL is allowed. */
  redirectUris?: string[];
}

export type ResolvedOAuthOptions = Required<Omit<OAuthOptions, 'redirectUris'>>
  & Pick<OAuthOptions, 'redirectUris'>;

export function resolveOAuthOptions(options: OAuthOptions = {}): ResolvedOAuthOptions {
  return {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 7200,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 604_800,
    deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 240,
    deviceIntervalSeconds: options.deviceIntervalSeconds ?? 5,
    redirectUris: options.redirectUris,
  };
}

/** Everything the OAuth endpoints share: grants, codes, tokens, users' consent. */
export class OAuthState {
  readonly deviceGrants: DeviceGrants;
  readonly codes: AuthorizationCodes;
  readonly tokens: UserTokens;
  readonly consent = new ConsentBook();
  readonly profiles = new UserProfiles();

  constructor(
    readonly clock: EmulatorClock,
    readonly options: ResolvedOAuthOptions,
    readonly baseUrl: () => string,
  ) {
    this.deviceGrants = new DeviceGrants(clock, options.deviceCodeTtlSeconds,
      options.deviceIntervalSeconds);
    this.codes = new AuthorizationCodes(clock);
    this.tokens = new UserTokens(clock, options);
  }

  redirectUriAllowed(uri: string): boolean {
    return this.options.redirectUris === undefined || this.options.redirectUris.includes(uri);
  }
}
