import type { AuthorizationSession } from '../session-manager/index.js';
import type { CardLook } from './card-look.js';
import { say } from './card-texts.js';
import { wordingFor, type CardWording } from './card-wording.js';

export type { CardLook } from './card-look.js';
export { WRONG_ACCOUNT } from './card-wording.js';

/** What a card button sends back: which action, on which session. */
export interface AuthCardValue {
  cardAuth: 'authorize' | 'decline';
  sessionId: string;
}

type Element = Record<string, unknown>;

const markdown = (content: string): Element => ({ tag: 'markdown', content });

/** The callback value of a session's Authorize or Decline button. */
export function buttonValue(cardAuth: AuthCardValue['cardAuth'],
  session: AuthorizationSession): AuthCardValue {
  return { cardAuth, sessionId: session.id };
}

/**
 * JSON 2.0 cards (reference §5.3): shared (`update_multi`), buttons with `behaviors`, so a
 * click reaches the callback; every later state of the card is JSON 2.0 as well, as
 * the platform requires of an update (reference §3.1).
 */
function card(words: CardWording, elements: Element[]): Record<string, unknown> {
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: words.title }, template: words.color },
    body: { elements },
  };
}

function button(label: string, type: string, behavior: Element): Element {
  return { tag: 'button', type, text: { tag: 'plain_text', content: label },
    behaviors: [behavior] };
}

/** The reason, then the feature line and the notice when there are any. */
function intro(words: CardWording): Element[] {
  return [
    markdown(words.reason),
    ...(words.featureLine ? [markdown(`**${words.featureLine}**`)] : []),
    ...(words.notice ? [markdown(`**${words.notice}**`)] : []),
  ];
}

function requestDetails(words: CardWording, look: CardLook): Element[] {
  return [
    ...intro(words),
    markdown(words.scopes),
    ...(look.privacyPolicyUrl
      ? [markdown(`[${words.privacyLabel}](${look.privacyPolicyUrl})`)] : []),
  ];
}

/** The card first sent: reason, scopes in plain words, Authorize and Decline. */
export function requestCard(session: AuthorizationSession, look: CardLook) {
  const words = wordingFor(session, look);
  return card(words, [
    ...requestDetails(words, look),
    { tag: 'column_set', columns: [
      { tag: 'column', elements: [button(say('authorize', look.language), 'primary',
        { type: 'callback', value: buttonValue('authorize', session) })] },
      { tag: 'column', elements: [button(say('decline', look.language), 'default',
        { type: 'callback', value: buttonValue('decline', session) })] },
    ] },
  ]);
}

/**
 * After Authorize: one button opening the consent page, and what happens next. The short
 * card keeps only the reason, the feature line and the notice above it.
 */
export function consentCard(session: AuthorizationSession, consentUrl: string, look: CardLook) {
  const words = wordingFor({ ...session, state: 'awaiting_consent' }, look);
  return card(words, [
    ...(look.description === 'short' ? intro(words) : requestDetails(words, look)),
    markdown(words.nextStep),
    button(say('openConsent', look.language), 'primary',
      { type: 'open_url', default_url: consentUrl }),
  ]);
}

/** The card for a session that ended, with a plain explanation (the short card: no reason). */
export function endedCard(session: AuthorizationSession, look: CardLook) {
  const words = wordingFor(session, look);
  return card(words, [
    ...(look.description === 'short' ? [] : [markdown(words.reason)]),
    markdown(words.detail),
    ...(words.askAgain ? [markdown(words.askAgain)] : []),
  ]);
}

/** Opens a URL in Feishu's side panel instead of a browser (reference §4.7, step 2). */
export function inFeishu(url: string): string {
  return 'https://applink.feishu.cn/client/web_url/open?mode=sidebar-semi&max_width=800' +
    `&reload=false&url=${encodeURIComponent(url)}`;
}
