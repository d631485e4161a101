import type { AuthorizationSession } from '../session-manager/index.js';
import { inFeishu } from './auth-cards.js';
import type { AuthParts } from './auth-parts.js';
import { endSession } from './card-messages.js';
import type { DevicePoller } from './device-poller.js';
import type { RedirectFlow } from './redirect-flow.js';

/** Reference §4.2: without offline_access the platform issues no refresh token. */
export const OFFLINE_ACCESS = 'offline_access';

/**
 * Starts the consent step of a session that just moved to awaiting_consent: the device
 * grant (default) or the redirect flow. Returns the link the card's button opens, or
 * undefined when the platform refused (the session is then failed).
 */
export async function startConsent(parts: AuthParts, session: AuthorizationSession,
  flow: { poller: DevicePoller } | { redirect: RedirectFlow }): Promise<string | undefined> {
  const ttlMs = session.expiresAt - parts.clock.now();
  try {
    await parts.sessions.update(session.id, { flow: 'redirect' in flow ? 'redirect' : 'device' });
    const url = 'redirect' in flow
      ? await flow.redirect.authorizeUrl(session)
      : await startDeviceFlow(parts, session, flow.poller);
    const consentUrl = parts.openInFeishu ? inFeishu(url) : url;
    await parts.flows.saveConsentUrl(session.id, consentUrl, ttlMs);
    return consentUrl;
  } catch (err) {
    parts.logger.error({ err, sessionId: session.id }, 'consent step could not start');
    await endSession(parts, session.id, 'failed', 'the platform refused to start the consent');
    return undefined;
  }
}

async function startDeviceFlow(parts: AuthParts, session: AuthorizationSession,
  poller: DevicePoller): Promise<string> {
  const grant = await parts.oauth.startDeviceAuthorization(session.scopes);
  const now = parts.clock.now();
  const intervalMs = grant.intervalSeconds * 1000;
  const state = {
    sessionId: session.id,
    deviceCode: parts.flows.sealDeviceCode(session.id, grant.deviceCode),
    consentUrl: grant.verificationUriComplete,
    intervalMs,
    nextPollAt: now + intervalMs,
    deviceExpiresAt: now + grant.expiresInSeconds * 1000,
  };
  await parts.flows.savePoll(state, state.deviceExpiresAt - now);
  await poller.begin(state);
  return grant.verificationUriComplete;
}

/** Another delivery of the same click may still be starting the flow: wait for its link. */
export async function awaitConsentUrl(parts: AuthParts, sessionId: string,
  waitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const url = await parts.flows.consentUrl(sessionId);
    if (url || Date.now() >= deadline) return url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
