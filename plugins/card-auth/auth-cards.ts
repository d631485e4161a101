import type { AuthorizationSession } from '../session-manager/index.js';
import { describeScope, say, type CardLanguage, type TextKey } from './card-texts.js';

/** What a card button sends back: which action, on which session. */
export interface AuthCardValue {
  cardAuth: 'authorize' | 'decline';
  sessionId: string;
}

export interface CardLook {
  language: CardLanguage;
  privacyPolicyUrl?: string;
  /** Renders times on the completed card. */
  timeZone: string;
}

type Element = Record<string, unknown>;

const markdown = (content: string): Element => ({ tag: 'markdown', content });

/**
 * JSON 2.0 cards (reference §5.3): shared (`update_multi`), buttons with `behaviors`, so a
 * click reaches the callback (F04); every later state of the card is JSON 2.0 as well, as
 * the platform requires of an update (reference §3.1).
 */
function card(title: string, template: string, elements: Element[]): Record<string, unknown> {
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: title }, template },
    body: { elements },
  };
}

function button(label: string, type: string, behavior: Element): Element {
  return { tag: 'button', type, text: { tag: 'plain_text', content: label },
    behaviors: [behavior] };
}

function requestDetails(session: AuthorizationSession, look: CardLook): Element[] {
  const scopes = session.scopes.map((scope) => `- ${describeScope(scope, look.language)}`);
  return [
    markdown(session.reason),
    ...(session.notice ? [markdown(`**${session.notice}**`)] : []),
    markdown(`${say('scopesIntro', look.language)}\n${scopes.join('\n')}`),
    ...(look.privacyPolicyUrl
      ? [markdown(`[${say('privacy', look.language)}](${look.privacyPolicyUrl})`)] : []),
  ];
}

/** The card first sent: reason, scopes in plain words, Authorize and Decline. */
export function requestCard(session: AuthorizationSession, look: CardLook) {
  const value = (cardAuth: AuthCardValue['cardAuth']): AuthCardValue =>
    ({ cardAuth, sessionId: session.id });
  return card(say('title', look.language), 'blue', [
    ...requestDetails(session, look),
    { tag: 'column_set', columns: [
      { tag: 'column', elements: [button(say('authorize', look.language), 'primary',
        { type: 'callback', value: value('authorize') })] },
      { tag: 'column', elements: [button(say('decline', look.language), 'default',
        { type: 'callback', value: value('decline') })] },
    ] },
  ]);
}

/** After Authorize: one button opening the consent page, and what happens next. */
export function consentCard(session: AuthorizationSession, consentUrl: string, look: CardLook) {
  return card(say('title', look.language), 'blue', [
    ...requestDetails(session, look),
    markdown(say('nextStep', look.language)),
    button(say('openConsent', look.language), 'primary',
      { type: 'open_url', default_url: consentUrl }),
  ]);
}

/** The card for a session that ended, with a plain explanation. */
export function endedCard(session: AuthorizationSession, look: CardLook) {
  const lang = look.language;
  switch (session.state) {
    case 'completed': {
      const time = new Date(session.endedAt ?? session.updatedAt).toLocaleString('sv-SE',
        { timeZone: look.timeZone });
      const name = session.authorizedName || session.openId;
      return card(say('completedTitle', lang), 'green',
        [markdown(session.reason), markdown(say('completed', lang, { name, time }))]);
    }
    case 'declined':
      return ended(session, lang, 'declinedTitle', 'grey', say('declined', lang));
    case 'expired':
      return ended(session, lang, 'expiredTitle', 'orange', say('expired', lang));
    default: {
      const detail = session.failureReason === WRONG_ACCOUNT ? say('wrongAccount', lang)
        : say('failed', lang, { reason: session.failureReason ?? '' });
      return ended(session, lang, 'failedTitle', 'red', detail);
    }
  }
}

/** The failure reason recorded when a different account consented. */
export const WRONG_ACCOUNT = 'a different account consented';

function ended(session: AuthorizationSession, lang: CardLanguage, title: TextKey,
  template: string, detail: string) {
  return card(say(title, lang), template,
    [markdown(session.reason), markdown(detail), markdown(say('askAgain', lang))]);
}

/** Opens a URL in Feishu's side panel instead of a browser (reference §4.7, step 2). */
export function inFeishu(url: string): string {
  return 'https://applink.feishu.cn/client/web_url/open?mode=sidebar-semi&max_width=800' +
    `&reload=false&url=${encodeURIComponent(url)}`;
}
