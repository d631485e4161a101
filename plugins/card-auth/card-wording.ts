import type { AuthorizationSession } from '../session-manager/index.js';
import type { CardLook, CardState } from './card-look.js';
import {
  describeScope, plainScope, say, sayIn, type CardLanguage, type TextKey,
} from './card-texts.js';

/** The failure reason recorded when a different account consented. */
export const WRONG_ACCOUNT = 'a different account consented';

/**
 * The words of one card, in the card's language and description. The built-in card and
 * the variables of a custom template are both made from these, so they say the same.
 */
export interface CardWording {
  state: CardState;
  title: string;
  /** The header colour of the built-in card. */
  color: string;
  reason: string;
  /** The friendly line naming the feature that needs the token, or ''. */
  featureLine: string;
  notice: string;
  /** The scopes in plain words: a list (detailed) or one line (short). */
  scopes: string;
  privacyLabel: string;
  /** What happens after the consent button (awaiting consent), or ''. */
  nextStep: string;
  /** Why the session ended (ended states), or ''. */
  detail: string;
  /** How to ask again (declined, expired, failed), or ''. */
  askAgain: string;
  authorizedBy: string;
  authorizedAt: string;
}

const ENDED: Record<string, { title: TextKey; color: string }> = {
  completed: { title: 'completedTitle', color: 'green' },
  superseded: { title: 'supersededTitle', color: 'grey' },
  declined: { title: 'declinedTitle', color: 'grey' },
  expired: { title: 'expiredTitle', color: 'orange' },
  failed: { title: 'failedTitle', color: 'red' },
};

export function wordingFor(session: AuthorizationSession, look: CardLook): CardWording {
  const lang = look.language;
  const ended = ENDED[session.state];
  const name = session.authorizedName || session.openId;
  const done = session.state === 'completed' || session.state === 'superseded';
  return {
    state: session.state,
    title: say(ended?.title ?? 'title', lang),
    color: ended?.color ?? 'blue',
    reason: session.reason,
    featureLine: featureLine(session, lang),
    notice: session.notice ?? '',
    scopes: scopeText(session.scopes, look),
    privacyLabel: say('privacy', lang),
    nextStep: session.state === 'awaiting_consent' ? say('nextStep', lang) : '',
    detail: detailOf(session, look, name),
    askAgain: ended && !done ? say('askAgain', lang) : '',
    authorizedBy: done ? name : '',
    authorizedAt: done ? timeOf(session.endedAt ?? session.updatedAt, look) : '',
  };
}

/**
 * "<feature> needs your authorization", or, when an earlier authorization can no longer be
 * refreshed, the line that says so (naming the feature when the request did).
 */
function featureLine(session: AuthorizationSession, lang: CardLanguage): string {
  const feature = session.feature?.trim();
  if (session.renewal) {
    return feature ? say('featureRenewal', lang, { feature }) : say('renewal', lang);
  }
  return feature ? say('featureNeeds', lang, { feature }) : '';
}

function scopeText(scopes: readonly string[], look: CardLook): string {
  if (look.description === 'short') {
    return sayIn('scopesShort', look.language,
      (lang) => ({ scopes: scopes.map((scope) => plainScope(scope, lang)).join(', ') }));
  }
  const lines = scopes.map((scope) => `- ${describeScope(scope, look.language)}`);
  return `${say('scopesIntro', look.language)}\n${lines.join('\n')}`;
}

function detailOf(session: AuthorizationSession, look: CardLook, name: string): string {
  const lang = look.language;
  switch (session.state) {
    case 'completed':
      return say('completed', lang,
        { name, time: timeOf(session.endedAt ?? session.updatedAt, look) });
    case 'superseded':
      // The later completion is what superseded this one, at this session's last update.
      return say('superseded', lang, { name, time: timeOf(session.updatedAt, look) });
    case 'declined':
      return say('declined', lang);
    case 'expired':
      return say('expired', lang);
    case 'failed':
      return session.failureReason === WRONG_ACCOUNT ? say('wrongAccount', lang)
        : say('failed', lang, { reason: session.failureReason ?? '' });
    default:
      return '';
  }
}

/** Building a date format is costly (a third of a millisecond); one per time zone is kept. */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeOf(epochMs: number, look: CardLook): string {
  let format = timeFormats.get(look.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', { timeZone: look.timeZone,
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit' });
    timeFormats.set(look.timeZone, format);
  }
  return format.format(epochMs);
}
