import type { Emulator } from '../../src/emulator/index.js';
import type { UserTokenRecord } from '../../plugins/session-manager/index.js';
import type { TokenUserHandle } from '../fixtures/plugins/token-user.js';
import { kernelYamlHead, VAULT_KEY } from './card-auth-support.js';

export const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';
export const SCOPES = ['offline_access', 'calendar:calendar'];

/** session-manager, card-auth, token-refresh and a plugin using tokens, for the e2e tests. */
export function tokenYaml(options: { name: string; store?: string; tokenRefresh?: string }):
  string {
  return `${kernelYamlHead(options.store)}
  - use: session-manager
    options: { encryptionKey: "${VAULT_KEY}" }
  - use: card-auth
    options: { openInFeishu: false, language: en, polling: { scanMs: 50, leaseMs: 1000 } }
  - use: token-refresh
    options: ${options.tokenRefresh
      ?? '{ retry: { backoffMs: 10 }, scheduler: { intervalSeconds: 3600 } }'}
  - use: ../plugins/token-user.ts
    options: { name: ${options.name} }
`;
}

/** Refresh requests the platform received (every grant type shares the endpoint). */
export function refreshRequests(emulator: Emulator) {
  return emulator.requests({ path: TOKEN_PATH }).filter((request) =>
    (request.body as Record<string, unknown>)['grant_type'] === 'refresh_token');
}

/**
 * Tokens the emulator issued as if the user had consented, stored in the vault the way
 * card-auth stores them; `expired` backdates the access token's expiry on the kernel's clock.
 */
export async function storeGrant(emulator: Emulator, handle: TokenUserHandle, appId: string,
  openId: string, now: number, expired = false): Promise<UserTokenRecord> {
  const issue = emulator.oauth.issueTokens(appId, openId, SCOPES);
  const record: UserTokenRecord = {
    appId, openId, accessToken: issue.access_token,
    accessTokenExpiresAt: expired ? now - 1_000 : now + issue.expires_in * 1000,
    refreshToken: issue.refresh_token!,
    refreshTokenExpiresAt: now + issue.refresh_token_expires_in! * 1000,
    scopes: SCOPES, grantedAt: now, updatedAt: now,
  };
  await handle.vault.put(record);
  return record;
}
