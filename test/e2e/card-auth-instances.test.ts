import { afterEach, expect, it, vi } from 'vitest';

import type { Emulator } from '../../src/emulator/index.js';
import { openStorage } from '../../src/kernel/store/storage.js';
import { systemClock } from '../../src/kernel/clock.js';
import { requesters } from '../fixtures/plugins/auth-requester.js';
import {
  APP, startAnotherKernel, startHarness, type Harness,
} from '../support/kernel-harness.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';
import {
  authYaml, callbackValue, consentUrl, currentCard, titleOf, waitForCard,
} from './card-auth-support.js';

const USER = 'ou_instances0000000000000000000a1';
const CHAT = 'oc_instances_chat_1';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function yamlFor(name: string, prefix: string, flow: 'device' | 'redirect' = 'device'): string {
  return authYaml({ name, flow,
    store: `{ type: redis, url: "${REDIS_URL}", prefix: "${prefix}" }` })
    .replace('options: { encryptionKey:', 'options: { retentionMinutes: 2, encryptionKey:');
}

async function firstKernel(name: string, prefix: string,
  flow: 'device' | 'redirect' = 'device'): Promise<Harness> {
  const h = await startHarness(yamlFor(name, prefix, flow),
    { oauth: { deviceIntervalSeconds: 0.05 } });
  cleanup.push(() => h.stop());
  return h;
}

/** A second instance of the same app on the same Redis, connected to the same platform. */
async function secondKernel(emulator: Emulator, name: string, prefix: string,
  flow: 'device' | 'redirect' = 'device') {
  const started = await startAnotherKernel(emulator, yamlFor(name, prefix, flow));
  cleanup.push(() => started.kernel.stop());
  return started;
}

