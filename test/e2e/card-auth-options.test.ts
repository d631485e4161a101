import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AuthorizationRequest } from '../../plugins/card-auth/index.js';
import type { TemplateCardData } from '../../plugins/card-auth/template-cards.js';
import type { SentMessage } from '../../src/emulator/types.js';
import { requesters } from '../fixtures/plugins/auth-requester.js';
import { startHarness, type Harness } from '../support/kernel-harness.js';
import { authYaml } from './card-auth-support.js';

const CHAT = 'oc_cardopts_chat_1';
const PRIVACY = 'https://example.com/privacy';

let h: Harness;

// The plugin's own options: Chinese, short, with a privacy link. Requests override them.
beforeAll(async () => {
  h = await startHarness(authYaml({ name: 'options', language: 'zh',
    cardAuth: ['description: short', `privacyPolicyUrl: "${PRIVACY}"`] }),
  { oauth: { deviceIntervalSeconds: 0.05 } });
});
afterAll(async () => {
  await h?.stop();
});

let users = 0;
/** A user of its own for each request, so neither reuse nor the rate limit gets in the way. */
const nextUser = () => `ou_cardopts${String((users += 1)).padStart(22, '0')}`;

/** Sends a request and returns the message the emulator received for it. */
async function send(extra: Partial<AuthorizationRequest> = {}) {
  const ticket = await requesters.get('options')!.auth.requestAuthorization({
    openId: extra.openId ?? nextUser(), scopes: ['calendar:calendar:readonly', 'custom:scope'],
    reason: 'To add the meeting to your calendar', chatId: CHAT, ...extra });
  const message = h.emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
  return { ticket, message };
}

const TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g;

/** The JSON the emulator received, with the session's random id and the times masked. */
function received(content: string, sessionId: string): Record<string, unknown> {
  return JSON.parse(content.split(sessionId).join('<session-id>').replace(TIME, '<time>')) as
    Record<string, unknown>;
}

const sentCard = (message: SentMessage, sessionId: string) =>
  received(message.content, sessionId);

describe('card options: each option changes the card the platform receives', () => {
  it('uses the plugin options: Chinese, short (scopes on one line), the privacy link', async () => {
    const { ticket, message } = await send();
    const card = sentCard(message, ticket.sessionId);
    const text = JSON.stringify(card);
    expect(text).toContain('需要你的授权');
    expect(text).toContain('权限：查看你的日历, custom:scope, 在你离线时保持授权（可随时撤销）');
    expect(text).toContain(`[隐私政策](${PRIVACY})`);
    expect(text).not.toContain('(calendar:calendar:readonly)');
    expect(card).toMatchSnapshot();
  });

  it('takes the language of the request over the plugin\'s: English', async () => {
    const { ticket, message } = await send({ card: { language: 'en' } });
    const card = sentCard(message, ticket.sessionId);
    expect(JSON.stringify(card)).toContain('Allows: View your calendar');
    expect(JSON.stringify(card)).not.toMatch(/[\u4e00-\u9fff]/);
    expect(card).toMatchSnapshot();
  });

  it('writes Chinese then English, each with its own scope names, for language both',
    async () => {
      const { ticket, message } = await send({ card: { language: 'both' } });
      const card = sentCard(message, ticket.sessionId);
      expect(JSON.stringify(card)).toContain('权限：查看你的日历, custom:scope, ' +
        '在你离线时保持授权（可随时撤销）\\nAllows: View your calendar, custom:scope, ' +
        'Stay authorized while you are away (revocable)');
      expect(card).toMatchSnapshot();
    });

  it('lists every scope with its code for the detailed description of a request',
    async () => {
      const { ticket, message } = await send({ card: { description: 'detailed' } });
      const card = sentCard(message, ticket.sessionId);
      expect(JSON.stringify(card)).toContain('将获得以下权限：\\n- 查看你的日历 (calendar:calendar:readonly)');
      expect(card).toMatchSnapshot();
    });

  it('shows the privacy-policy link of the request instead of the plugin\'s', async () => {
    const { ticket, message } = await send({
      card: { privacyPolicyUrl: 'https://example.org/other-policy' } });
    const card = sentCard(message, ticket.sessionId);
    expect(JSON.stringify(card)).toContain('(https://example.org/other-policy)');
    expect(JSON.stringify(card)).not.toContain(PRIVACY);
    expect(card).toMatchSnapshot();
  });

  it('refuses invalid card options of a request before anything is stored or sent',
    async () => {
      const before = h.emulator.sentMessages().length;
      await expect(send({ card: { privacyPolicyUrl: 'javascript:alert(1)' } }))
        .rejects.toMatchObject({ code: 'LARK_E_AUTH_REQUEST_INVALID',
          message: expect.stringContaining('card.privacyPolicyUrl') });
      await expect(send({ card: { cardTemplateVersion: '1.0.0' } }))
        .rejects.toMatchObject({ code: 'LARK_E_AUTH_REQUEST_INVALID' });
      expect(h.emulator.sentMessages()).toHaveLength(before);
    });
});

