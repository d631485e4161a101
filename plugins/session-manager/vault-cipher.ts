import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { LarkServiceError } from '../../src/kernel/errors.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the store holds for one secret: nothing in it is readable without the key. */
export interface SealedValue {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per value. The associated data binds a ciphertext to
 * where it belongs (app and user), so a record copied under another user fails to open.
 */
export class VaultCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
  }

  seal(plaintext: string, associatedData: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64') };
  }

  open(sealed: SealedValue, associatedData: string): string {
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(sealed.iv, 'base64'),
        { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')),
        decipher.final()]);
      return plain.toString('utf8');
    } catch (cause) {
      throw new LarkServiceError('LARK_E_VAULT_UNREADABLE',
        `a stored secret for ${associatedData} cannot be decrypted with the configured ` +
        'session-manager encryptionKey; the user has to authorize again', { cause,
          details: { record: associatedData } });
    }
  }
}
