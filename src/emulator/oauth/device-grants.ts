import type { EmulatorClock } from '../emulator-clock.js';
import { newDeviceCode, newUserCode } from './oauth-ids.js';

/** What a device grant's next poll answers, as a test scripts it (reference §4.7). */
export type DeviceOutcome =
  | 'pending' | 'slow_down' | 'access_denied' | 'expired_token' | 'approved';

export interface DeviceScript {
  outcome: DeviceOutcome;
  /** `approved`: the account that consented (default: the user who opened the page). */
  openId?: string;
  /** `slow_down`: how many polls answer it before the grant's own state shows again. */
  times?: number;
}

export type DeviceStatus = 'pending' | 'denied' | 'approved' | 'expired' | 'redeemed';

export interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  appId: string;
  scopes: string[];
  status: DeviceStatus;
  openId?: string;
  /** The user who opened the verification page, if anyone did. */
  visitedBy?: string;
  issuedAt: number;
  expiresAt: number;
  intervalSeconds: number;
  slowDownsLeft: number;
  polls: number;
}

export type DevicePoll =
  | { ok: true; grant: DeviceGrant }
  | { ok: false; error: string; description: string };

/**
 * Device authorization grants (RFC 8628): issued to an app, decided by the user on the
 * verification page (or by a script), redeemed once by polling the token endpoint.
 */
export class DeviceGrants {
  private readonly byDeviceCode = new Map<string, DeviceGrant>();

  constructor(
    private readonly clock: EmulatorClock,
    private readonly ttlSeconds: number,
    private readonly intervalSeconds: number,
  ) {}

  issue(appId: string, scopes: string[]): DeviceGrant {
    const now = this.clock.now();
    const grant: DeviceGrant = {
      deviceCode: newDeviceCode(), userCode: newUserCode(), appId, scopes,
      status: 'pending', issuedAt: now, expiresAt: now + this.ttlSeconds * 1000,
      intervalSeconds: this.intervalSeconds, slowDownsLeft: 0, polls: 0,
    };
    this.byDeviceCode.set(grant.deviceCode, grant);
    return grant;
  }

  find(key: { deviceCode?: string; userCode?: string }): DeviceGrant | undefined {
    if (key.deviceCode) return this.byDeviceCode.get(key.deviceCode);
    const userCode = key.userCode?.toUpperCase();
    return [...this.byDeviceCode.values()].find((grant) => grant.userCode === userCode);
  }

  list(): DeviceGrant[] {
    return [...this.byDeviceCode.values()];
  }

  /** Applies what the user (or the test) decided; a redeemed grant stays redeemed. */
  script(grant: DeviceGrant, script: DeviceScript): void {
    if (grant.status === 'redeemed') return;
    switch (script.outcome) {
      case 'slow_down':
        grant.slowDownsLeft += script.times ?? 1;
        return;
      case 'approved':
        grant.status = 'approved';
        grant.openId = script.openId ?? grant.visitedBy;
        return;
      case 'access_denied':
        grant.status = 'denied';
        return;
      case 'expired_token':
        grant.status = 'expired';
        return;
      case 'pending':
        grant.status = 'pending';
    }
  }

  /** One poll by `appId`: the RFC 8628 error to answer, or the approved grant (redeemed now). */
  poll(appId: string, deviceCode: string): DevicePoll {
    const grant = this.byDeviceCode.get(deviceCode);
    if (!grant || grant.appId !== appId || grant.status === 'redeemed') {
      return { ok: false, error: 'invalid_grant', description: 'device_code is invalid' };
    }
    grant.polls += 1;
    if (grant.status === 'expired' || this.clock.now() >= grant.expiresAt) {
      grant.status = 'expired';
      return { ok: false, error: 'expired_token', description: 'device_code has expired' };
    }
    if (grant.slowDownsLeft > 0) {
      grant.slowDownsLeft -= 1;
      return { ok: false, error: 'slow_down', description: 'polling too frequently' };
    }
    if (grant.status === 'denied') {
      return { ok: false, error: 'access_denied', description: 'the user denied the request' };
    }
    if (grant.status === 'pending' || !grant.openId) {
      return { ok: false, error: 'authorization_pending', description: 'waiting for the user' };
    }
    grant.status = 'redeemed';
    return { ok: true, grant };
  }
}
