import { describe, expect, it } from 'vitest';

import {
  consentCard, endedCard, requestCard, WRONG_ACCOUNT,
} from '../../../plugins/card-auth/auth-cards.js';
import type { AuthorizationSession } from '../../../plugins/session-manager/index.js';

const session: AuthorizationSession = {
  id: 'S3ss10nS3ss10nS3ss10nS3', appId: 'cli_a1b2c3d4e5f60718', openId: 'ou_card_user_1',
  scopes: ['calendar:calendar:readonly', 'offline_access', 'custom:scope'],
  reason: 'To add the meeting to your calendar', notice: 'Your authorization expired.',
  state: 'pending', createdAt: 0, updatedAt: 0, expiresAt: 600_000,
};
const look = { language: 'en' as const, description: 'detailed' as const,
  privacyPolicyUrl: 'https://example.com/privacy',
  timeZone: 'UTC' };

describe('authorization cards', () => {
  it('sends a shared JSON 2.0 card whose buttons carry the session id in callback behaviors',
    () => {
      const card = requestCard(session, look);
      const text = JSON.stringify(card);
      expect(card).toMatchObject({ schema: '2.0', config: { update_multi: true } });
      expect(text).toContain('"behaviors":[{"type":"callback","value":{"cardAuth":"authorize",' +
        '"sessionId":"S3ss10nS3ss10nS3ss10nS3"}}]');
      expect(text).toContain('"value":{"cardAuth":"decline"');
      expect(text).not.toMatch(/"tag":"button"[^}]*"value"/);
    });

  it('shows the reason, the notice, scopes in plain words and the privacy link', () => {
    const text = JSON.stringify(requestCard(session, look));
    expect(text).toContain('To add the meeting to your calendar');
    expect(text).toContain('Your authorization expired.');
    expect(text).toContain('View your calendar (calendar:calendar:readonly)');
    expect(text).toContain('- custom:scope');
    expect(text).toContain('(https://example.com/privacy)');
  });

  it('writes both languages when asked for both', () => {
    const text = JSON.stringify(requestCard(session, { ...look, language: 'both' }));
    expect(text).toContain('授权');
    expect(text).toContain('Authorize');
  });

  it('turns Authorize into a button opening the consent page, still JSON 2.0', () => {
    const card = consentCard(session, 'https://consent.example/verify?user_code=BCDF-GHJK', look);
    expect(card.schema).toBe('2.0');
    expect(JSON.stringify(card)).toContain('"type":"open_url","default_url":' +
      '"https://consent.example/verify?user_code=BCDF-GHJK"');
  });

  it('says who authorized and when, and explains a different account plainly', () => {
    const completed = endedCard({ ...session, state: 'completed', authorizedName: 'Ann',
      endedAt: Date.UTC(2026, 0, 2, 3, 4, 5) }, look);
    const failed = endedCard({ ...session, state: 'failed', failureReason: WRONG_ACCOUNT }, look);
    expect(JSON.stringify(completed)).toContain('Ann authorized at 2026-01-02 03:04:05.');
    expect(JSON.stringify(failed)).toContain('A different account consented');
  });
});

describe('authorization cards in the short description', () => {
  const short = { ...look, description: 'short' as const };

  it('leaves the reason off an ended card, which the detailed card keeps', () => {
    const declined = { ...session, state: 'declined' as const };
    expect(JSON.stringify(endedCard(declined, short))).not.toContain('To add the meeting');
    expect(JSON.stringify(endedCard(declined, look))).toContain('To add the meeting');
  });

  it('keeps the reason, the notice and the consent button on the consent card, not the scopes',
    () => {
      const text = JSON.stringify(consentCard(session, 'https://consent.example/v', short));
      expect(text).toContain('To add the meeting to your calendar');
      expect(text).toContain('Your authorization expired.');
      expect(text).not.toContain('View your calendar');
      expect(text).toContain('"default_url":"https://consent.example/v"');
    });

  it('says in Chinese that a superseded authorization was replaced by a later one', () => {
    const card = endedCard({ ...session, state: 'superseded', authorizedName: '张三',
      endedAt: 0, updatedAt: Date.UTC(2026, 0, 2, 3, 4, 5) }, { ...short, language: 'zh' });
    expect(card.header).toMatchObject({ title: { content: '授权已被替换' }, template: 'grey' });
    expect(JSON.stringify(card)).toContain('张三 于 2026-01-02 03:04:05 在另一张卡片或设备上再次完成授权');
  });
});
