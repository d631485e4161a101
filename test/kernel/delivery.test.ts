import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/kernel/clock.js';
import { CardActionResponder } from '../../src/kernel/dispatch/card-action-responder.js';
import type { CardUpdater } from '../../src/kernel/dispatch/card-updater.js';
import { Dispatcher, type DispatcherEvents } from '../../src/kernel/dispatch/dispatcher.js';
import { HandlerRegistry } from '../../src/kernel/dispatch/handler-registry.js';
import { Coordination } from '../../src/kernel/store/coordination.js';
import { MemoryCoordinationBackend } from '../../src/kernel/store/memory-coordination.js';
import { captureLogs } from '../support/memory-logger.js';

const HOUR = 3_600_000;

class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-03-01T08:00:00Z')) {}
  now(): number {
    return this.ms;
  }
}

function setup(overrides: { staleAfterMs?: number } = {}) {
  const clock = new ManualClock();
  const registry = new HandlerRegistry();
  const { logger, lines, text } = captureLogs();
  const settings = {
    cardBudgetMs: 200,
    schema2Cards: 'patch' as const,
    dedupTtlMs: 7 * HOUR + 600_000,
    handlerConcurrency: 4,
    handlerTimeoutMs: 5_000,
    staleAfterMs: overrides.staleAfterMs ?? 600_000,
    retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 2 },
  };
  const coordination = new Coordination(new MemoryCoordinationBackend(clock), 't');
  const updater = { apply: vi.fn(async () => {}) } as unknown as CardUpdater;
  const cards = new CardActionResponder(registry, updater, logger, settings);
  const dispatcher = new Dispatcher(registry, coordination, logger, settings, cards, { clock });
  const seen: Partial<Record<keyof DispatcherEvents, unknown[][]>> = {};
  for (const name of ['stale', 'failed', 'retried', 'parked', 'handled'] as const) {
    dispatcher.on(name, (...args: unknown[]) => void (seen[name] ??= []).push(args));
  }
  return { clock, registry, coordination, dispatcher, lines, text, seen };
}

const event = (eventId: string, createdAtMs: number) => ({
  schema: '2.0',
  header: { event_id: eventId, event_type: 'contact.user.created_v3',
    create_time: String(createdAtMs) },
  event: { user: { open_id: 'ou_1' } },
});

describe('delivery: once', () => {
  it('does not run a handler again for a re-push 6 hours later (fake clock)', async () => {
    const { clock, registry, dispatcher } = setup();
    const handler = vi.fn();
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3', handler });
    await dispatcher.invoke(event('evt_6h', clock.now()));
    await dispatcher.drain();
    clock.ms += 6 * HOUR + 60_000;
    await dispatcher.invoke(event('evt_6h', clock.now() - 6 * HOUR));
    await dispatcher.drain();
    expect(handler).toHaveBeenCalledOnce();
  });

  it('holds the claim as processing while handlers run and as done afterwards', async () => {
    const { clock, registry, coordination, dispatcher } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3',
      handler: () => gate });
    await dispatcher.invoke(event('evt_state', clock.now()));
    expect(await coordination.read('event:evt_state')).toBe('processing');
    release();
    await dispatcher.drain();
    expect(await coordination.read('event:evt_state')).toBe('done');
  });
});

describe('delivery: retry and dead letters', () => {
  it('retries a failing handler by its policy, then parks it with a scrubbed error', async () => {
    const { clock, registry, dispatcher, seen } = setup();
    const handler = vi.fn(() => {
      throw new Error('upstream refused t-g1044ab3c7d9e8f0a1b2c3d4e5f');
    });
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3', handler });
    await dispatcher.invoke(event('evt_fail', clock.now()));
    await dispatcher.drain();
    expect(handler).toHaveBeenCalledTimes(3);
    expect(seen.retried?.map((args) => args[2])).toEqual([2, 3]);
    expect(seen.parked).toHaveLength(1);
    const [parked] = await dispatcher.deadLetters.list();
    expect(parked).toMatchObject({ eventId: 'evt_fail', plugin: 'p', attempts: 3 });
    expect(parked!.error.message).toContain('upstream refused');
    expect(JSON.stringify(parked)).not.toContain('t-g1044ab3c7d9e8f0a1b2c3d4e5f');
  });

  it('follows the retry policy set on the plugin entry over the default', async () => {
    const { clock, registry, dispatcher } = setup();
    const handler = vi.fn(() => Promise.reject(new Error('no')));
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3', handler });
    registry.setRetryPolicy('p', { attempts: 1, backoffMs: 0, maxBackoffMs: 0 });
    await dispatcher.invoke(event('evt_policy', clock.now()));
    await dispatcher.drain();
    expect(handler).toHaveBeenCalledOnce();
  });

  it('replays a parked event: the plugin runs again and the entry leaves the store', async () => {
    const { clock, registry, dispatcher } = setup();
    let failing = true;
    const handler = vi.fn(() => {
      if (failing) throw new Error('down');
    });
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3', handler });
    await dispatcher.invoke(event('evt_replay', clock.now()));
    await dispatcher.drain();
    failing = false;
    const [parked] = await dispatcher.deadLetters.list();
    expect(await dispatcher.processor.replay(parked!.plugin, parked!.event)).toBe(true);
    expect(handler).toHaveBeenCalledTimes(4);
    expect(await dispatcher.deadLetters.list()).toEqual([]);
  });
});

describe('delivery: stale events', () => {
  it('flags an event older than the threshold and skips plugins that opted out', async () => {
    const { clock, registry, dispatcher, seen } = setup({ staleAfterMs: 60_000 });
    const keen = vi.fn();
    const choosy = vi.fn();
    registry.subscribe({ pluginId: 'keen', eventType: 'contact.user.created_v3', handler: keen });
    registry.subscribe({ pluginId: 'choosy', eventType: 'contact.user.created_v3', handler: choosy,
      skipStale: true });
    await dispatcher.invoke(event('evt_old', clock.now() - 120_000));
    await dispatcher.drain();
    expect(seen.stale).toHaveLength(1);
    expect(keen).toHaveBeenCalledWith(expect.objectContaining({ stale: true }), expect.anything());
    expect(choosy).not.toHaveBeenCalled();
  });

  it('does not flag an event inside the threshold', async () => {
    const { clock, registry, dispatcher, seen } = setup({ staleAfterMs: 60_000 });
    const handler = vi.fn();
    registry.subscribe({ pluginId: 'p', eventType: 'contact.user.created_v3', handler,
      skipStale: true });
    await dispatcher.invoke(event('evt_fresh', clock.now() - 30_000));
    await dispatcher.drain();
    expect(seen.stale).toBeUndefined();
    expect(handler).toHaveBeenCalledOnce();
  });
});
