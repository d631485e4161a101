import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/kernel/clock.js';
import { CardActionResponder } from '../../src/kernel/dispatch/card-action-responder.js';
import type { CardUpdater } from '../../src/kernel/dispatch/card-updater.js';
import { Dispatcher } from '../../src/kernel/dispatch/dispatcher.js';
import { HandlerRegistry } from '../../src/kernel/dispatch/handler-registry.js';
import { Coordination } from '../../src/kernel/store/coordination.js';
import { MemoryCoordinationBackend } from '../../src/kernel/store/memory-coordination.js';
import { captureLogs } from '../support/memory-logger.js';

function setup(cardBudgetMs = 200) {
  const registry = new HandlerRegistry();
  const updater = { apply: vi.fn(async () => {}) };
  const { logger, lines } = captureLogs();
  const settings = {
    cardBudgetMs,
    schema2Cards: 'patch' as const,
    dedupTtlMs: 60_000,
    handlerConcurrency: 4,
    handlerTimeoutMs: 5_000,
  };
  const coordination = new Coordination(new MemoryCoordinationBackend(systemClock), 't');
  const cards = new CardActionResponder(registry, updater as unknown as CardUpdater, logger, settings);
  const dispatcher = new Dispatcher(registry, coordination, logger, settings, cards);
  return { registry, updater, dispatcher, lines };
}

const message = (eventId: string, messageId = `om_${eventId}`) => ({
  schema: '2.0',
  header: { event_id: eventId, event_type: 'im.message.receive_v1', create_time: '1760000000000' },
  event: { message: { message_id: messageId, chat_id: 'oc_1', chat_type: 'p2p' } },
});

const click = (eventId: string, value: unknown) => ({
  schema: '2.0',
  header: { event_id: eventId, event_type: 'card.action.trigger', create_time: '1760000000000000' },
  event: {
    operator: { open_id: 'ou_user_1' },
    token: 'c-token_1',
    action: { tag: 'button', value },
    context: { open_message_id: 'om_card_1', open_chat_id: 'oc_1' },
  },
});

describe('dispatcher', () => {
  it('runs every plugin subscribed to a type', async () => {
    const { registry, dispatcher } = setup();
    const seen: string[] = [];
    for (const pluginId of ['one', 'two']) {
      registry.subscribe({ pluginId, eventType: 'im.message.receive_v1', handler: () => void seen.push(pluginId) });
    }
    await dispatcher.invoke(message('evt_1'));
    await dispatcher.drain();
    expect(seen.sort()).toEqual(['one', 'two']);
  });

  it('acknowledges before a slow handler finishes', async () => {
    const { registry, dispatcher } = setup();
    let release!: () => void;
    const handlerDone = new Promise<void>((resolve) => (release = resolve));
    registry.subscribe({ pluginId: 'slow', eventType: 'im.message.receive_v1', handler: () => handlerDone });
    const ack = await dispatcher.invoke(message('evt_1'));
    expect(ack).toBeUndefined();
    expect(dispatcher.inFlight()).toBe(1);
    release();
    await dispatcher.drain();
    expect(dispatcher.inFlight()).toBe(0);
  });

  it('runs handlers once for an event pushed twice, and once for a message re-pushed with a new event id', async () => {
    const { registry, dispatcher } = setup();
    const handler = vi.fn();
    registry.subscribe({ pluginId: 'p', eventType: 'im.message.receive_v1', handler });
    await Promise.all([dispatcher.invoke(message('evt_1')), dispatcher.invoke(message('evt_1'))]);
    await dispatcher.invoke(message('evt_2', 'om_evt_1'));
    await dispatcher.drain();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('isolates a failing handler from the others', async () => {
    const { registry, dispatcher, lines } = setup();
    const ok = vi.fn();
    registry.subscribe({ pluginId: 'bad', eventType: 'im.message.receive_v1', handler: () => { throw new Error('boom'); } });
    registry.subscribe({ pluginId: 'good', eventType: 'im.message.receive_v1', handler: ok });
    await dispatcher.invoke(message('evt_1'));
    await dispatcher.drain();
    expect(ok).toHaveBeenCalledOnce();
    expect(lines().find((l) => l.msg === 'handler failed')).toMatchObject({ plugin: 'bad', eventId: 'evt_1' });
  });

  it('answers an event type nobody subscribes to with no data', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke(message('evt_1'))).toBeUndefined();
  });
});