const unique = () => `ca${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

async function askOn(name: string, emulator: Emulator) {
  const ticket = await requesters.get(name)!.auth.requestAuthorization({ openId: USER,
    scopes: ['calendar:calendar'], reason: 'To book the room', chatId: CHAT });
  const message = emulator.sentMessages().find((m) => m.messageId === ticket.session.messageId)!;
  return { ticket, message };
}

async function clickAuthorize(emulator: Emulator, messageId: string) {
  const message = emulator.sentMessages().find((m) => m.messageId === messageId)!;
  await emulator.clickCard({ operatorOpenId: USER, messageId, chatId: CHAT,
    value: callbackValue(currentCard(message), 'Authorize') });
  const card = await waitForCard(emulator, messageId, (c) => consentUrl(c) !== undefined);
  return consentUrl(card)!;
}

describeWithRedis('card authorization across two instances sharing Redis', () => {
  it('completes on kernel B a session created on kernel A, from a click delivered to B',
    async () => {
      const prefix = unique();
      const a = await firstKernel(`a-${prefix}`, prefix);
      const b = await secondKernel(a.emulator, `b-${prefix}`, prefix);
      const { ticket, message } = await askOn(`a-${prefix}`, a.emulator);
      await a.kernel.stop();
      // The platform has to notice A's socket closing before it routes clicks to B only.
      await vi.waitFor(() => expect(a.emulator.connections()).toHaveLength(1));

      a.emulator.oauth.openVerificationPage(await clickAuthorize(a.emulator, message.messageId),
        USER);
      const session = await requesters.get(`b-${prefix}`)!.auth
        .waitForAuthorization(ticket.sessionId, { timeoutMs: 10_000 });

      expect(session.state).toBe('completed');
      expect(b.logs.text()).toContain('user token stored');
      expect(await requesters.get(`b-${prefix}`)!.vault.get(APP.appId, USER)).toBeDefined();
      await waitForCard(a.emulator, message.messageId, (c) => titleOf(c) === 'Authorized');
    });

  it('keeps polling after the instance that started it stops: another takes the lease',
    async () => {
      const prefix = unique();
      const a = await firstKernel(`a-${prefix}`, prefix);
      const { ticket, message } = await askOn(`a-${prefix}`, a.emulator);
      const url = await clickAuthorize(a.emulator, message.messageId);
      const b = await secondKernel(a.emulator, `b-${prefix}`, prefix);
      await a.kernel.stop();

      a.emulator.oauth.openVerificationPage(url, USER);
      const session = await requesters.get(`b-${prefix}`)!.auth
        .waitForAuthorization(ticket.sessionId, { timeoutMs: 10_000 });

      expect(session.state).toBe('completed');
      expect(b.logs.text()).toContain('user token stored');
      const log = a.logs.text() + b.logs.text();
      const stored = await requesters.get(`b-${prefix}`)!.vault.get(APP.appId, USER);
      for (const secret of [stored!.accessToken, stored!.refreshToken!,
        ...a.emulator.oauth.deviceGrants().map((grant) => grant.deviceCode)]) {
        expect(log).not.toContain(secret);
      }
      expect(log).not.toContain('[redacted]');
    });

  it('waits out the lease of a poller that died holding it, then polls on another instance',
    async () => {
      const prefix = unique();
      const a = await firstKernel(`a-${prefix}`, prefix);
      const { ticket, message } = await askOn(`a-${prefix}`, a.emulator);
      const url = await clickAuthorize(a.emulator, message.messageId);
      await a.kernel.stop();
      // A dead instance's lease: taken and never given back, it lapses after its TTL.
      const storage = await openStorage({ type: 'redis', url: REDIS_URL, prefix }, systemClock);
      cleanup.push(() => storage.close());
      const takenAt = Date.now();
      expect(await storage.coordination.tryLock(`card-auth:poll-lease:${ticket.sessionId}`,
        1_500)).toBeDefined();
      await secondKernel(a.emulator, `b-${prefix}`, prefix);

      a.emulator.oauth.openVerificationPage(url, USER);
      const session = await requesters.get(`b-${prefix}`)!.auth
        .waitForAuthorization(ticket.sessionId, { timeoutMs: 10_000 });

      expect(session.state).toBe('completed');
      expect(session.endedAt! - takenAt).toBeGreaterThanOrEqual(1_500);
    });

  it('supersedes, on kernel B, the session a user completed on kernel A before', async () => {
    const prefix = unique();
    const a = await firstKernel(`a-${prefix}`, prefix);
    const first = await askOn(`a-${prefix}`, a.emulator);
    a.emulator.oauth.openVerificationPage(await clickAuthorize(a.emulator,
      first.message.messageId), USER);
    expect((await requesters.get(`a-${prefix}`)!.auth.waitForAuthorization(
      first.ticket.sessionId, { timeoutMs: 10_000 })).state).toBe('completed');
    const b = await secondKernel(a.emulator, `b-${prefix}`, prefix);
    await a.kernel.stop();
    await vi.waitFor(() => expect(a.emulator.connections()).toHaveLength(1));

    // The same user on another device, served by B only: B finds A's completion in Redis.
    const second = await askOn(`b-${prefix}`, a.emulator);
    a.emulator.oauth.openVerificationPage(await clickAuthorize(a.emulator,
      second.message.messageId), USER);
    await requesters.get(`b-${prefix}`)!.auth.waitForAuthorization(second.ticket.sessionId,
      { timeoutMs: 10_000 });

    const sessions = requesters.get(`b-${prefix}`)!.sessions;
    expect(await sessions.get(first.ticket.sessionId)).toMatchObject({ state: 'superseded',
      supersededBy: second.ticket.sessionId });
    expect((await sessions.get(second.ticket.sessionId))?.state).toBe('completed');
    expect(b.logs.text()).toContain('authorization superseded by a later one');
    await waitForCard(a.emulator, first.message.messageId,
      (c) => titleOf(c) === 'Authorization replaced');
  });

  it('completes on kernel B a redirect whose state was issued by kernel A, once', async () => {
    const prefix = unique();
    const a = await firstKernel(`a-${prefix}`, prefix, 'redirect');
    a.emulator.oauth.signIn(USER);
    const { ticket, message } = await askOn(`a-${prefix}`, a.emulator);
    const authorizeUrl = await clickAuthorize(a.emulator, message.messageId);
    const b = await secondKernel(a.emulator, `b-${prefix}`, prefix, 'redirect');
    await a.kernel.stop();
    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);

    // A load balancer in front of both listeners sends the browser to B.
    const listenerB = b.logs.lines().find((line) => line['msg'] === 'redirect listener ready');
    const atB = new URL(`${callback.pathname}${callback.search}`,
      String(listenerB!['redirectUri']));
    const first = await fetch(atB);
    const replay = await fetch(atB);

    expect([first.status, replay.status]).toEqual([200, 400]);
    expect((await requesters.get(`b-${prefix}`)!.sessions.get(ticket.sessionId))?.state)
      .toBe('completed');
    const exchange = a.emulator.requests({ path: '/open-apis/authen/v2/oauth/token' });
    expect(exchange).toHaveLength(1);
    expect((exchange[0]!.body as Record<string, string>)['redirect_uri'])
      .toBe(callback.origin + callback.pathname);
  });
});
