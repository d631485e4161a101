import type { SealedValue, VaultCipher } from './vault-cipher.js';

/**
 * Seals short-lived flow secrets (device codes, PKCE verifiers) with the vault key, so what
 * another instance needs to resume a flow can sit in the shared store unreadable
 * (token `SecretBox`). `context` binds the value to its place, e.g. the session id.
 */
export interface SecretBoxService {
  seal(plaintext: string, context: string): SealedValue;
  /** Throws LARK_E_VAULT_UNREADABLE with a wrong key or context. */
  open(sealed: SealedValue, context: string): string;
}

export function createSecretBox(cipher: VaultCipher): SecretBoxService {
  return {
    seal: (plaintext, context) => cipher.seal(plaintext, `secret:${context}`),
    open: (sealed, context) => cipher.open(sealed, `secret:${context}`),
  };
}