describe('the friendly line naming the feature that needs a token', () => {
  const expected = {
    zh: '你之前的授权已无法续期，请重新授权以继续使用「Meeting notes」。',
    en: 'Your earlier authorization can no longer be renewed; authorize again to keep using ' +
      'Meeting notes.',
  };

  for (const language of ['zh', 'en', 'both'] as const) {
    for (const description of ['detailed', 'short'] as const) {
      it(`renders in ${language}, ${description}, when a token can no longer be refreshed`,
        async () => {
          const { message } = await send({ feature: 'Meeting notes', renewal: true,
            card: { language, description } });
          const text = JSON.stringify(JSON.parse(message.content));
          if (language !== 'en') expect(text).toContain(`**${expected.zh}`);
          if (language !== 'zh') expect(text).toContain(`${expected.en}**`);
          if (language === 'both') expect(text).toContain(`**${expected.zh}\\n${expected.en}**`);
        });
    }
  }

  it('names the feature of a first request without speaking of renewal', async () => {
    const { ticket, message } = await send({ feature: 'Meeting notes',
      card: { language: 'en' } });
    const text = message.content;
    expect(text).toContain('**Meeting notes needs your authorization.**');
    expect(text).not.toContain('renewed');
    expect(sentCard(message, ticket.sessionId)).toMatchSnapshot();
  });

  it('says an authorization can no longer be renewed when no feature is named', async () => {
    const { message } = await send({ renewal: true, card: { language: 'en' } });
    expect(message.content)
      .toContain('Your earlier authorization can no longer be renewed; please authorize again.');
  });
});

describe('a custom card template', () => {
  it('is sent with its variables instead of the built-in card', async () => {
    const { ticket, message } = await send({ feature: 'Meeting notes', renewal: true,
      notice: 'Summaries pause until you authorize.',
      card: { cardTemplateId: 'AAqkTplAuth01', cardTemplateVersion: '1.0.3', language: 'en' } });
    const content = JSON.parse(message.content) as { type: string; data: TemplateCardData };
    expect(content.type).toBe('template');
    expect(content.data.template_id).toBe('AAqkTplAuth01');
    expect(content.data.template_version_name).toBe('1.0.3');
    const value = (cardAuth: string) => ({ cardAuth, sessionId: ticket.sessionId });
    expect(content.data.template_variable).toEqual({
      state: 'pending', language: 'en', description: 'short',
      title: 'Authorization needed', header_color: 'blue',
      reason: 'To add the meeting to your calendar',
      feature_line: 'Your earlier authorization can no longer be renewed; authorize again to ' +
        'keep using Meeting notes.',
      notice: 'Summaries pause until you authorize.',
      scopes_text: 'Allows: View your calendar, custom:scope, Stay authorized while you ' +
        'are away (revocable)',
      scope_list: [
        { scope: 'calendar:calendar:readonly', text: 'View your calendar' },
        { scope: 'custom:scope', text: 'custom:scope' },
        { scope: 'offline_access', text: 'Stay authorized while you are away (revocable)' },
      ],
      privacy_url: PRIVACY, privacy_label: 'Privacy policy',
      body: expect.stringContaining(`[Privacy policy](${PRIVACY})`),
      session_id: ticket.sessionId,
      authorize_label: 'Authorize', decline_label: 'Decline',
      authorize_value: value('authorize'), decline_value: value('decline'),
      consent_url: '', consent_label: 'Open the consent page', next_step: '',
      detail: '', ask_again: '', authorized_by: '', authorized_at: '',
    });
    expect(received(message.content, ticket.sessionId)).toMatchSnapshot();
  });

  it('is also used for the awaiting-consent answer and the completed update', async () => {
    const { ticket, message } = await send({ openId: 'ou_cardopts_template_user_0001',
      card: { cardTemplateId: 'AAqkTplAuth01', language: 'en' } });
    const user = ticket.session.openId;
    const sent = JSON.parse(message.content) as { data: TemplateCardData };

    const { response } = await h.emulator.clickCard({ operatorOpenId: user, chatId: CHAT,
      messageId: message.messageId, value: sent.data.template_variable.authorize_value });

    // The click is answered at once; the card with the consent link follows as an update.
    expect(response).toMatchObject({ toast: { type: 'info',
      content: expect.stringContaining('Preparing the consent page') } });
    const update = JSON.parse(await waitForPatch(message.messageId)) as
      { type: string; data: TemplateCardData };
    expect(update.type).toBe('template');
    const awaiting = update.data.template_variable;
    expect(awaiting).toMatchObject({ state: 'awaiting_consent',
      next_step: expect.stringContaining('Open the consent page inside Feishu') });
    expect(awaiting.consent_url).toContain('user_code=');

    h.emulator.oauth.openVerificationPage(awaiting.consent_url, user);
    const ended = await requesters.get('options')!.auth.waitForAuthorization(ticket.sessionId,
      { timeoutMs: 10_000 });
    expect(ended.state).toBe('completed');
    const patched = await waitForPatch(message.messageId, (card) => card.includes('"completed"'));
    const completed = JSON.parse(patched) as { type: string; data: TemplateCardData };
    expect(completed).toMatchObject({ type: 'template', data: { template_id: 'AAqkTplAuth01',
      template_variable: { state: 'completed', title: 'Authorized',
        authorized_by: `User ${user.slice(-4)}`, authorized_at: expect.stringMatching(TIME),
        detail: expect.stringContaining('authorized at'), consent_url: '' } } });
    expect(received(patched, ticket.sessionId)).toMatchSnapshot();
  });
});

async function waitForPatch(messageId: string, accept: (card: string) => boolean = () => true,
  timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const patch = h.emulator.sentMessages().find((m) => m.messageId === messageId)?.patches.at(-1);
    if (patch && accept(patch)) return patch;
    if (Date.now() > deadline) throw new Error(`message ${messageId} was never updated`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
