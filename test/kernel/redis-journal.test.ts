import { createHash } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/kernel/clock.js';
import { CardActionResponder } from '../../src/kernel/dispatch/card-action-responder.js';
import type { CardUpdater } from '../../src/kernel/dispatch/card-updater.js';
import { Dispatcher } from '../../src/kernel/dispatch/dispatcher.js';
import { HandlerRegistry } from '../../src/kernel/dispatch/handler-registry.js';
import { RedisDeadLetterStore } from '../../src/kernel/delivery/dead-letter-store.js';
import {
  RedisStreamJournal,
  type RedisClient,
} from '../../src/kernel/delivery/redis-stream-journal.js';
import { Coordination } from '../../src/kernel/store/coordination.js';
import {
  RedisCoordinationBackend,
  type RedisLike,
} from '../../src/kernel/store/redis-coordination.js';
import { captureLogs } from '../support/memory-logger.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';
import { FINISH } from '../../src/kernel/delivery/redis-journal-scripts.js';

const prefix = `journal-test:${process.pid}:${Date.now()}`;
const client = createClient({ url: REDIS_URL }) as unknown as RedisClient;
const TYPE = 'contact.user.created_v3';

beforeAll(async () => {
  await client.connect();
});

afterAll(async () => {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 200 })) {
    if (keys.length > 0) await client.del(keys);
  }
  client.destroy();
});

/** One kernel's delivery side on the shared Redis: its registry, journal and dispatcher. */
async function instance(
  handlers: Record<string, () => unknown>,
  marksClaims = false,
  options: { scope?: string; maxInFlight?: number; maxTakenOnArrival?: number } = {},
) {
  const { scope = prefix, ...limits } = options;
  const registry = new HandlerRegistry();
  for (const [pluginId, handler] of Object.entries(handlers)) {
    registry.subscribe({ pluginId, eventType: TYPE, handler: async () => void (await handler()) });
  }
  const { logger, lines } = captureLogs();
  const settings = { cardBudgetMs: 200, schema2Cards: 'patch' as const, dedupTtlMs: 60_000,
    handlerConcurrency: 4, handlerTimeoutMs: 60_000 };
  const coordination = new Coordination(
    new RedisCoordinationBackend(client as unknown as RedisLike), scope);
  const claimDone = { keyOf: (id: string) => coordination.storedKey(`event:${id}`),
    ttlMs: 60_000 };
  const journal = new RedisStreamJournal(client, logger, { prefix: scope, recoverIdleMs: 1_000,
    maxInFlight: 16, ...limits, ...(marksClaims && { claimDone }) });
  const cards = new CardActionResponder(registry, {} as CardUpdater, logger, settings);
  const dispatcher = new Dispatcher(registry, coordination, logger, settings, cards, {
    journal, deadLetters: new RedisDeadLetterStore(client, scope), clock: systemClock });
  await dispatcher.start();
  return { dispatcher, journal, lines, coordination };
}

/** A key prefix of its own for one test, so entries other tests leave pending stay out. */
let scopes = 0;
function newScope(): { scope: string; streamKey: string } {
  const scope = `${prefix}:t${++scopes}`;
  return { scope, streamKey: `${scope}:delivery:journal` };
}

/** The consumer each pending entry of the journal is with, by entry id. */
async function pendingOwners(streamKey: string): Promise<Map<string, string>> {
  const entries = await client.xPendingRange(streamKey, 'kernels', '-', '+', 1_000);
  return new Map(entries.map((entry) => [entry.id, entry.consumer]));
}

const event = (eventId: string) => ({
  schema: '2.0',
  header: { event_id: eventId, event_type: TYPE, create_time: String(Date.now()) },
  event: {},
});

