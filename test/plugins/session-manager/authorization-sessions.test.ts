import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  StoreAuthorizationSessions,
} from '../../../plugins/session-manager/authorization-sessions.js';
import type { Clock } from '../../../src/kernel/clock.js';
import type { StoreConfig } from '../../../src/kernel/config/config-schema.js';
import { redactText } from '../../../src/kernel/logger.js';
import { openStorage, type Storage } from '../../../src/kernel/store/storage.js';
import { describeWithRedis, REDIS_URL } from '../../support/redis.js';

class ManualClock implements Clock {
  constructor(public ms = Date.now()) {}
  now() {
    return this.ms;
  }
}

const APP_ID = 'cli_a1b2c3d4e5f60718';
const USER = 'ou_session_user_1';
const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

const unique = () => `sm${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

async function sessionsOn(config: StoreConfig, clock: Clock = new ManualClock()) {
  const storage = await openStorage(config, clock);
  opened.push(storage);
  return new StoreAuthorizationSessions(storage.namespace('plugin:session-manager'),
    storage.coordination, clock, { appId: APP_ID, sessionTtlMs: 600_000, retentionMs: 3_600_000 },
    'session-manager:session');
}

const request = { openId: USER, scopes: ['offline_access'], reason: 'read your calendar' };

describe('authorization sessions', () => {
  it('creates a pending session with an unguessable id and its deadline', async () => {
    const clock = new ManualClock();
    const sessions = await sessionsOn({ type: 'memory', prefix: unique() }, clock);
    const session = await sessions.create(request);

    expect(session).toMatchObject({ state: 'pending', appId: APP_ID, openId: USER,
      expiresAt: clock.ms + 600_000 });
    expect(session.id).toMatch(/^[0-9a-f]{36}$/);
    // Ids are logged: none may look like a platform token, which the logger would hide.
    const ids = await Promise.all(Array.from({ length: 500 }, () => sessions.create(request)));
    for (const { id } of ids) expect(redactText(`session ${id}`)).toBe(`session ${id}`);
    expect(await sessions.get(session.id)).toEqual(session);
  });

  it('lets only one of two racing transitions out of the same state win', async () => {
    const sessions = await sessionsOn({ type: 'memory', prefix: unique() });
    const { id } = await sessions.create(request);

    const results = await Promise.all([sessions.transition(id, 'awaiting_consent'),
      sessions.transition(id, 'declined')]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ reason: 'lost_race' });
  });

  it('refuses an illegal transition and leaves the session as it was', async () => {
    const sessions = await sessionsOn({ type: 'memory', prefix: unique() });
    const { id } = await sessions.create(request);
    expect(await sessions.transition(id, 'completed'))
      .toMatchObject({ ok: false, reason: 'illegal' });
    expect((await sessions.get(id))?.state).toBe('pending');
  });

  it('lists sessions by user and by state', async () => {
    const sessions = await sessionsOn({ type: 'memory', prefix: unique() });
    const a = await sessions.create(request);
    const b = await sessions.create({ ...request, openId: 'ou_session_user_2' });
    await sessions.transition(b.id, 'declined');

    expect((await sessions.listByUser(USER)).map((s) => s.id)).toEqual([a.id]);
    expect((await sessions.listByState('declined')).map((s) => s.id)).toEqual([b.id]);
    expect(await sessions.listByUser(USER, ['declined'])).toEqual([]);
  });

  it('expires open sessions past their deadline, then removes them after the retention',
    async () => {
      const clock = new ManualClock();
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'lark-sessions-')), 'store.db');
      const sessions = await sessionsOn({ type: 'sqlite', path: file, prefix: unique() }, clock);
      const { id } = await sessions.create(request);

      clock.ms += 600_000;
      const expired = await sessions.expireDue();
      expect(expired.map((s) => [s.id, s.state])).toEqual([[id, 'expired']]);

      clock.ms += 3_600_001;
      expect(await sessions.get(id)).toBeUndefined();
      expect(await sessions.listByState('expired')).toEqual([]);
    });

  it('tells local listeners about every transition it makes', async () => {
    const sessions = await sessionsOn({ type: 'memory', prefix: unique() });
    const seen: string[] = [];
    sessions.onTransition((session, from) => seen.push(`${from}->${session.state}`));
    const { id } = await sessions.create(request);
    await sessions.transition(id, 'awaiting_consent');
    await sessions.transition(id, 'completed');
    expect(seen).toEqual(['pending->awaiting_consent', 'awaiting_consent->completed']);
  });
});

describeWithRedis('authorization sessions on Redis, two instances', () => {
  it('completes on instance B a session created on A, once, with one winner', async () => {
    const prefix = unique();
    const a = await sessionsOn({ type: 'redis', url: REDIS_URL, prefix });
    const b = await sessionsOn({ type: 'redis', url: REDIS_URL, prefix });
    const { id } = await a.create(request);
    await b.transition(id, 'awaiting_consent');

    const results = await Promise.all([a.transition(id, 'completed'),
      b.transition(id, 'completed')]);

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect((await a.get(id))?.state).toBe('completed');
    expect((await b.listByState('completed')).map((s) => s.id)).toEqual([id]);
  });
});
