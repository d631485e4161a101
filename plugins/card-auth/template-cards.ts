import type { AuthorizationSession } from '../session-manager/index.js';
import { buttonValue, type AuthCardValue } from './auth-cards.js';
import { templateFor, type CardLook, type CardTemplate } from './card-look.js';
import { plainScope, say } from './card-texts.js';
import { wordingFor, type CardWording } from './card-wording.js';

/** The `data` of a template card (reference §3.1, §5.3). */
export interface TemplateCardData {
  template_id: string;
  template_version_name?: string;
  template_variable: TemplateVariables;
}

/**
 * What a custom template receives, the same keys in every state ('' when a key does not
 * apply), so a template never shows an unfilled variable. docs/authorization.md lists them.
 */
// A type, not an interface, so it is a Record<string, unknown> the callback response takes.
export type TemplateVariables = {
  state: string;
  language: string;
  description: string;
  title: string;
  header_color: string;
  reason: string;
  feature_line: string;
  notice: string;
  scopes_text: string;
  scope_list: { scope: string; text: string }[];
  privacy_url: string;
  privacy_label: string;
  /** The whole text of the built-in card in one markdown block, for the simplest templates. */
  body: string;
  session_id: string;
  authorize_label: string;
  decline_label: string;
  authorize_value: AuthCardValue;
  decline_value: AuthCardValue;
  consent_url: string;
  consent_label: string;
  next_step: string;
  detail: string;
  ask_again: string;
  authorized_by: string;
  authorized_at: string;
};

/** The template card for a session, in its current state (the consent link when awaiting). */
export function templateCard(session: AuthorizationSession, look: CardLook,
  template: CardTemplate, consentUrl = ''): TemplateCardData {
  const ref = templateFor(template, session.state);
  return {
    template_id: ref.id,
    ...(ref.version !== undefined && { template_version_name: ref.version }),
    template_variable: templateVariables(session, look, consentUrl),
  };
}

export function templateVariables(session: AuthorizationSession, look: CardLook,
  consentUrl: string): TemplateVariables {
  const words = wordingFor(session, look);
  const lang = look.language;
  const privacyUrl = look.privacyPolicyUrl ?? '';
  const body = bodyOf(words, look, privacyUrl);
  return {
    state: session.state,
    language: lang,
    description: look.description,
    title: words.title,
    header_color: words.color,
    reason: words.reason,
    feature_line: words.featureLine,
    notice: words.notice,
    scopes_text: words.scopes,
    scope_list: session.scopes.map((scope) => ({ scope, text: plainScope(scope, lang) })),
    privacy_url: privacyUrl,
    privacy_label: words.privacyLabel,
    body,
    session_id: session.id,
    authorize_label: say('authorize', lang),
    decline_label: say('decline', lang),
    authorize_value: buttonValue('authorize', session),
    decline_value: buttonValue('decline', session),
    consent_url: session.state === 'awaiting_consent' ? consentUrl : '',
    consent_label: say('openConsent', lang),
    next_step: words.nextStep,
    detail: words.detail,
    ask_again: words.askAgain,
    authorized_by: words.authorizedBy,
    authorized_at: words.authorizedAt,
  };
}

/** The text the built-in card shows in this state and description, as one markdown block. */
function bodyOf(words: CardWording, look: CardLook, privacyUrl: string): string {
  const detailed = look.description === 'detailed';
  const intro = [words.reason, words.featureLine, words.notice];
  const requestDetails = [...intro, words.scopes,
    privacyUrl ? `[${words.privacyLabel}](${privacyUrl})` : ''];
  const lines = words.state === 'pending' ? requestDetails
    : words.state === 'awaiting_consent'
      ? [...(detailed ? requestDetails : intro), words.nextStep]
      : [detailed ? words.reason : '', words.detail, words.askAgain];
  return lines.filter(Boolean).join('\n\n');
}
