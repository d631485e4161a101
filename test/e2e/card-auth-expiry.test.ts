import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requesters } from '../fixtures/plugins/auth-requester.js';
import { startHarness, type Harness } from '../support/kernel-harness.js';
import { authYaml, callbackValue, currentCard, titleOf, waitForCard } from './card-auth-support.js';

const USER = 'ou_expiry0000000000000000000000a1';
const CHAT = 'oc_expiry_chat_1';

let h: Harness;
beforeAll(async () => {
  // Sessions live 300 ms here, so the deadline passes while the test watches.
  h = await startHarness(authYaml({ name: 'expiry', sessionTtlMinutes: 0.005 }));
});
afterAll(async () => {
  await h?.stop();
});

describe('card authorization past the session deadline', () => {
  it('expires an untouched session, updates its card, and a late click starts nothing',
    async () => {
      const auth = requesters.get('expiry')!.auth;
      const ticket = await auth.requestAuthorization({ openId: USER, scopes: ['im:message'],
        reason: 'To send the weekly report as you', chatId: CHAT });
      const sent = h.emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
      const authorize = callbackValue(currentCard(sent), 'Authorize');

      const session = await auth.waitForAuthorization(ticket.sessionId, { timeoutMs: 10_000 });
      expect(session).toMatchObject({ state: 'expired' });
      await waitForCard(h.emulator, sent.messageId, (c) => titleOf(c) === 'Authorization expired');

      await h.emulator.clickCard({ operatorOpenId: USER, messageId: sent.messageId, chatId: CHAT,
        value: authorize });
      expect(h.emulator.oauth.deviceGrants()).toEqual([]);
    });
});
