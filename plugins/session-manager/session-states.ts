/**
 * The authorization session's state machine, defined here and nowhere else.
 *
 *   pending ──────────► awaiting_consent ──────────► completed ──────────► superseded
 *      │                       │
 *      └──────────┬────────────┘
 *                 ▼
 *      declined | expired | failed
 *
 * - pending: the session exists and its card is (being) sent; nobody has clicked Authorize.
 * - awaiting_consent: the user clicked Authorize; the platform's consent page is open to them
 *   (device grant started, or the authorize URL handed out) and the token is not here yet.
 * - completed: the user's token is stored; the requesting plugin can continue.
 * - declined: the user refused (Decline on the card, or on the consent page).
 * - expired: nobody finished before the session's deadline (10 minutes by default), or the
 *   platform's device code ran out.
 * - failed: anything else that ended it (a different account consented, the platform
 *   refused the exchange, ...); `failureReason` says what.
 * - superseded: it completed, then a later session of the same user completed too (another
 *   card, another device); the vault holds one token per user, so the later grant replaced
 *   this one's. `supersededBy` names the later session. Reached only from completed, and
 *   only while the user's vault lock is held, so the last completion is the one left
 *   `completed` on every instance.
 *
 * A session has ended once it has left the open states (pending, awaiting_consent); an
 * ended session changes state again only from completed to superseded.
 *
 * Every state is left at most once, so "leave state S of session X" is claimed once in the
 * shared store: of two instances racing to move the same session, exactly one wins.
 */
export const SESSION_STATES = [
  'pending', 'awaiting_consent', 'completed', 'declined', 'expired', 'failed', 'superseded',
] as const;

export type SessionState = (typeof SESSION_STATES)[number];

export type OpenSessionState = 'pending' | 'awaiting_consent';
export type EndedSessionState = Exclude<SessionState, OpenSessionState>;

const TRANSITIONS: Record<SessionState, readonly SessionState[]> = {
  pending: ['awaiting_consent', 'declined', 'expired', 'failed'],
  awaiting_consent: ['completed', 'declined', 'expired', 'failed'],
  completed: ['superseded'],
  declined: [],
  expired: [],
  failed: [],
  superseded: [],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isOpen(state: SessionState): state is OpenSessionState {
  return state === 'pending' || state === 'awaiting_consent';
}
