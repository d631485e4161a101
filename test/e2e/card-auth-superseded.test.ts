import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AuthorizationSession } from '../../plugins/session-manager/index.js';
import { requesters } from '../fixtures/plugins/auth-requester.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import {
  authYaml, callbackValue, consentUrl, currentCard, titleOf, waitForCard,
} from './card-auth-support.js';

const CHAT = 'oc_superseded_chat_1';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(authYaml({ name: 'superseded' }),
    { oauth: { deviceIntervalSeconds: 0.05 } });
});
afterAll(async () => {
  await h?.stop();
});

const requester = () => requesters.get('superseded')!;

/** Sends a card for `user`, clicks Authorize and returns the session and its consent link. */
async function askAndAuthorize(user: string, scopes: string[]) {
  const ticket = await requester().auth.requestAuthorization({ openId: user, scopes,
    reason: 'To add the meeting to your calendar', chatId: CHAT });
  const messageId = ticket.session.messageId!;
  const message = h.emulator.sentMessages().find((m) => m.messageId === messageId)!;
  await h.emulator.clickCard({ operatorOpenId: user, messageId, chatId: CHAT,
    value: callbackValue(currentCard(message), 'Authorize') });
  const card = await waitForCard(h.emulator, messageId, (c) => consentUrl(c) !== undefined);
  return { sessionId: ticket.sessionId, messageId, url: consentUrl(card)! };
}

/** Waits until every session has reached a state it keeps (superseding may come later). */
async function settled(ids: string[], done: (states: string[]) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const sessions = await Promise.all(ids.map((id) => requester().sessions.get(id)));
    const states = sessions.map((session) => session?.state ?? 'gone');
    if (done(states)) return sessions as AuthorizationSession[];
    if (Date.now() > deadline) throw new Error(`sessions never settled: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g;

describe('one user completing authorization twice, through the SDK WSClient', () => {
  it('lets the later completion win and updates the earlier card to say it was superseded',
    async () => {
      const user = 'ou_superseded000000000000000000a1';
      const ended: string[] = [];
      requester().auth.onAuthorizationEnded((session) => ended.push(session.id));

      const first = await askAndAuthorize(user, ['calendar:calendar:readonly']);
      h.emulator.oauth.openVerificationPage(first.url, user);
      await settled([first.sessionId], ([state]) => state === 'completed');
      const firstToken = (await requester().vault.get(APP.appId, user))!.accessToken;

      // The same user and scopes again, from another device: a new session, since the
      // first one has ended.
      const second = await askAndAuthorize(user, ['calendar:calendar:readonly']);
      h.emulator.oauth.openVerificationPage(second.url, user);
      const [earlier, later] = await settled([first.sessionId, second.sessionId],
        (states) => states.join() === 'superseded,completed');

      expect(earlier).toMatchObject({ state: 'superseded', supersededBy: second.sessionId });
      expect(later.state).toBe('completed');
      const stored = await requester().vault.get(APP.appId, user);
      expect(stored?.accessToken).not.toBe(firstToken);
      const card = await waitForCard(h.emulator, first.messageId,
        (c) => titleOf(c) === 'Authorization replaced');
      expect(JSON.stringify(card)).toContain('on another card or device');
      expect(titleOf(currentCard(h.emulator.sentMessages()
        .find((m) => m.messageId === second.messageId)!))).toBe('Authorized');
      expect(JSON.parse(JSON.stringify(card).replace(TIME, '<time>'))).toMatchSnapshot();
      // Superseding is not a second ending: the asking plugin heard of each session once.
      expect(ended.filter((id) => id === first.sessionId)).toHaveLength(1);
    });

  it('keeps exactly one of two sessions completing together, the one whose token is stored',
    async () => {
      const user = 'ou_superseded000000000000000000b2';
      const calendar = await askAndAuthorize(user, ['calendar:calendar:readonly']);
      const documents = await askAndAuthorize(user, ['docx:document']);

      // Both devices consent at once; both token polls may succeed in the same moment.
      h.emulator.oauth.openVerificationPage(calendar.url, user);
      h.emulator.oauth.openVerificationPage(documents.url, user);
      const sessions = await settled([calendar.sessionId, documents.sessionId],
        (states) => [...states].sort().join() === 'completed,superseded');

      const winner = sessions.find((session) => session.state === 'completed')!;
      const loser = sessions.find((session) => session.state === 'superseded')!;
      expect(loser.supersededBy).toBe(winner.id);
      const stored = await requester().vault.get(APP.appId, user);
      const winnerScope = winner.scopes.find((scope) => scope !== 'offline_access')!;
      const loserScope = loser.scopes.find((scope) => scope !== 'offline_access')!;
      expect(stored?.scopes).toContain(winnerScope);
      expect(stored?.scopes).not.toContain(loserScope);
      await waitForCard(h.emulator, loser.messageId!,
        (c) => titleOf(c) === 'Authorization replaced');
    });
});
