import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requesters } from '../fixtures/plugins/auth-requester.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import {
  authYaml, callbackValue, consentUrl, currentCard, titleOf, waitForCard, type Card,
} from './card-auth-support.js';

const USER = 'ou_cardauth00000000000000000000a1';
const OTHER = 'ou_cardauth00000000000000000000b2';
const CHAT = 'oc_cardauth_chat_1';

let h: Harness;
const secretsSeen: string[] = [];

beforeAll(async () => {
  h = await startHarness(authYaml({ name: 'device' }),
    { oauth: { deviceIntervalSeconds: 0.05 } });
});
afterAll(async () => {
  await h?.stop();
});

const requester = () => requesters.get('device')!;

/** Asks for authorization for `user` and returns the session and its card's message id. */
async function ask(user = USER, scopes = ['calendar:calendar:readonly']) {
  const ticket = await requester().auth.requestAuthorization({
    openId: user, scopes, reason: 'To add the meeting to your calendar', chatId: CHAT });
  const message = h.emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
  return { ticket, message, card: currentCard(message) };
}

function click(messageId: string, operatorOpenId: string, value: unknown) {
  return h.emulator.clickCard({ operatorOpenId, messageId, chatId: CHAT, value });
}

async function authorizeAndGetConsentUrl(messageId: string, card: Card, user = USER) {
  const { ack } = await click(messageId, user, callbackValue(card, 'Authorize'));
  expect(ack.code).toBe(200);
  const consent = await waitForCard(h.emulator, messageId, (c) => consentUrl(c) !== undefined);
  return consentUrl(consent)!;
}