describe('card callbacks', () => {
  it("returns the matching handler's response as the answer", async () => {
    const { registry, dispatcher } = setup();
    registry.addCardRoute({ pluginId: 'p', match: { op: 'go' }, handler: () => ({ toast: { type: 'success', content: 'ok' } }) });
    expect(await dispatcher.invoke(click('e1', { op: 'go' }))).toEqual({ toast: { type: 'success', content: 'ok' } });
  });

  it('answers an unmatched click with an empty object', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke(click('e1', { op: 'other' }))).toEqual({});
  });

  it('answers a slow handler with a processing toast and applies its card afterwards', async () => {
    const { registry, dispatcher, updater } = setup(50);
    const card = { type: 'raw' as const, data: { elements: [] } };
    registry.addCardRoute({
      pluginId: 'p',
      match: { op: 'go' },
      handler: () => new Promise((resolve) => setTimeout(() => resolve({ card }), 150)),
    });
    const answer = (await dispatcher.invoke(click('e1', { op: 'go' }))) as { toast: { type: string } };
    expect(answer.toast.type).toBe('info');
    await dispatcher.drain();
    await vi.waitFor(() => expect(updater.apply).toHaveBeenCalledWith(card, expect.objectContaining({ messageId: 'om_card_1' })));
  });

  it('turns a handler error into an error toast', async () => {
    const { registry, dispatcher } = setup();
    registry.addCardRoute({ pluginId: 'p', match: { op: 'go' }, handler: () => { throw new Error('db down'); } });
    const answer = (await dispatcher.invoke(click('e1', { op: 'go' }))) as { toast: { type: string } };
    expect(answer.toast.type).toBe('error');
  });

  it('replaces a response the platform would reject with an error toast', async () => {
    const { registry, dispatcher, lines } = setup();
    registry.addCardRoute({ pluginId: 'p', match: { op: 'go' }, handler: () => ({ card: { header: {}, elements: [] } }) as never });
    const answer = (await dispatcher.invoke(click('e1', { op: 'go' }))) as { toast: { type: string } };
    expect(answer.toast.type).toBe('error');
    expect(lines().some((l) => (l.err as { code?: string })?.code === 'LARK_E_CARD_RESPONSE_INVALID')).toBe(true);
  });

  it('delivers a JSON 2.0 card by patching the message, answering with the toast only', async () => {
    const { registry, dispatcher, updater } = setup();
    const card = { type: 'raw' as const, data: { schema: '2.0', body: { elements: [] } } };
    const toast = { type: 'success' as const, content: 'done' };
    registry.addCardRoute({ pluginId: 'p', match: { op: 'go' }, handler: () => ({ toast, card }) });
    expect(await dispatcher.invoke(click('e1', { op: 'go' }))).toEqual({ toast });
    await vi.waitFor(() => expect(updater.apply).toHaveBeenCalledWith(card, expect.anything()));
  });

  it('dispatches two different clicks on one card, but not an exact repeat', async () => {
    const { registry, dispatcher } = setup();
    const handler = vi.fn(() => ({}));
    registry.addCardRoute({ pluginId: 'p', match: () => true, handler });
    await dispatcher.invoke(click('e1', { op: 'authorize' }));
    await dispatcher.invoke(click('e2', { op: 'cancel' }));
    await dispatcher.invoke(click('e2', { op: 'cancel' }));
    expect(handler).toHaveBeenCalledTimes(2);
  });
});
