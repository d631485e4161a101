import { createHash, timingSafeEqual } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';

/**
 * The platform's HTTP delivery crypto, as its own SDK implements it. With an Encrypt Key set
 * in the developer console the body is `{"encrypt": base64(iv ‖ AES-256-CBC(json))}` with the
 * key sha256(encryptKey), and every request is signed:
 * `X-Lark-Signature = hex(sha256(timestamp + nonce + encryptKey + rawBody))`.
 */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-lark-request-timestamp',
  nonce: 'x-lark-request-nonce',
  signature: 'x-lark-signature',
} as const;

/** Decrypts an `encrypt` field to its JSON text; throws when the key or the bytes are wrong. */
export function decryptPayload(encryptKey: string, encrypted: string): string {
  // The SDK's own cipher: key derivation, IV position and padding stay the platform's.
  return new lark.AESCipher(encryptKey).decrypt(encrypted);
}

export function requestSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  rawBody: string,
): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody).digest('hex');
}

/** Constant-time comparison, so a forger cannot learn a secret byte by byte from timings. */
export function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
