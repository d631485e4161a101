import { LarkServiceError } from '../kernel/errors.js';
import type { SentByApp } from './sent-by-app.js';

/** What the kit knows when a test asks a user to consent to an authorization. */
export interface ConsentRequest {
  /** The user who consents. */
  openId: string;
  /** The authorization card the app sent that user, if the kit found one. */
  card: SentByApp | undefined;
}

/**
 * The extension point for "consent as a user": how a user approves an authorization on the
 * emulated platform depends on the authorization flow (device grant, redirect), which the
 * plugin that owns it knows. That plugin exports a driver; tests pass it as `consent`.
 */
export interface ConsentDriver {
  consent(request: ConsentRequest): Promise<void>;
}

// TODO(#3): the card-auth plugin ships the emulator's consent step and a ConsentDriver for it.
export const noConsentDriver: ConsentDriver = {
  consent: async ({ openId }) => {
    throw new LarkServiceError(
      'LARK_E_TESTKIT_NO_CONSENT',
      `the test asked user ${openId} to consent, but the kit has no consent driver; ` +
        'pass consent: to startTestKit (the authorization plugin provides one)',
      { details: { openId } },
    );
  },
};
