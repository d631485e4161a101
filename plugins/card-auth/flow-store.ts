import type { Keyv } from 'keyv';

import type { SealedValue, SecretBoxService } from '../session-manager/index.js';

/**
 * What another instance needs to carry on a device flow: the device code (sealed), the
 * consent link shown on the card, and when to poll next.
 */
export interface DevicePollState {
  sessionId: string;
  deviceCode: SealedValue;
  consentUrl: string;
  intervalMs: number;
  nextPollAt: number;
  deviceExpiresAt: number;
}

/** A redirect flow's `state`: single use, bound to its session, with the PKCE verifier. */
export interface RedirectState {
  sessionId: string;
  codeVerifier: SealedValue;
  redirectUri: string;
}

/** Flow records in card-auth's namespace of the shared store. */
export class FlowStore {
  constructor(
    private readonly store: Keyv,
    private readonly box: SecretBoxService,
  ) {}

  sealDeviceCode(sessionId: string, deviceCode: string): SealedValue {
    return this.box.seal(deviceCode, `device:${sessionId}`);
  }

  openDeviceCode(state: DevicePollState): string {
    return this.box.open(state.deviceCode, `device:${state.sessionId}`);
  }

  async savePoll(state: DevicePollState, ttlMs: number): Promise<void> {
    await this.store.set(`poll:${state.sessionId}`, state, Math.max(ttlMs, 1));
  }

  async poll(sessionId: string): Promise<DevicePollState | undefined> {
    return (await this.store.get(`poll:${sessionId}`)) as DevicePollState | undefined;
  }

  async dropPoll(sessionId: string): Promise<void> {
    await this.store.delete(`poll:${sessionId}`);
  }

  async saveConsentUrl(sessionId: string, url: string, ttlMs: number): Promise<void> {
    await this.store.set(`consent-url:${sessionId}`, url, Math.max(ttlMs, 1));
  }

  async consentUrl(sessionId: string): Promise<string | undefined> {
    return (await this.store.get(`consent-url:${sessionId}`)) as string | undefined;
  }

  async saveRedirectState(state: string, record: Omit<RedirectState, 'codeVerifier'>,
    codeVerifier: string, ttlMs: number): Promise<void> {
    const sealed = this.box.seal(codeVerifier, `pkce:${state}`);
    await this.store.set(`state:${state}`, { ...record, codeVerifier: sealed }, Math.max(ttlMs, 1));
  }

  /** Reads and deletes the state record; the caller has claimed the state first. */
  async takeRedirectState(
    state: string,
  ): Promise<(RedirectState & { verifier: string }) | undefined> {
    const record = (await this.store.get(`state:${state}`)) as RedirectState | undefined;
    if (!record) return undefined;
    await this.store.delete(`state:${state}`);
    return { ...record, verifier: this.box.open(record.codeVerifier, `pkce:${state}`) };
  }
}
