import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * How the platform seals an HTTP delivery when the app's console has an Encrypt Key
 * (reference §2.3; the SDK's AESCipher is the receiving half): AES-256-CBC with the key
 * sha256(encryptKey), a random IV prepended to the ciphertext, all base64, in `{"encrypt"}`.
 * The signature covers the exact body bytes: hex(sha256(timestamp + nonce + key + body)).
 */
export function encryptBody(encryptKey: string, plaintext: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed]).toString('base64');
}

export function signBody(timestamp: string, nonce: string, encryptKey: string,
  body: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}
