import type { AuthorizationSession, SessionState } from '../session-manager/index.js';
import type { CardLanguage } from './card-texts.js';

/** How much the card says: everything (default), or the essentials in a few lines. */
export type CardDescription = 'detailed' | 'short';

/** The states a card shows; `awaiting_consent` is the card with the consent button. */
export type CardState = SessionState;

/** A card template made in the platform's card builder (reference §5.3). */
export interface TemplateRef {
  id: string;
  /** `template_version_name`; the latest published version when absent. */
  version?: string;
}

/** A template for every state, with another template for some states if wanted. */
export interface CardTemplate extends TemplateRef {
  byState?: Partial<Record<CardState, TemplateRef>>;
}

/** Everything that decides what a card looks like. */
export interface CardLook {
  language: CardLanguage;
  description: CardDescription;
  privacyPolicyUrl?: string;
  /** Renders times on the completed card. */
  timeZone: string;
  /** Send this template instead of the built-in card. */
  template?: CardTemplate;
}

/**
 * The look of one session's card: the plugin's options, overridden by what the request
 * asked for (kept in the session, so every instance and every later state agree). A
 * request's template replaces the plugin's template with its per-state choices.
 */
export function lookFor(base: CardLook, session: AuthorizationSession): CardLook {
  const asked = session.card;
  if (!asked) return base;
  const template: CardTemplate | undefined = asked.cardTemplateId
    ? { id: asked.cardTemplateId,
      ...(asked.cardTemplateVersion !== undefined && { version: asked.cardTemplateVersion }) }
    : base.template;
  return {
    ...base,
    language: asked.language ?? base.language,
    description: asked.description ?? base.description,
    privacyPolicyUrl: asked.privacyPolicyUrl ?? base.privacyPolicyUrl,
    ...(template ? { template } : {}),
  };
}

/** The template a card in `state` is sent with. */
export function templateFor(template: CardTemplate, state: CardState): TemplateRef {
  return template.byState?.[state] ?? { id: template.id,
    ...(template.version !== undefined && { version: template.version }) };
}
