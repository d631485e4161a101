import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import type { AuthParts } from '../../../plugins/card-auth/auth-parts.js';
import { TrackedWork } from '../../../plugins/card-auth/background-work.js';
import { createClickHandler } from '../../../plugins/card-auth/click-handler.js';
import { StoreAuthorizationSessions } from '../../../plugins/session-manager/authorization-sessions.js';
import { systemClock } from '../../../src/kernel/clock.js';
import type { CardAction } from '../../../src/kernel/dispatch/lark-event.js';
import { openStorage, type Storage } from '../../../src/kernel/store/storage.js';

const USER = 'ou_click_handler_user_000000001';
const CONSENT = 'https://open.feishu.cn/verify?user_code=ABCD-EFGH';
const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

/** card-auth's parts with a real session store and a platform that records card PATCHes. */
async function partsWithSession() {
  const storage = await openStorage({ type: 'memory', prefix: 'click' }, systemClock);
  opened.push(storage);
  const sessions = new StoreAuthorizationSessions(storage.namespace('sm'), storage.coordination,
    systemClock, { appId: 'cli_a1b2c3d4e5f60718', sessionTtlMs: 600_000, retentionMs: 60_000 },
    'sm:session');
  const created = await sessions.create({ openId: USER, scopes: ['offline_access'],
    reason: 'To read your calendar' });
  await sessions.update(created.id, { messageId: 'om_click_handler_card' });
  const patches: string[] = [];
  const parts = {
    sessions,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    look: { language: 'en', description: 'short', timeZone: 'UTC' },
    openInFeishu: false,
    flows: { consentUrl: async () => undefined },
    lark: { im: { v1: { message: { patch: async (req: { data: { content: string } }) => {
      patches.push(req.data.content);
      return {};
    } } } } },
  } as unknown as AuthParts;
  const click = { operatorOpenId: USER, messageId: 'om_click_handler_card',
    value: { cardAuth: 'authorize', sessionId: created.id } } as unknown as CardAction;
  return { parts, sessions, sessionId: created.id, patches, click };
}

/** A consent start that answers only when the test says so, as a slow platform would. */
function heldConsentStart() {
  let release: (url: string) => void = () => undefined;
  const answered = new Promise<string>((resolve) => { release = resolve; });
  return { start: () => answered, release: (url: string) => release(url) };
}

describe('card-auth click handler', () => {
  it('answers Authorize before the platform has answered, then shows the link on the card',
    async () => {
      const { parts, sessions, sessionId, patches, click } = await partsWithSession();
      const consent = heldConsentStart();
      const afterAnswers = new TrackedWork(parts.logger);
      const handler = createClickHandler(parts, consent.start, afterAnswers);

      const answer = await handler(click, undefined as never);

      expect(answer).toMatchObject({ toast: { type: 'info',
        content: 'Preparing the consent page; this card updates in a moment.' } });
      expect((await sessions.get(sessionId))?.state).toBe('awaiting_consent');
      expect(patches).toEqual([]);

      consent.release(CONSENT);
      await afterAnswers.settled();
      expect(patches).toHaveLength(1);
      expect(patches[0]).toContain(CONSENT);
    });

  it('leaves the card of a session declined before the platform answered as it is',
    async () => {
      const { parts, sessions, sessionId, patches, click } = await partsWithSession();
      parts.flows.dropPoll = async () => undefined;
      const consent = heldConsentStart();
      const afterAnswers = new TrackedWork(parts.logger);
      const handler = createClickHandler(parts, consent.start, afterAnswers);

      await handler(click, undefined as never);
      const decline = { ...click, value: { cardAuth: 'decline', sessionId } } as CardAction;
      await handler(decline, undefined as never);
      consent.release(CONSENT);
      await afterAnswers.settled();

      expect((await sessions.get(sessionId))?.state).toBe('declined');
      expect(patches.filter((patch) => patch.includes(CONSENT))).toEqual([]);
    });

  it('answers with the link when the consent starts without the platform', async () => {
    const { parts, click, patches } = await partsWithSession();
    const handler = createClickHandler(parts, async () => CONSENT);

    const answer = await handler(click, undefined as never);

    expect(JSON.stringify(answer)).toContain(CONSENT);
    expect(patches).toEqual([]);
  });
});

describe('card-auth work after answers', () => {
  it('runs at most its limit at once, the rest in turn, and settles when all are done',
    async () => {
      const work = new TrackedWork(pino({ level: 'silent' }), 2);
      const releases: Array<() => void> = [];
      let started = 0;
      for (let i = 0; i < 5; i++) {
        work.run(() => new Promise<void>((resolve) => {
          started++;
          releases.push(resolve);
        }));
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toBe(2);

      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toBe(3);

      const settled = work.settled();
      while (started < 5 || releases.length > 0) {
        releases.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await settled;
      expect(started).toBe(5);
    });
});
