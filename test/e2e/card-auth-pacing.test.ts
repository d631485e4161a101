import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requesters } from '../fixtures/plugins/auth-requester.js';
import { startHarness, type Harness } from '../support/kernel-harness.js';
import { authYaml, callbackValue, consentUrl, currentCard, waitForCard } from './card-auth-support.js';

const CHAT = 'oc_pacing_chat_1';
const USERS = Array.from({ length: 8 }, (_, i) => `ou_pacing00000000000000000000000${i}`);
const POLLS_PER_SECOND = 2;

let h: Harness;
beforeAll(async () => {
  // Every session may poll each second, eight of them: four times what card-auth may send.
  h = await startHarness(authYaml({ name: 'pacing', pollsPerSecond: POLLS_PER_SECOND }),
    { oauth: { deviceIntervalSeconds: 1 } });
});
afterAll(async () => {
  await h?.stop();
});

describe('card-auth device-flow polling', () => {
  it('keeps to polling.maxPerSecond however many sessions await consent', async () => {
    const auth = requesters.get('pacing')!.auth;
    for (const user of USERS) {
      const ticket = await auth.requestAuthorization({ openId: user, scopes: ['im:message'],
        reason: 'To send the weekly report as you', chatId: CHAT });
      const sent = h.emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
      await h.emulator.clickCard({ operatorOpenId: user, messageId: sent.messageId, chatId: CHAT,
        value: callbackValue(currentCard(sent), 'Authorize') });
      await waitForCard(h.emulator, sent.messageId, (c) => consentUrl(c) !== undefined);
    }
    // Nobody consents: every session keeps polling while the test watches for 3 s.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const polls = h.emulator.requests({ path: '/open-apis/authen/v2/oauth/token' })
      .map((request) => request.at).sort((a, b) => a - b);
    expect(polls.length).toBeGreaterThanOrEqual(4);
    const busiestSecond = Math.max(...polls.map((at) =>
      polls.filter((other) => other >= at && other < at + 1_000).length));
    // Turns are 500 ms apart; one more allows for two requests' travel times differing.
    expect(busiestSecond).toBeLessThanOrEqual(POLLS_PER_SECOND + 1);
  });
});
