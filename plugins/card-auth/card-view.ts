import type { AuthorizationSession } from '../session-manager/index.js';
import { consentCard, endedCard, requestCard } from './auth-cards.js';
import { lookFor, type CardLook } from './card-look.js';
import { templateCard, type TemplateCardData } from './template-cards.js';

/** A card as the platform takes it: card JSON (`raw`) or a template with its variables. */
export type AuthCardContent =
  | { type: 'raw'; data: Record<string, unknown> }
  | { type: 'template'; data: TemplateCardData };

/**
 * The card of a session in its current state, built-in or from the template the plugin or
 * the request chose: the request card while pending, the consent button while awaiting
 * consent (`consentUrl`), the outcome once ended.
 */
export function authCard(session: AuthorizationSession, base: CardLook,
  consentUrl = ''): AuthCardContent {
  const look = lookFor(base, session);
  if (look.template) {
    return { type: 'template', data: templateCard(session, look, look.template, consentUrl) };
  }
  const data = session.state === 'pending' ? requestCard(session, look)
    : session.state === 'awaiting_consent' ? consentCard(session, consentUrl, look)
      : endedCard(session, look);
  return { type: 'raw', data };
}

/** The `content` string of a send or a PATCH: the card JSON, or the template wrapper. */
export function messageContent(card: AuthCardContent): string {
  return JSON.stringify(card.type === 'raw' ? card.data : card);
}
