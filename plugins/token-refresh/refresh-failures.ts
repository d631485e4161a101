import type { RefreshAttempt } from './refresh-endpoint.js';

/**
 * What a failed refresh means, decided by the platform's code and status, never its text
 * (reference §4.4, §4.9):
 * - `reauthorize`: the refresh token is spent, revoked or expired; only a new consent helps.
 *   The stored tokens are dropped and the user gets a card. No retry: it would fail the same.
 * - `transient`: the platform or the network failed; retry with backoff, tokens untouched.
 * - `refused`: anything else (bad client secret, refresh switched off in the console): an
 *   operator's problem. Tokens untouched, no retry, no card.
 */
export type FailureMeaning = 'reauthorize' | 'transient' | 'refused';

/** One table of codes, so a reader sees every decision in one place. */
const MEANING_BY_CODE: Readonly<Record<number, FailureMeaning>> = {
  20026: 'reauthorize', // refresh token invalid (or issued by v1)
  20037: 'reauthorize', // refresh token expired, or 365 days since the grant
  20064: 'reauthorize', // refresh token revoked (also the second use of a rotated one)
  20073: 'reauthorize', // refresh token already used
  20050: 'transient', // unexpected server error
  20072: 'transient', // server temporarily unavailable
};

export function meaningOf(attempt: Exclude<RefreshAttempt, { kind: 'issued' }>): FailureMeaning {
  if (attempt.kind === 'network') return 'transient';
  const byCode = attempt.code === undefined ? undefined : MEANING_BY_CODE[attempt.code];
  if (byCode) return byCode;
  return attempt.status >= 500 ? 'transient' : 'refused';
}

/** A short description for logs and errors: status, code and OAuth error name only. */
export function describeAttempt(attempt: Exclude<RefreshAttempt, { kind: 'issued' }>): string {
  if (attempt.kind === 'network') return `no answer (${attempt.reason})`;
  const code = attempt.code === undefined ? '' : `, code ${attempt.code}`;
  return `HTTP ${attempt.status}${code}${attempt.error ? `, ${attempt.error}` : ''}`;
}
