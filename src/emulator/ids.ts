import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Identifier shapes follow reference Appendix A so clients' format checks pass. */

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/** Same input, same id: lets tests predict ids derived from other ids. */
export function stableHex(seed: string, length = 32): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

export const newMessageId = (): string => `om_${randomHex(32)}`;
export const newEventId = (): string => randomHex(32);
export const newTraceId = (): string => randomHex(32);
export const newCardToken = (): string => `c-${randomHex(40)}`;
export const newTenantToken = (): string => `t-${randomHex(40)}`;
export const newTicket = (): string => randomHex(32);
export const newAccessKey = (): string => randomHex(32);
/** 15 digits, like the real URLs'; randomInt cannot span that range in one call. */
export const newDeviceId = (): string =>
  `${randomInt(1, 10)}${String(randomInt(0, 1e14)).padStart(14, '0')}`;
export const newLogId = (): string => `${Date.now()}${randomHex(16)}`;

export const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;
