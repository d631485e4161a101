import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { Coordination } from '../store/coordination.js';
import { CardActionResponder, type CardBudgetSettings } from './card-action-responder.js';
import { normalizeEnvelope } from './envelope.js';
import type { EventSubscription, HandlerRegistry } from './handler-registry.js';
import type { LarkEvent } from './lark-event.js';
import { PluginQueues } from './plugin-queues.js';
import { withTimeout } from './timeout.js';

export const CARD_ACTION_EVENT = 'card.action.trigger';
const UNHANDLED_LOG_INTERVAL_MS = 60_000;

export interface DispatcherSettings extends CardBudgetSettings {
  dedupTtlMs: number;
  handlerConcurrency: number;
  handlerTimeoutMs: number;
}

export interface DispatcherEvents {
  received: [LarkEvent];
  duplicate: [LarkEvent];
  unhandled: [LarkEvent];
  handled: [LarkEvent, string, number];
  failed: [LarkEvent, string, unknown];
}

/**
 * The object the SDK hands every reassembled payload to. Its return value becomes the ACK:
 * undefined means `{code: 200}` with no data; a card-action response is sent as the ACK data.
 * Ordinary events are acknowledged at once and handled afterwards, in per-plugin queues, so a
 * slow handler never delays the ACK past the platform's 3 s (which would cause a re-push).
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  private readonly queues: PluginQueues;
  private readonly unhandledLoggedAt = new Map<string, number>();
  private accepting = true;

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly coordination: Coordination,
    private readonly logger: Logger,
    private readonly settings: DispatcherSettings,
    private readonly cards: CardActionResponder,
  ) {
    super();
    this.queues = new PluginQueues(settings.handlerConcurrency);
  }

  /** Called by the SDK's WSClient (and the test kit) for every payload. */
  async invoke(body: unknown): Promise<unknown> {
    if (!this.accepting) throw new Error('kernel is shutting down; the platform will re-push');
    const event = normalizeEnvelope(body);
    if (!event) {
      this.logger.warn('unrecognised envelope acknowledged and dropped');
      return undefined;
    }
    this.emit('received', event);
    const isCard = event.eventType === CARD_ACTION_EVENT;
    if (!(await this.claim(event))) {
      this.logger.debug({ eventId: event.eventId, eventType: event.eventType }, 'duplicate event');
      this.emit('duplicate', event);
      return isCard ? {} : undefined;
    }
    if (isCard) return this.cards.answer(event);
    this.fanOut(event);
    return undefined;
  }

  /** Stops taking new events; the SDK then answers 500 and the platform re-pushes them later. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Resolves when every handler already started or queued has settled. */
  async drain(): Promise<void> {
    await Promise.all([this.queues.idle(), this.cards.idle()]);
  }

  inFlight(): number {
    return this.queues.pending() + this.cards.pending();
  }

  private async claim(event: LarkEvent): Promise<boolean> {
    if (!(await this.coordination.claim(`event:${event.eventId}`, this.settings.dedupTtlMs))) {
      return false;
    }
    // A re-push across connections has been seen to carry a new event id: messages are also
    // claimed by their own id.
    const messageId = messageIdOf(event);
    if (!messageId) return true;
    return this.coordination.claim(`message:${messageId}`, this.settings.dedupTtlMs);
  }

  private fanOut(event: LarkEvent): void {
    const subscribers = this.registry.subscribersOf(event.eventType);
    if (subscribers.length === 0) {
      this.noteUnhandled(event);
      return;
    }
    for (const subscription of subscribers) {
      void this.queues.run(subscription.pluginId, () => this.runHandler(subscription, event));
    }
  }

  private async runHandler(subscription: EventSubscription, event: LarkEvent): Promise<void> {
    const started = Date.now();
    const fields = { plugin: subscription.pluginId, eventId: event.eventId, eventType: event.eventType };
    try {
      const timeout = subscription.timeoutMs ?? this.settings.handlerTimeoutMs;
      await withTimeout(Promise.resolve().then(() => subscription.handler(event)), timeout);
      const durationMs = Date.now() - started;
      this.logger.debug({ ...fields, durationMs }, 'event handled');
      this.emit('handled', event, subscription.pluginId, durationMs);
    } catch (err) {
      // TODO(#7): retry by a per-plugin policy, then park in a dead-letter store.
      this.logger.error({ ...fields, err, durationMs: Date.now() - started }, 'handler failed');
      this.emit('failed', event, subscription.pluginId, err);
    }
  }

  private noteUnhandled(event: LarkEvent): void {
    this.emit('unhandled', event);
    const last = this.unhandledLoggedAt.get(event.eventType) ?? 0;
    if (Date.now() - last < UNHANDLED_LOG_INTERVAL_MS) return;
    this.unhandledLoggedAt.set(event.eventType, Date.now());
    this.logger.debug({ eventType: event.eventType }, 'no plugin subscribes to this event type');
  }
}

function messageIdOf(event: LarkEvent): string | undefined {
  if (event.eventType !== 'im.message.receive_v1') return undefined;
  const message = event.payload.message as { message_id?: unknown } | undefined;
  return typeof message?.message_id === 'string' ? message.message_id : undefined;
}
