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
async function instance(handlers: Record<string, () => unknown>, marksClaims = false) {
  const registry = new HandlerRegistry();
  for (const [pluginId, handler] of Object.entries(handlers)) {
    registry.subscribe({ pluginId, eventType: TYPE, handler: async () => void (await handler()) });
  }
  const { logger, lines } = captureLogs();
  const settings = { cardBudgetMs: 200, schema2Cards: 'patch' as const, dedupTtlMs: 60_000,
    handlerConcurrency: 4, handlerTimeoutMs: 60_000 };
  const coordination = new Coordination(
    new RedisCoordinationBackend(client as unknown as RedisLike), prefix);
  const claimDone = { keyOf: (id: string) => coordination.storedKey(`event:${id}`),
    ttlMs: 60_000 };
  const journal = new RedisStreamJournal(client, logger, { prefix, recoverIdleMs: 1_000,
    maxInFlight: 16, ...(marksClaims && { claimDone }) });
  const cards = new CardActionResponder(registry, {} as CardUpdater, logger, settings);
  const dispatcher = new Dispatcher(registry, coordination, logger, settings, cards, {
    journal, deadLetters: new RedisDeadLetterStore(client, prefix), clock: systemClock });
  await dispatcher.start();
  return { dispatcher, journal, lines };
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
});
