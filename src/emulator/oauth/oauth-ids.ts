import { randomBytes } from 'node:crypto';

import { randomHex } from '../ids.js';

/** v2 user tokens and refresh tokens are JWT-shaped (`eyJ...`, reference Appendix A). */
export function newJwtLikeToken(kind: 'access' | 'refresh'): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url');
  const claims = Buffer.from(JSON.stringify({ jti: randomHex(32), kind, v: 2 }))
    .toString('base64url');
  return `${header}.${claims}.${randomBytes(48).toString('base64url')}`;
}

/** Authorization codes: `[A-Za-z0-9-_]` (reference §4.2). */
export const newAuthorizationCode = (): string => randomBytes(24).toString('base64url');
export const newDeviceCode = (): string => randomBytes(30).toString('base64url');

const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** RFC 8628 style: eight consonants in two groups of four, e.g. `BDFG-HJKL`. */
export function newUserCode(): string {
  const bytes = randomBytes(8);
  const letters = [...bytes].map((byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]);
  return `${letters.slice(0, 4).join('')}-${letters.slice(4).join('')}`;
}
