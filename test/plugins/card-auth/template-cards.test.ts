import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { lookFor, type CardLook } from '../../../plugins/card-auth/card-look.js';
import { authCard } from '../../../plugins/card-auth/card-view.js';
import { templateVariables } from '../../../plugins/card-auth/template-cards.js';
import {
  SESSION_STATES, type AuthorizationSession,
} from '../../../plugins/session-manager/index.js';

const session: AuthorizationSession = {
  id: 'S3ss10nS3ss10nS3ss10nS3', appId: 'cli_a1b2c3d4e5f60718', openId: 'ou_card_user_1',
  scopes: ['calendar:calendar:readonly', 'offline_access'], reason: 'To book the room',
  state: 'pending', createdAt: 0, updatedAt: 0, expiresAt: 600_000,
};
const base: CardLook = { language: 'en', description: 'detailed', timeZone: 'UTC',
  template: { id: 'tpl_all', version: '2.0.1', byState: { completed: { id: 'tpl_done' } } } };

describe('card templates', () => {
  it('gives every state the same variables, so a template never shows an unfilled one', () => {
    const keys = Object.keys(templateVariables(session, base, '')).sort();
    for (const state of SESSION_STATES) {
      expect(Object.keys(templateVariables({ ...session, state }, base, 'https://c')).sort(),
        state).toEqual(keys);
    }
  });

  it('documents every variable in docs/authorization.md', () => {
    const docs = readFileSync(new URL('../../../docs/authorization.md', import.meta.url), 'utf8');
    for (const key of Object.keys(templateVariables(session, base, ''))) {
      expect(docs, key).toMatch(new RegExp(`\\| [^\\n]*\`${key}\``));
    }
  });

  it('uses the template of the state when the plugin names one, else the common one', () => {
    const pending = authCard(session, base);
    const completed = authCard({ ...session, state: 'completed', endedAt: 0 }, base);
    expect(pending).toMatchObject({ type: 'template',
      data: { template_id: 'tpl_all', template_version_name: '2.0.1' } });
    expect(completed).toMatchObject({ type: 'template', data: { template_id: 'tpl_done' } });
    expect(completed.data).not.toHaveProperty('template_version_name');
  });

  it('lets a request choose its own template, for every state, over the plugin\'s', () => {
    const asked = { ...session, state: 'completed' as const,
      card: { cardTemplateId: 'tpl_request', language: 'zh' as const } };
    expect(lookFor(base, asked)).toMatchObject({ language: 'zh', description: 'detailed',
      template: { id: 'tpl_request' } });
    expect(authCard(asked, base)).toMatchObject({ data: { template_id: 'tpl_request',
      template_variable: { state: 'completed', title: '授权完成' } } });
  });

  it('sends the built-in JSON 2.0 card when no template is configured', () => {
    const card = authCard(session, { ...base, template: undefined });
    expect(card).toMatchObject({ type: 'raw', data: { schema: '2.0' } });
  });
});

describe('card-auth card options in the configuration', () => {
  it('defaults to the detailed built-in card and refuses a template version without an id',
    async () => {
      const { default: plugin } = await import('../../../plugins/card-auth/index.js');
      const schema = plugin.options!;
      expect(schema.parse({})).toMatchObject({ description: 'detailed', language: 'both' });
      expect(schema.parse({ cardTemplateId: 'tpl', description: 'short',
        cardTemplateByState: { superseded: { id: 'tpl_ended' } } }))
        .toMatchObject({ cardTemplateId: 'tpl', description: 'short' });
      const refused = schema.safeParse({ cardTemplateVersion: '1.0.0' });
      expect(refused.success).toBe(false);
      expect(JSON.stringify(refused.error?.issues)).toContain('need cardTemplateId');
      expect(schema.safeParse({ cardTemplateByState: { later: { id: 'x' } },
        cardTemplateId: 'tpl' }).success).toBe(false);
    });
});
