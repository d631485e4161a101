import type { CardAction, CardActionResponse } from '../../src/kernel/dispatch/lark-event.js';
import type { CardActionHandler } from '../../src/kernel/plugins/plugin-definition.js';
import { isOpen, type AuthorizationSession } from '../session-manager/index.js';
import type { AuthCardValue } from './auth-cards.js';
import type { AuthParts } from './auth-parts.js';
import { lookFor } from './card-look.js';
import { toastText, type CardLanguage, type TextKey } from './card-texts.js';
import { authCard } from './card-view.js';
import { showConsentCard } from './card-messages.js';
import { awaitConsentUrl } from './consent-starter.js';

/** A second delivery of Authorize waits this long for the first one's consent link. */
const SAME_CLICK_WAIT_MS = 1_500;

export function isAuthCardClick(action: CardAction): boolean {
  const value = action.value as Partial<AuthCardValue> | undefined;
  return typeof value === 'object' && value !== null && typeof value.sessionId === 'string'
    && (value.cardAuth === 'authorize' || value.cardAuth === 'decline');
}

/**
 * Answers Authorize and Decline. Only the user the card was sent to may act; anyone else
 * gets a toast and nothing changes. The answer carries the card's next state; the kernel
 * applies a JSON 2.0 card by updating the message right after the answer.
 */
export function createClickHandler(parts: AuthParts, start: ConsentStart,
  background?: BackgroundWork): CardActionHandler {
  return async (action) => {
    const value = action.value as AuthCardValue;
    const session = await parts.sessions.get(value.sessionId);
    if (!session) return toast('error', 'gone', parts.look.language);
    const { language } = lookFor(parts.look, session);
    if (action.operatorOpenId !== session.openId) {
      parts.logger.info({ sessionId: session.id }, 'authorization card clicked by another user');
      return toast('warning', 'notYours', language);
    }
    if (!isOpen(session.state)) return ended(session, parts);
    if (parts.clock.now() >= session.expiresAt) {
      return moveAndShow(parts, session, 'expired', 'the session deadline passed');
    }
    if (value.cardAuth === 'decline') return moveAndShow(parts, session, 'declined');
    return authorize(parts, session, start, background);
  };
}

type ConsentStart = (session: AuthorizationSession) => Promise<string | undefined>;

/**
 * Where a consent start that needs the platform runs after the click is answered: the answer
 * then never waits on a platform round trip, and the card shows the link when it is ready.
 */
export interface BackgroundWork {
  run(work: () => Promise<void>): void;
}

async function authorize(parts: AuthParts, session: AuthorizationSession,
  start: ConsentStart, background?: BackgroundWork): Promise<CardActionResponse> {
  if (session.state === 'pending') {
    const moved = await parts.sessions.transition(session.id, 'awaiting_consent');
    if (moved.ok) {
      parts.logger.info({ sessionId: session.id }, 'user chose to authorize');
      if (background) {
        background.run(async () => {
          // Declined or expired while waiting for its turn: nothing to start, nothing to show.
          if ((await parts.sessions.get(session.id))?.state !== 'awaiting_consent') return;
          const url = await start(moved.session);
          // Without a link the session has failed, and its card says so already. A session
          // that ended while the platform answered keeps its ended card.
          const latest = await parts.sessions.get(session.id);
          if (url && latest?.state === 'awaiting_consent') {
            await showConsentCard(parts, latest, url);
          }
        });
        return toast('info', 'opening', lookFor(parts.look, moved.session).language);
      }
      const url = await start(moved.session);
      if (url) return { card: authCard(moved.session, parts.look, url) };
      const failed = await parts.sessions.get(session.id);
      return failed ? ended(failed, parts) : toast('error', 'gone', parts.look.language);
    }
  }
  // Clicked again, or the same click delivered twice: the same answer, nothing new started.
  const url = await awaitConsentUrl(parts, session.id, SAME_CLICK_WAIT_MS);
  const latest = (await parts.sessions.get(session.id)) ?? session;
  if (!isOpen(latest.state)) return ended(latest, parts);
  if (!url) return toast('info', 'nextStep', lookFor(parts.look, latest).language);
  return { card: authCard(latest, parts.look, url) };
}

async function moveAndShow(parts: AuthParts, session: AuthorizationSession,
  to: 'declined' | 'expired', failureReason?: string): Promise<CardActionResponse> {
  const result = await parts.sessions.transition(session.id, to,
    failureReason ? { failureReason } : {});
  if (result.ok) {
    parts.logger.info({ sessionId: session.id, state: to }, 'authorization session ended');
  }
  const latest = result.session ?? session;
  await parts.flows.dropPoll(session.id);
  return isOpen(latest.state)
    ? toast('info', 'nextStep', lookFor(parts.look, latest).language) : ended(latest, parts);
}

function ended(session: AuthorizationSession, parts: AuthParts): CardActionResponse {
  return { card: authCard(session, parts.look) };
}

function toast(type: 'info' | 'warning' | 'error', key: TextKey,
  language: CardLanguage): CardActionResponse {
  return { toast: { type, ...toastText(key, language) } };
}
