import type {
  AuthorizationTicket, CardAuthorizationService,
} from '../plugins/card-auth/index.js';

export const BENCH_AUTH_CHAT = 'oc_bench_auth_chat';

/** A distinct user per session, so the per-user rate limit never applies. */
export function benchUser(tag: string, n: number): string {
  return `ou_0bench${tag}${n.toString(16).padStart(20, '0')}`;
}

/** Attempts per user: a card send can meet a connection the emulator is just closing. */
const ATTEMPTS = 3;

export interface RequestedSessions {
  tickets: AuthorizationTicket[];
  /** Requests that failed and were asked again (a new session for the same user). */
  retries: number;
}

/**
 * requestAuthorization for `count` distinct users, `window` at a time; each sends a card and
 * leaves a pending session. A request that fails is asked again, up to 3 times, and counted.
 */
export async function requestAll(auth: CardAuthorizationService, count: number, window: number,
  tag: string): Promise<RequestedSessions> {
  const tickets: AuthorizationTicket[] = [];
  let retries = 0;
  let next = 0;
  const ask = async (n: number): Promise<AuthorizationTicket> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await auth.requestAuthorization({ openId: benchUser(tag, n),
          scopes: ['calendar:calendar:readonly'], reason: 'To add the meeting to your calendar',
          chatId: BENCH_AUTH_CHAT });
      } catch (err) {
        if (attempt >= ATTEMPTS) throw err;
        retries++;
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (next < count) tickets.push(await ask(next++));
  };
  await Promise.all(Array.from({ length: Math.max(1, window) }, worker));
  const unsent = tickets.filter((ticket) => ticket.session.messageId === undefined).length;
  if (unsent > 0) throw new Error(`${unsent} authorization cards were not sent`);
  return { tickets, retries };
}
