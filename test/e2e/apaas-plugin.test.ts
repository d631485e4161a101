import { afterEach, describe, expect, it } from 'vitest';

import { ApaasScopes } from '../../plugins/apaas/index.js';
import type { SentMessage } from '../../src/emulator/types.js';
import { tokenUsers } from '../fixtures/plugins/token-user.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import {
  callbackValue, consentUrl, currentCard, VAULT_KEY, waitForCard,
} from './card-auth-support.js';
import { refreshRequests } from './token-refresh-support.js';

const USER = 'ou_apaasuser000000000000000000001';
const CHAT = 'oc_apaas_direct';
const READ = ApaasScopes.workspaceRecordRead;

/**
 * apaas from configuration beside the authorization plugins, with no stand-in: users'
 * tokens come from token-refresh, cards from card-auth, over the real SDK and the emulator.
 */
const yaml = (name: string) => `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
plugins:
  - use: group-message
  - use: session-manager
    options: { encryptionKey: "${VAULT_KEY}" }
  - use: card-auth
    options: { openInFeishu: false, language: en, polling: { scanMs: 50, leaseMs: 1000 } }
  - use: token-refresh
    options: { feature: Stock report, retry: { backoffMs: 10 } }
  - use: apaas
  - use: ../plugins/workspace-query.ts
  - use: ../plugins/order-report.ts
  - use: ../plugins/token-user.ts
    options: { name: ${name} }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

let started = 0;
async function start() {
  const name = `apaas-${(started += 1)}`;
  h = await startHarness(yaml(name), { oauth: { deviceIntervalSeconds: 0.05 } });
  h.emulator.apaas.seedWorkspace({ workspaceId: 'ws_stock', tables: [{ name: 'stock',
    records: [{ item: 'tea', qty: 3 }, { item: 'cake', qty: 7 }] }] });
  h.emulator.apaas.seedWorkspace({ workspaceId: 'ws_shop', tables: [{ name: 'orders',
    records: [{ item: 'tea', qty: 3 }, { item: 'cake', qty: 7 }] }] });
  return { h, handle: tokenUsers.get(name)! };
}

/** The user had authorized `scopes` earlier: the tokens card-auth would have stored. */
async function authorized(handle: ReturnType<typeof tokenUsers.get>, scopes: string[],
  expiresInMs = 7_200_000) {
  const issue = h!.emulator.oauth.issueTokens(APP.appId, USER, ['offline_access', ...scopes]);
  const now = Date.now();
  await handle!.vault.put({ appId: APP.appId, openId: USER, accessToken: issue.access_token,
    accessTokenExpiresAt: now + expiresInMs, refreshToken: issue.refresh_token!,
    refreshTokenExpiresAt: now + 604_800_000, scopes: ['offline_access', ...scopes],
    grantedAt: now, updatedAt: now });
  return issue;
}

async function ask(text: string): Promise<string> {
  const before = new Set(h!.emulator.sentMessages().map((m) => m.messageId));
  await h!.emulator.sendUserMessage({ chatId: CHAT, chatType: 'p2p', senderOpenId: USER, text });
  const reply = await h!.emulator.waitForMessage((m) => m.chatId === CHAT && m.msgType === 'text'
    && !before.has(m.messageId), 20_000);
  return (JSON.parse(reply.content) as { text: string }).text;
}

const cards = (): SentMessage[] =>
  h!.emulator.sentMessages().filter((m) => m.msgType === 'interactive');

describe('apaas with token-refresh and card-auth from configuration', () => {
  it('queries a workspace with the asking user\'s own token', async () => {
    const { handle } = await start();
    const issue = await authorized(handle, [READ]);

    expect(await ask('/orders')).toBe('cake x7, tea x3');
    const [query] = h!.emulator.requests({ path: /\/tables\/orders\/records$/ });
    expect(query?.headers.authorization).toBe(`Bearer ${issue.access_token}`);
    expect(cards()).toHaveLength(0);
  });

  it('sends a user without authorization one card; once they authorize, the waiting call '
    + 'completes', async () => {
    await start();
    const replied = ask('/stock-wait');
    const card = await waitForCardTo(USER);

    await h!.emulator.clickCard({ operatorOpenId: USER, messageId: card.messageId,
      chatId: card.chatId, value: callbackValue(currentCard(card), 'Authorize') });
    const consent = await waitForCard(h!.emulator, card.messageId,
      (c) => consentUrl(c) !== undefined);
    h!.emulator.oauth.openVerificationPage(consentUrl(consent)!, USER);

    expect(await replied).toBe('cake:7, tea:3');
    expect(cards()).toHaveLength(1);
    expect(card.content).toContain('Stock report needs your authorization');
    expect(card.content).toContain(READ);
  });

  it('refreshes a user token the platform says has expired, and the call succeeds', async () => {
    const { handle } = await start();
    const issue = await authorized(handle, [READ]);
    h!.emulator.apaas.expireUserTokens(USER);

    expect(await ask('/stock')).toBe('cake:7, tea:3');
    expect(refreshRequests(h!.emulator)).toHaveLength(1);
    const stored = await handle.vault.get(APP.appId, USER);
    expect(stored?.accessToken).not.toBe(issue.access_token);
    const queries = h!.emulator.requests({ path: /\/tables\/stock\/records$/ });
    expect(queries.map((q) => q.headers.authorization)).toEqual(
      [`Bearer ${issue.access_token}`, `Bearer ${stored!.accessToken}`]);
    expect(cards()).toHaveLength(0);
    expect(h!.logs.text()).not.toContain(issue.refresh_token!);
  });

  it('sends a card for exactly the scope the user has not granted', async () => {
    const { handle } = await start();
    await authorized(handle, ['calendar:calendar']);

    expect(await ask('/stock')).toBe(`authorize: ${READ}`);

    expect(cards()).toHaveLength(1);
    expect(cards()[0]!.content).toContain(READ);
    expect(cards()[0]!.content).not.toContain('calendar:calendar');
  });

  it('sends no card when the app itself lacks the scope', async () => {
    const { handle } = await start();
    await authorized(handle, [READ]);
    h!.emulator.apaas.denyAppScopes([READ, ApaasScopes.workspaceRecordWrite]);

    expect(await ask('/stock')).toBe('error: LARK_E_APAAS_APP_SCOPE_MISSING');
    expect(cards()).toHaveLength(0);
    expect(h!.emulator.requests({ path: /\/tables\/stock\/records$/ })).toHaveLength(1);
  });

  it('sends one card, with the expiry notice, when the refresh token is refused', async () => {
    const { handle } = await start();
    await authorized(handle, [READ], -1_000);
    h!.emulator.injectError({ method: 'POST', path: '/open-apis/authen/v2/oauth/token',
      status: 400, body: { code: 20064, error: 'invalid_grant' } });

    expect(await ask('/stock')).toBe(`authorize: ${READ}`);

    expect(cards()).toHaveLength(1);
    expect(cards()[0]!.content).toContain(
      'Your earlier authorization can no longer be renewed; authorize again to keep using ' +
      'Stock report.');
    expect(await handle.vault.get(APP.appId, USER)).toBeUndefined();
    expect(refreshRequests(h!.emulator)).toHaveLength(1);
  });
});

/** The authorization card sent to the user, once it is there. */
async function waitForCardTo(openId: string): Promise<SentMessage> {
  return h!.emulator.waitForMessage((m) => m.msgType === 'interactive'
    && m.receiveId === openId, 10_000);
}
