import { newTenantToken } from '../ids.js';

/** Below this remaining lifetime a token request gets a fresh token (reference §4.1). */
const REISSUE_BELOW_MS = 30 * 60_000;

interface IssuedToken {
  token: string;
  appId: string;
  expiresAt: number;
}

/**
 * Tenant access tokens as the platform hands them out: the same token is returned while it
 * has 30 minutes or more left, a new one below that, and both stay valid until they expire.
 */
export class TenantTokens {
  private readonly issued = new Map<string, IssuedToken>();
  private readonly current = new Map<string, IssuedToken>();

  constructor(private readonly ttlSeconds: number) {}

  obtain(appId: string): { token: string; expireSeconds: number } {
    const now = Date.now();
    let entry = this.current.get(appId);
    if (!entry || !this.issued.has(entry.token) || entry.expiresAt - now < REISSUE_BELOW_MS) {
      entry = { token: newTenantToken(), appId, expiresAt: now + this.ttlSeconds * 1000 };
      this.issued.set(entry.token, entry);
      this.current.set(appId, entry);
    }
    return { token: entry.token, expireSeconds: Math.floor((entry.expiresAt - now) / 1000) };
  }

  /** The app the token belongs to, or undefined when unknown or expired. */
  verify(token: string): string | undefined {
    const entry = this.issued.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.issued.delete(token);
      return undefined;
    }
    return entry.appId;
  }

  expireAll(): void {
    this.issued.clear();
    this.current.clear();
  }
}
