import { randomBytes } from 'node:crypto';

import { LarkServiceError } from '../../src/kernel/errors.js';

export type VaultKeySource = 'configured' | 'ephemeral';

/**
 * The vault key from the `encryptionKey` option: 32 bytes as base64 (44 characters) or hex
 * (64). Without one, start-up fails, except in the embedded emulator default, which gets a
 * random key for this process only (its tokens do not survive a restart, which is fine for
 * a demo and never used against a real tenant).
 */
export function resolveVaultKey(
  configured: string | undefined,
  pluginId: string,
  emulatorEnabled: boolean,
): { key: Buffer; source: VaultKeySource } {
  if (configured === undefined || configured.trim() === '') {
    if (emulatorEnabled) return { key: randomBytes(32), source: 'ephemeral' };
    throw new LarkServiceError('LARK_E_VAULT_KEY_MISSING',
      `plugin "${pluginId}": option encryptionKey is not set; user tokens are stored encrypted ` +
      'and need a key: set encryptionKey: ${LARK_TOKEN_ENCRYPTION_KEY} and export 32 random ' +
      'bytes, e.g. LARK_TOKEN_ENCRYPTION_KEY=$(openssl rand -base64 32)',
      { details: { plugin: pluginId, option: 'encryptionKey' } });
  }
  const key = decodeKey(configured.trim());
  if (!key) {
    throw new LarkServiceError('LARK_E_VAULT_KEY_INVALID',
      `plugin "${pluginId}": option encryptionKey must be 32 bytes in base64 (44 characters) ` +
      'or hex (64 characters); generate one with `openssl rand -base64 32`',
      { details: { plugin: pluginId, option: 'encryptionKey' } });
  }
  return { key, source: 'configured' };
}

function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}