describe('card authorization with the device flow, through the SDK WSClient', () => {
  it('completes: card, Authorize, consent, token stored encrypted, card updated', async () => {
    const ended: string[] = [];
    requester().auth.onAuthorizationEnded((session) => ended.push(session.id));
    const { ticket, message, card } = await ask();
    expect(titleOf(card)).toBe('Authorization needed');

    const url = await authorizeAndGetConsentUrl(message.messageId, card);
    h.emulator.oauth.openVerificationPage(url, USER);
    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });

    expect(session.state).toBe('completed');
    const stored = await requester().vault.get(APP.appId, USER);
    expect(stored?.scopes).toEqual(expect.arrayContaining(['offline_access',
      'calendar:calendar:readonly']));
    expect(stored?.refreshToken).toBeDefined();
    secretsSeen.push(stored!.accessToken, stored!.refreshToken!);
    const done = await waitForCard(h.emulator, message.messageId,
      (c) => titleOf(c) === 'Authorized');
    expect(JSON.stringify(done)).toContain('authorized at');
    expect(ended).toContain(ticket.sessionId);
  });

  it('reuses the open session and its card when asked again for the same scopes', async () => {
    const first = await ask(OTHER, ['docx:document']);
    const second = await ask(OTHER, ['docx:document']);
    expect(second.ticket).toMatchObject({ reused: true, sessionId: first.ticket.sessionId });
    expect(h.emulator.sentMessages().filter((m) =>
      m.messageId === first.message.messageId)).toHaveLength(1);
  });

  it('sends one card for five requests that race for the same user and scopes', async () => {
    const user = 'ou_cardauth00000000000000000000r5';
    const request = { openId: user, scopes: ['contact:user:readonly'], reason: 'To greet you',
      chatId: CHAT };

    const tickets = await Promise.all(Array.from({ length: 5 },
      () => requester().auth.requestAuthorization(request)));

    expect(new Set(tickets.map((t) => t.sessionId)).size).toBe(1);
    expect(tickets.filter((t) => !t.reused)).toHaveLength(1);
    const cards = h.emulator.sentMessages().filter((m) => m.receiveId === user
      || m.messageId === tickets[0]!.session.messageId);
    expect(cards).toHaveLength(1);
  });

  it('handles a double click once: one device grant, the same answer twice', async () => {
    const { message, card } = await ask(USER, ['im:message']);
    const grantsBefore = h.emulator.oauth.deviceGrants().length;
    const value = callbackValue(card, 'Authorize');

    const [a, b] = await Promise.all([click(message.messageId, USER, value),
      click(message.messageId, USER, value)]);
    await click(message.messageId, USER, value);

    expect([a.ack.code, b.ack.code]).toEqual([200, 200]);
    await waitForCard(h.emulator, message.messageId, (c) => consentUrl(c) !== undefined);
    expect(h.emulator.oauth.deviceGrants().length - grantsBefore).toBe(1);
  });

  it('refuses a click by another user with a toast and changes nothing', async () => {
    const { ticket, message, card } = await ask(USER, ['bitable:app']);
    const grantsBefore = h.emulator.oauth.deviceGrants().length;

    const { response } = await click(message.messageId, OTHER, callbackValue(card, 'Authorize'));

    expect(response).toMatchObject({ toast: { type: 'warning',
      content: 'This authorization card is not for you.' } });
    expect((await requester().sessions.get(ticket.sessionId))?.state).toBe('pending');
    expect(h.emulator.oauth.deviceGrants()).toHaveLength(grantsBefore);
    expect(h.emulator.sentMessages().find((m) => m.messageId === message.messageId)?.patches)
      .toEqual([]);
  });

  it('refuses consent by another account: no token stored, the card says why', async () => {
    const user = 'ou_cardauth00000000000000000000c3';
    h.emulator.oauth.scriptUser(user, { outcome: 'approved', openId: OTHER });
    const { ticket, message, card } = await ask(user);

    h.emulator.oauth.openVerificationPage(await authorizeAndGetConsentUrl(message.messageId,
      card, user), user);
    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });

    expect(session).toMatchObject({ state: 'failed',
      failureReason: 'a different account consented' });
    expect(await requester().vault.get(APP.appId, user)).toBeUndefined();
    const shown = await waitForCard(h.emulator, message.messageId,
      (c) => titleOf(c) === 'Authorization failed');
    expect(JSON.stringify(shown)).toContain('A different account consented');
  });

  it('ends as declined when the user refuses on the consent page', async () => {
    const user = 'ou_cardauth00000000000000000000d4';
    h.emulator.oauth.scriptUser(user, { outcome: 'access_denied' });
    const { ticket, message, card } = await ask(user);

    h.emulator.oauth.openVerificationPage(await authorizeAndGetConsentUrl(message.messageId,
      card, user), user);

    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });
    expect(session.state).toBe('declined');
    const shown = await waitForCard(h.emulator, message.messageId,
      (c) => titleOf(c) === 'Authorization declined');
    expect(JSON.stringify(shown)).toContain('ask again');
  });

  it('ends as declined when the user presses Decline on the card', async () => {
    const user = 'ou_cardauth00000000000000000000e5';
    const { ticket, message, card } = await ask(user);
    await click(message.messageId, user, callbackValue(card, 'Decline'));
    await waitForCard(h.emulator, message.messageId,
      (c) => titleOf(c) === 'Authorization declined');
    expect((await requester().sessions.get(ticket.sessionId))?.state).toBe('declined');
  });

  it('ends as expired when the device code runs out', async () => {
    const user = 'ou_cardauth00000000000000000000f6';
    const { ticket, message, card } = await ask(user);
    const url = await authorizeAndGetConsentUrl(message.messageId, card, user);

    h.emulator.oauth.scriptDeviceGrant({ userCode: new URL(url).searchParams.get('user_code')! },
      { outcome: 'expired_token' });

    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });
    expect(session.state).toBe('expired');
    await waitForCard(h.emulator, message.messageId, (c) => titleOf(c) === 'Authorization expired');
  });

  it('keeps polling through slow_down and completes once the user consents', async () => {
    const user = 'ou_cardauth00000000000000000000h8';
    const { ticket, message, card } = await ask(user);
    const url = await authorizeAndGetConsentUrl(message.messageId, card, user);
    const userCode = new URL(url).searchParams.get('user_code')!;

    h.emulator.oauth.scriptDeviceGrant({ userCode }, { outcome: 'slow_down', times: 2 });
    h.emulator.oauth.openVerificationPage(url, user);

    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });
    expect(session.state).toBe('completed');
    const grant = h.emulator.oauth.deviceGrants().find((g) => g.userCode === userCode)!;
    expect(grant.polls).toBeGreaterThanOrEqual(3);
  });

  it('keeps polling through a passing platform failure (5xx, 20050) and completes', async () => {
    const user = 'ou_cardauth00000000000000000000k9';
    const { ticket, message, card } = await ask(user);
    const url = await authorizeAndGetConsentUrl(message.messageId, card, user);
    h.emulator.injectError({ method: 'POST', path: /\/authen\/v2\/oauth\/token$/, status: 503,
      body: { code: 20050, error: 'server_error' }, times: 2 });

    h.emulator.oauth.openVerificationPage(url, user);

    const session = await requester().auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });
    // The first two polls were answered 503: completing means they were waited out.
    expect(session.state).toBe('completed');
  });

  it('shows the notice line of a repeated request on the card', async () => {
    const ticket = await requester().auth.requestAuthorization({ openId: 'ou_cardauth_notice',
      scopes: ['docx:document'], reason: 'To keep summarising your documents', chatId: CHAT,
      notice: 'Your authorization has expired; authorize again to keep using summaries.' });
    const message = h.emulator.sentMessages()
      .find((m) => m.messageId === ticket.session.messageId)!;
    expect(JSON.stringify(currentCard(message))).toContain('Your authorization has expired');
  });

  it('gives up waiting after timeoutMs with a catalogued error, and knows no made-up session',
    async () => {
      const { ticket } = await ask('ou_cardauth00000000000000000000i9');
      await expect(requester().auth.waitForAuthorization(ticket.sessionId, { timeoutMs: 100 }))
        .rejects.toMatchObject({ code: 'LARK_E_AUTH_WAIT_TIMEOUT' });
      await expect(requester().auth.waitForAuthorization('AAAAAAAAAAAAAAAAAAAAAAAA'))
        .rejects.toMatchObject({ code: 'LARK_E_AUTH_SESSION_NOT_FOUND' });
    });

  it('limits requests per user per minute with a clear error', async () => {
    const user = 'ou_cardauth00000000000000000000g7';
    for (let i = 0; i < 5; i += 1) await ask(user, [`scope:${i}`]);
    await expect(ask(user, ['scope:5'])).rejects.toMatchObject({
      code: 'LARK_E_AUTH_RATE_LIMITED', message: expect.stringContaining(user) });
  });

  it('counts every session that ended, by state, on /metrics', async () => {
    const text = await h.kernel.metrics.registry.getSingleMetricAsString(
      'lark_service_auth_sessions_total');
    for (const state of ['completed', 'declined', 'expired', 'failed'] as const) {
      const stored = (await requester().sessions.listByState(state)).length;
      const counted = new RegExp(`\\{state="${state}"\\} (\\d+)`).exec(text)?.[1] ?? '0';
      expect({ state, counted: Number(counted) }).toEqual({ state, counted: stored });
    }
    expect(text).toMatch(/\{state="completed"\} [1-9]/);
    expect(text).toMatch(/\{state="declined"\} [1-9]/);
  });

  it('writes no token, device code, app secret or vault key into the log', () => {
    const deviceCodes = h.emulator.oauth.deviceGrants().map((grant) => grant.deviceCode);
    const log = h.logs.text();
    expect(log).toContain('user token stored');
    expect(log).toContain('authorization card updated');
    for (const secret of [...secretsSeen, ...deviceCodes, APP.appSecret]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    // The logger would scrub a token shape; nothing should even have tried to log one.
    expect(log).not.toContain('[redacted]');
  });
});
