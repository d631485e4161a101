import { z } from 'zod';

import type { KernelConfig } from '../../src/kernel/config/config-schema.js';
import {
  definePlugin, serviceToken, type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import { CoreTokens } from '../../src/kernel/tokens.js';
import type { AuthorizationSessionService } from './authorization-session.js';
import { StoreAuthorizationSessions } from './authorization-sessions.js';
import { createSecretBox, type SecretBoxService } from './secret-box.js';
import { StoreUserTokenVault, type UserTokenVaultService } from './user-token-vault.js';
import { VaultCipher } from './vault-cipher.js';
import { resolveVaultKey } from './vault-key.js';

export type * from './authorization-session.js';
export type { SessionState, OpenSessionState, EndedSessionState } from './session-states.js';
export { SESSION_STATES, canTransition, isOpen } from './session-states.js';
export type {
  UserTokenRecord, UserTokenVaultService, VaultChange, VaultUpdateOptions,
} from './user-token-vault.js';
export type { SecretBoxService } from './secret-box.js';
export type { SealedValue } from './vault-cipher.js';
export { withStoreLock, type LockOptions } from './store-lock.js';

/** Authorization sessions: create, move once across instances, list by user and state. */
export const AuthorizationSessions =
  serviceToken<AuthorizationSessionService>('session-manager.sessions');
/** Users' tokens, AES-256-GCM encrypted at rest, keyed by (appId, openId). */
export const UserTokenVault = serviceToken<UserTokenVaultService>('session-manager.token-vault');
/** Seals flow secrets (device codes, PKCE verifiers) with the vault key. */
export const SecretBox = serviceToken<SecretBoxService>('session-manager.secret-box');

const options = z.strictObject({
  /** 32 bytes, base64 or hex; `${ENV}` interpolation applies. Required outside the emulator. */
  encryptionKey: z.string().optional(),
  /** An open session expires after this long. */
  sessionTtlMinutes: z.number().positive().default(10),
  /** Ended sessions stay listable this long, then they are removed. */
  retentionMinutes: z.number().positive().default(24 * 60),
});

export type SessionManagerOptions = z.output<typeof options>;

export default definePlugin<SessionManagerOptions>({
  name: 'session-manager',
  description: 'Authorization sessions and the encrypted user-token vault',
  options,
  provides: [AuthorizationSessions, UserTokenVault, SecretBox],
  start(ctx) {
    const { key, source } = vaultKey(ctx);
    const cipher = new VaultCipher(key);
    ctx.provide(AuthorizationSessions, new StoreAuthorizationSessions(ctx.store, ctx.coordination,
      ctx.clock, {
        appId: ctx.appId,
        sessionTtlMs: ctx.options.sessionTtlMinutes * 60_000,
        retentionMs: ctx.options.retentionMinutes * 60_000,
      }, `${ctx.id}:session`));
    ctx.provide(UserTokenVault, new StoreUserTokenVault(ctx.store, ctx.coordination, cipher,
      ctx.clock, ctx.id, source === 'ephemeral'));
    ctx.provide(SecretBox, createSecretBox(cipher));
  },
});

function vaultKey(ctx: PluginContext<SessionManagerOptions>): ReturnType<typeof resolveVaultKey> {
  const config = ctx.container.resolve<KernelConfig>(CoreTokens.Config);
  const { key, source } = resolveVaultKey(ctx.options.encryptionKey, ctx.id,
    config.emulator.enabled);
  if (source === 'ephemeral') {
    ctx.logger.warn({}, 'no encryptionKey set: the embedded emulator default uses a key for ' +
      'this process only, so stored user tokens do not survive a restart');
  }
  return { key, source };
}