describeWithRedis('redis delivery journal', () => {
  it("finishes a dead instance's event elsewhere, re-running unfinished plugins", async () => {
    const hang = new Promise<never>(() => {});
    const first = { fast: vi.fn(), stuck: vi.fn(() => hang) };
    const a = await instance(first);
    await a.dispatcher.invoke(event(`${prefix}:evt_crash`));
    await vi.waitFor(() => expect(first.stuck).toHaveBeenCalledOnce());
    await vi.waitFor(() => expect(first.fast).toHaveBeenCalledOnce());
    // Instance A goes silent: no more reads, no heartbeat, its entry stays pending.
    await a.journal.stop();

    const second = { fast: vi.fn(), stuck: vi.fn() };
    const b = await instance(second);
    await vi.waitFor(() => expect(second.stuck).toHaveBeenCalledOnce(), { timeout: 10_000 });
    await b.dispatcher.drain();
    expect(second.fast).not.toHaveBeenCalled();
    await vi.waitFor(async () => expect(await client.xLen(`${prefix}:delivery:journal`)).toBe(0));
    const recovered = 'journal entry recovered from another instance';
    expect(b.lines().some((l) => l.msg === recovered)).toBe(true);
  });

  it('runs the handlers once when the platform re-pushes to another instance', async () => {
    const handler = vi.fn();
    const a = await instance({ p: handler });
    const b = await instance({ p: handler });
    await a.dispatcher.invoke(event(`${prefix}:evt_twice`));
    await b.dispatcher.invoke(event(`${prefix}:evt_twice`));
    await vi.waitFor(() => expect(handler).toHaveBeenCalledOnce());
    await Promise.all([a.dispatcher.drain(), b.dispatcher.drain()]);
    expect(handler).toHaveBeenCalledOnce();
  });

  it("sets the event's claim to done in the step that removes its finished entry", async () => {
    const handler = vi.fn();
    const a = await instance({ p: handler }, true);
    const eventId = `${prefix}:evt_claim_done`;
    await a.dispatcher.invoke(event(eventId));
    expect(await client.get(`${prefix}:coord:event:${eventId}`)).toBe('processing');
    await vi.waitFor(() => expect(handler).toHaveBeenCalledOnce());
    await a.dispatcher.drain();
    expect(await client.get(`${prefix}:coord:event:${eventId}`)).toBe('done');
    expect(await client.xLen(`${prefix}:delivery:journal`)).toBe(0);
    await a.dispatcher.invoke(event(eventId));
    await a.dispatcher.idle();
    expect(handler).toHaveBeenCalledOnce();
  });

  it('keeps a long handler on its instance: the heartbeat stops a takeover', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = vi.fn(() => gate);
    const a = await instance({ p: slow });
    const b = await instance({ p: slow });
    await a.dispatcher.invoke(event(`${prefix}:evt_long`));
    await vi.waitFor(() => expect(slow).toHaveBeenCalledOnce());
    // Three recovery periods pass while the handler still runs.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    release();
    await Promise.all([a.dispatcher.drain(), b.dispatcher.drain()]);
    expect(slow).toHaveBeenCalledOnce();
  });

  it('takes an event into the receiving instance in the step that journals it', async () => {
    const { scope, streamKey } = newScope();
    const onA = vi.fn();
    const onB = vi.fn();
    const b = await instance({ p: onB }, false, { scope });
    const a = await instance({ p: onA }, false, { scope });
    const ids = Array.from({ length: 10 }, (_, i) => `${prefix}:evt_arrival_${i}`);
    const hang = new Promise<never>(() => {});
    const stuck = await instance({ p: () => hang }, false, { scope });
    await stuck.dispatcher.invoke(event(`${prefix}:evt_arrival_held`));
    // When the ACK is due, the entry is already this instance's, not left for a reader.
    const owners = await pendingOwners(streamKey);
    expect([...owners.values()]).toEqual([stuck.journal.consumer]);
    await stuck.journal.stop();

    await Promise.all(ids.map((id) => a.dispatcher.invoke(event(id))));
    await vi.waitFor(() => expect(onA).toHaveBeenCalledTimes(ids.length));
    await Promise.all([a.dispatcher.drain(), b.dispatcher.drain()]);
    expect(onB).not.toHaveBeenCalled();
  });

  it('recovers an entry taken on arrival when its instance dies', async () => {
    const { scope, streamKey } = newScope();
    const hang = new Promise<never>(() => {});
    const first = vi.fn(() => hang);
    const a = await instance({ p: first }, false, { scope });
    await a.dispatcher.invoke(event(`${prefix}:evt_arrival_dies`));
    const [entryId] = [...(await pendingOwners(streamKey)).entries()]
      .find(([, consumer]) => consumer === a.journal.consumer) ?? [];
    expect(entryId).toBeDefined();
    // A goes silent with its handler still running: no heartbeat, the entry stays pending.
    await a.journal.stop();

    const second = vi.fn();
    const b = await instance({ p: second }, false, { scope });
    await vi.waitFor(() => expect(second).toHaveBeenCalledOnce(), { timeout: 10_000 });
    await b.dispatcher.drain();
    expect((await pendingOwners(streamKey)).has(entryId!)).toBe(false);
    expect(await client.xRange(streamKey, entryId!, entryId!)).toEqual([]);
  });

  it('leaves events above maxTakenOnArrival in the stream for any instance to read', async () => {
    const { scope } = newScope();
    const hang = new Promise<never>(() => {});
    const busy = vi.fn(() => hang);
    const a = await instance({ p: busy }, false,
      { scope, maxInFlight: 1, maxTakenOnArrival: 1 });
    const other = vi.fn();
    const b = await instance({ p: other }, false, { scope });
    for (let i = 0; i < 4; i++) await a.dispatcher.invoke(event(`${prefix}:evt_spill_${i}`));
    const handled = () => busy.mock.calls.length + other.mock.calls.length;
    await vi.waitFor(() => expect(handled()).toBe(4));
    // A took the first on arrival; its read, already waiting, may take one more before it
    // pauses (maxInFlight); the rest go to B.
    expect(other.mock.calls.length).toBeGreaterThanOrEqual(2);
    await a.journal.stop();
    await b.dispatcher.drain();
  });

  it('claims a batch in one step, journaling all but the duplicate', async () => {
    const { scope, streamKey } = newScope();
    const a = await instance({ p: vi.fn() }, false, { scope });
    const taken = `${scope}:coord:event:${prefix}:evt_batch_dup`;
    const spareKey = `${scope}:coord:message:om_batch_dup`;
    await client.set(taken, 'done');
    const before = await client.xLen(streamKey);
    const script = vi.spyOn(client, 'evalSha');
    try {
      const key = (id: string) => `${scope}:coord:event:${prefix}:${id}`;
      const results = await Promise.all([
        a.journal.claimAndAppend([key('evt_batch_a')], 60_000, lark('evt_batch_a')),
        a.journal.claimAndAppend([spareKey, taken], 60_000, lark('evt_batch_dup')),
        a.journal.claimAndAppend([key('evt_batch_b')], 60_000, lark('evt_batch_b')),
      ]);
      expect(results).toEqual([true, false, true]);
      expect(script).toHaveBeenCalledTimes(1);
    } finally {
      script.mockRestore();
    }
    expect(await client.exists(spareKey)).toBe(0);
    expect(await client.xLen(streamKey)).toBe(before + 2);
    await a.dispatcher.drain();
    expect(await client.xLen(streamKey)).toBe(0);
  });

  it('writes the last done mark in the step that removes the entry', async () => {
    const { scope, streamKey } = newScope();
    const handler = vi.fn();
    const a = await instance({ p: handler }, true, { scope });
    const ids = [0, 1, 2].map((i) => `${prefix}:evt_final_mark_${i}`);
    const writes = vi.spyOn(client, 'set');
    try {
      await Promise.all(ids.map((id) => a.dispatcher.invoke(event(id))));
      await vi.waitFor(() => expect(handler).toHaveBeenCalledTimes(3));
      await a.dispatcher.drain();
      expect(writes).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
    }
    for (const id of ids) {
      expect(await client.get(`${scope}:coord:delivery:done:p:${id}`)).toBe('done');
      expect(await client.get(`${scope}:coord:event:${id}`)).toBe('done');
    }
    expect(await client.xLen(streamKey)).toBe(0);
  });
  it('keeps the done marks when the step that removes the entries fails', async () => {
    const { scope, streamKey } = newScope();
    const handler = vi.fn();
    const a = await instance({ p: handler }, true, { scope });
    const finishDigest = createHash('sha1').update(FINISH).digest('hex');
    const realEvalSha = client.evalSha.bind(client);
    let failed = 0;
    const evalSha = vi.spyOn(client, 'evalSha').mockImplementation(((digest: string,
      options: { keys: string[]; arguments: string[] }) => {
      if (digest === finishDigest && failed++ === 0) {
        return Promise.reject(new Error('connection reset while finishing'));
      }
      return realEvalSha(digest, options);
    }) as typeof client.evalSha);
    const id = `${prefix}:evt_finish_fails`;
    try {
      await a.dispatcher.invoke(event(id));
      await vi.waitFor(() => expect(failed).toBe(1));
    } finally {
      evalSha.mockRestore();
    }
    // The entry is still pending, but its plugin's mark is stored: recovery runs nothing.
    expect(await client.xLen(streamKey)).toBe(1);
    expect(await client.get(`${scope}:coord:delivery:done:p:${id}`)).toBe('done');
    await a.journal.stop();
    const b = await instance({ p: handler }, true, { scope });
    await vi.waitFor(async () => expect(await client.xLen(streamKey)).toBe(0),
      { timeout: 10_000, interval: 100 });
    expect(handler).toHaveBeenCalledTimes(1);
    await b.dispatcher.drain();
  });
});

/** A normalised event, as the dispatcher hands it to the journal. */
function lark(id: string) {
  return { schema: '2.0' as const, eventId: `${prefix}:${id}`, eventType: TYPE,
    createdAtMs: Date.now(), tenantKey: undefined, appId: undefined, payload: {} };
}
