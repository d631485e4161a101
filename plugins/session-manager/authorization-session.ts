import type { SessionState } from './session-states.js';

/** How the user is sent to consent: the device grant (default) or a redirect with PKCE. */
export type AuthorizationFlow = 'device' | 'redirect';

/**
 * How the requester asked the card to look, kept with the session so that whichever
 * instance renders a later state of the card renders it the same way. Absent fields fall
 * back to the card plugin's own options.
 */
export interface SessionCardOptions {
  readonly description?: 'detailed' | 'short';
  readonly language?: 'zh' | 'en' | 'both';
  readonly privacyPolicyUrl?: string;
  readonly cardTemplateId?: string;
  readonly cardTemplateVersion?: string;
}

/** One attempt to obtain one user's token for some scopes. */
export interface AuthorizationSession {
  /** At least 128 random bits, URL-safe. */
  readonly id: string;
  readonly appId: string;
  /** The user the request was for; only they may act on its card. */
  readonly openId: string;
  readonly scopes: readonly string[];
  readonly reason: string;
  /** An extra line for the card (e.g. "your authorization expired; authorize again"). */
  readonly notice?: string;
  /** The feature that needs the token; the card names it in a line of its own. */
  readonly feature?: string;
  /** True when an earlier authorization can no longer be refreshed (the card says so). */
  readonly renewal?: boolean;
  readonly card?: SessionCardOptions;
  readonly chatId?: string;
  readonly messageId?: string;
  readonly flow?: AuthorizationFlow;
  readonly state: SessionState;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The session expires at this time unless it has ended before. */
  readonly expiresAt: number;
  readonly endedAt?: number;
  /** Who consented and when, once completed (the user's display name from the platform). */
  readonly authorizedName?: string;
  readonly failureReason?: string;
  /** Once superseded: the later session whose completion replaced this one's token. */
  readonly supersededBy?: string;
}

export interface NewSession {
  openId: string;
  scopes: readonly string[];
  reason: string;
  notice?: string;
  feature?: string;
  renewal?: boolean;
  card?: SessionCardOptions;
  chatId?: string;
  /** Overrides the configured session lifetime. */
  ttlMs?: number;
}

/** Fields that may change without a state transition. */
export type SessionDetails = Partial<Pick<AuthorizationSession,
  'chatId' | 'messageId' | 'flow' | 'authorizedName' | 'failureReason' | 'supersededBy'>>;

export type TransitionResult =
  | { ok: true; session: AuthorizationSession }
  | { ok: false; reason: 'not_found' | 'illegal' | 'lost_race';
      session: AuthorizationSession | undefined };

export type TransitionListener = (session: AuthorizationSession, from: SessionState) => void;

/** The authorization-session service (token `AuthorizationSessions`). */
export interface AuthorizationSessionService {
  create(input: NewSession): Promise<AuthorizationSession>;
  get(id: string): Promise<AuthorizationSession | undefined>;
  /** Changes details only; the state moves through `transition`. */
  update(id: string, details: SessionDetails): Promise<AuthorizationSession | undefined>;
  /** Moves the session to `to` once, atomically across instances. */
  transition(id: string, to: SessionState, details?: SessionDetails): Promise<TransitionResult>;
  listByUser(openId: string, states?: readonly SessionState[]): Promise<AuthorizationSession[]>;
  listByState(state: SessionState): Promise<AuthorizationSession[]>;
  /** The ids of the sessions in `state`, from the index alone (no session is loaded). */
  idsByState(state: SessionState): Promise<string[]>;
  /** Moves every open session past its deadline to `expired`; returns those this call moved. */
  expireDue(): Promise<AuthorizationSession[]>;
  /** Called for every transition this instance makes; returns the unsubscribe. */
  onTransition(listener: TransitionListener): () => void;
}
