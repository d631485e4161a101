import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requesters } from '../fixtures/plugins/auth-requester.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import {
  authYaml, callbackValue, consentUrl, currentCard, titleOf, waitForCard,
} from './card-auth-support.js';

const USER = 'ou_redirect000000000000000000000a1';
const CHAT = 'oc_redirect_chat_1';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(authYaml({ name: 'redirect', flow: 'redirect' }));
  h.emulator.oauth.signIn(USER);
});
afterAll(async () => {
  await h?.stop();
});

/** Request, click Authorize, and return the authorize URL the card's button opens. */
async function authorizeUrl(user = USER) {
  const auth = requesters.get('redirect')!.auth;
  const ticket = await auth.requestAuthorization({ openId: user, scopes: ['docx:document'],
    reason: 'To summarise your document', chatId: CHAT });
  const message = h.emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
  await h.emulator.clickCard({ operatorOpenId: user, messageId: message.messageId, chatId: CHAT,
    value: callbackValue(currentCard(message), 'Authorize') });
  const card = await waitForCard(h.emulator, message.messageId, (c) => consentUrl(c) !== undefined);
  return { ticket, message, url: new URL(consentUrl(card)!) };
}

/** The user's browser: the consent page redirects to card-auth's listener. */
async function consent(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function visit(url: URL | string) {
  const res = await fetch(url);
  const html = await res.text();
  return { status: res.status, outcome: /data-outcome="(\w+)"/.exec(html)?.[1] };
}

const exchanges = () => h.emulator.requests({ path: '/open-apis/authen/v2/oauth/token' }).length;

describe('card authorization with the redirect flow (authorization code + PKCE)', () => {
  it('completes: state bound to the session, S256 challenge, same redirect_uri at exchange',
    async () => {
      const { ticket, message, url } = await authorizeUrl();
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');

      const callback = await consent(url);
      const page = await visit(callback);

      expect(page).toEqual({ status: 200, outcome: 'completed' });
      const exchange = h.emulator.requests({ path: '/open-apis/authen/v2/oauth/token' }).at(-1)!;
      expect((exchange.body as Record<string, string>)['redirect_uri'])
        .toBe(url.searchParams.get('redirect_uri'));
      expect((await requesters.get('redirect')!.sessions.get(ticket.sessionId))?.state)
        .toBe('completed');
      expect(await requesters.get('redirect')!.vault.get(APP.appId, USER)).toBeDefined();
      await waitForCard(h.emulator, message.messageId, (c) => titleOf(c) === 'Authorized');
    });

  it('refuses a replayed callback and an unknown state without calling Feishu', async () => {
    const { url } = await authorizeUrl();
    const callback = await consent(url);
    await visit(callback);
    const before = exchanges();

    const replay = await visit(callback);
    const unknown = new URL(callback);
    unknown.searchParams.set('state', 'AAAAAAAAAAAAAAAAAAAAAA');
    const forged = await visit(unknown);

    expect(replay).toEqual({ status: 400, outcome: 'refused' });
    expect(forged).toEqual({ status: 400, outcome: 'refused' });
    expect(exchanges()).toBe(before);
  });

  it('ends as declined when the user refuses on the authorize page', async () => {
    const user = 'ou_redirect000000000000000000000b2';
    h.emulator.oauth.signIn(user);
    h.emulator.oauth.scriptUser(user, { outcome: 'access_denied' });
    const { ticket, message, url } = await authorizeUrl(user);

    const page = await visit(await consent(url));

    expect(page.outcome).toBe('declined');
    expect((await requesters.get('redirect')!.sessions.get(ticket.sessionId))?.state)
      .toBe('declined');
    await waitForCard(h.emulator, message.messageId,
      (c) => titleOf(c) === 'Authorization declined');
    h.emulator.oauth.signIn(USER);
  });

  it('writes no code, token or secret into the log', async () => {
    const { url } = await authorizeUrl();
    const callback = await consent(url);
    await visit(callback);
    const stored = await requesters.get('redirect')!.vault.get(APP.appId, USER);
    const log = h.logs.text();
    for (const secret of [callback.searchParams.get('code')!, stored!.accessToken,
      stored!.refreshToken!, APP.appSecret]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain('[redacted]');
  });
});
