import { EventEmitter } from 'node:events';
import { Keyv } from 'keyv';
import type { Clock } from '../clock.js';
import type { RetryPolicy } from '../config/config-schema.js';
import { KeyvDeadLetterStore, type DeadLetterStore } from '../delivery/dead-letter-store.js';
import type { DeliveryJournal } from '../delivery/delivery-journal.js';
import { claimKey, EventProcessor } from '../delivery/event-processor.js';
import { InProcessJournal } from '../delivery/in-process-journal.js';
import type { Logger } from '../logger.js';
import type { Coordination } from '../store/coordination.js';
import { CardActionResponder, type CardBudgetSettings } from './card-action-responder.js';
import { normalizeEnvelope } from './envelope.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { LarkEvent } from './lark-event.js';
import { PluginQueues } from './plugin-queues.js';

export const CARD_ACTION_EVENT = 'card.action.trigger';
const UNHANDLED_LOG_INTERVAL_MS = 60_000;

export interface DispatcherSettings extends CardBudgetSettings {
  dedupTtlMs: number;
  handlerConcurrency: number;
  handlerTimeoutMs: number;
  /** Events created longer ago are flagged stale; default 10 min. */
  staleAfterMs?: number;
  /** Retry policy of plugins whose entry sets none; default 3 attempts from 1 s. */
  retry?: RetryPolicy;
}

/** Where accepted events wait and where failed ones are parked; in-process by default. */
export interface DeliveryParts {
  journal?: DeliveryJournal;
  deadLetters?: DeadLetterStore;
  clock?: Clock;
}

/**
 * What the dispatcher reports, for logs and metrics. `failed` fires for every failed attempt
 * (plugin, error); `retried` when another attempt follows (plugin, its attempt number);
 * `parked` when the plugin's policy is exhausted (plugin, last error); `stale` once per event
 * older than the threshold.
 */
export interface DispatcherEvents {
  received: [LarkEvent];
  duplicate: [LarkEvent];
  unhandled: [LarkEvent];
  stale: [LarkEvent];
  handled: [LarkEvent, string, number];
  failed: [LarkEvent, string, unknown];
  retried: [LarkEvent, string, number];
  parked: [LarkEvent, string, unknown];
}

const DEFAULT_STALE_AFTER_MS = 600_000;
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1_000, maxBackoffMs: 30_000 };

/**
 * The object the SDK hands every reassembled payload to. Its return value becomes the ACK:
 * undefined means `{code: 200}` with no data; a card-action response is sent as the ACK data.
 * An ordinary event is claimed (state `processing`), appended to the delivery journal and then
 * acknowledged; its handlers run afterwards, in per-plugin queues, so a slow handler never
 * delays the ACK past the platform's 3 s (which would cause a re-push). When every plugin is
 * done with it the claim becomes `done`. A claim or journal failure answers 500, so the
 * platform re-pushes rather than losing the event.
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> {
  readonly journal: DeliveryJournal;
  readonly deadLetters: DeadLetterStore;
  readonly processor: EventProcessor;
  private readonly queues: PluginQueues;
  private readonly unhandledLoggedAt = new Map<string, number>();
  private readonly now: () => number;
  private accepting = true;

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly coordination: Coordination,
    private readonly logger: Logger,
    private readonly settings: DispatcherSettings,
    private readonly cards: CardActionResponder,
    parts: DeliveryParts = {},
  ) {
    super();
    this.queues = new PluginQueues(settings.handlerConcurrency);
    this.journal = parts.journal ?? new InProcessJournal(logger);
    this.deadLetters = parts.deadLetters ?? new KeyvDeadLetterStore(new Keyv());
    const clock = parts.clock;
    this.now = clock ? () => clock.now() : () => Date.now();
    this.processor = new EventProcessor(registry, coordination, this.deadLetters, this.queues,
      this, logger, {
        dedupTtlMs: settings.dedupTtlMs,
        handlerTimeoutMs: settings.handlerTimeoutMs,
        retry: settings.retry ?? DEFAULT_RETRY,
      });
    // The default in-process journal needs no set-up: it is live from the start.
    if (!parts.journal) void this.start();
  }

  /** Starts handling journal entries (new ones, and with Redis those left by dead instances). */
  start(): Promise<void> {
    const markClaim = this.journal.marksClaimsDone !== true;
    // Only with the claim written in the same step: the last mark then lands with the claim's
    // `done` and the entry's removal, never after them.
    const deferLastMark = this.journal.writesFinalMarks === true && !markClaim;
    return this.journal.start((entry) => this.processor.process(entry.event,
      entry.handedOutBefore === true, markClaim, deferLastMark));
  }

  /** Called by the SDK's WSClient (and the test kit) for every payload. */
  invoke(body: unknown): Promise<unknown> {
    return this.handle(this.normalize(body));
  }

  /**
   * The payload as the dispatcher reads it (flagged stale when old). Exposed so a wrapper that
   * labels the ACK (metrics) reads the same event instead of normalising the payload again.
   */
  normalize(body: unknown): LarkEvent | undefined {
    return this.flagStale(normalizeEnvelope(body));
  }

  /** Everything `invoke` does after `normalize`; undefined is an unrecognised envelope. */
  async handle(event: LarkEvent | undefined): Promise<unknown> {
    if (!this.accepting) throw new Error('kernel is shutting down; the platform will re-push');
    if (!event) {
      this.logger.warn('unrecognised envelope acknowledged and dropped');
      return undefined;
    }
    this.emit('received', event);
    const isCard = event.eventType === CARD_ACTION_EVENT;
    const journaled = !isCard && this.registry.subscribersOf(event.eventType).length > 0;
    if (!(await (journaled ? this.claimAndJournal(event) : this.claim(event)))) {
      this.logger.debug({ eventId: event.eventId, eventType: event.eventType }, 'duplicate event');
      this.emit('duplicate', event);
      return isCard ? {} : undefined;
    }
    if (isCard) {
      const response = await this.cards.answer(event);
      // The handler has run: its answer goes back even if the done mark cannot be written.
      await this.markDone(event).catch((err: unknown) => {
        this.logger.warn({ err, eventId: event.eventId }, 'card callback not marked done');
      });
      return response;
    }
    if (!journaled) {
      this.noteUnhandled(event);
      await this.markDone(event);
    }
    return undefined;
  }

  /** Stops taking new events; the SDK then answers 500 and the platform re-pushes them later. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /**
   * Stops reading the journal and resolves when every handler already started or queued has
   * settled. With Redis, entries not taken yet stay in the stream for the other instances.
   */
  async drain(): Promise<void> {
    await this.journal.stop();
    await this.idle();
  }

  /** Resolves when every handler already started or queued has settled; keeps reading. */
  async idle(): Promise<void> {
    await Promise.all([this.queues.idle(), this.cards.idle(), this.journal.idle()]);
  }

  inFlight(): number {
    return Math.max(this.queues.pending(), this.journal.inFlight()) + this.cards.pending();
  }

  private claim(event: LarkEvent): Promise<boolean> {
    return this.coordination.claimAll(claimKeysOf(event), this.settings.dedupTtlMs, 'processing');
  }

  /**
   * Claims the event and puts it in the journal. A journal that lives in the claim store does
   * both in one step; otherwise a journal failure gives the claim up again and answers 500.
   */
  private async claimAndJournal(event: LarkEvent): Promise<boolean> {
    if (this.journal.claimAndAppend) {
      const keys = claimKeysOf(event).map((key) => this.coordination.storedKey(key));
      return this.journal.claimAndAppend(keys, this.settings.dedupTtlMs, event);
    }
    if (!(await this.claim(event))) return false;
    try {
      await this.journal.append(event);
      return true;
    } catch (err) {
      this.logger.error({ err, eventId: event.eventId, eventType: event.eventType },
        'event not journaled; answering 500 so the platform re-pushes it');
      await this.releaseClaims(event).catch(() => undefined);
      throw err;
    }
  }

  private async releaseClaims(event: LarkEvent): Promise<void> {
    for (const key of claimKeysOf(event)) await this.coordination.release(key, 'processing');
  }

  private markDone(event: LarkEvent): Promise<void> {
    return this.coordination.write(claimKey(event.eventId), 'done', this.settings.dedupTtlMs);
  }

  private flagStale(event: LarkEvent | undefined): LarkEvent | undefined {
    if (!event || event.createdAtMs === undefined) return event;
    const ageMs = this.now() - event.createdAtMs;
    if (ageMs <= (this.settings.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)) return event;
    this.logger.warn({ eventId: event.eventId, eventType: event.eventType, ageMs },
      'stale event received');
    this.emit('stale', event);
    return { ...event, stale: true };
  }

  private noteUnhandled(event: LarkEvent): void {
    this.emit('unhandled', event);
    const last = this.unhandledLoggedAt.get(event.eventType) ?? 0;
    if (Date.now() - last < UNHANDLED_LOG_INTERVAL_MS) return;
    this.unhandledLoggedAt.set(event.eventType, Date.now());
    this.logger.debug({ eventType: event.eventType }, 'no plugin subscribes to this event type');
  }
}

/**
 * The event id, and for messages the message id too: a re-push across connections has been
 * seen to carry a new event id.
 */
function claimKeysOf(event: LarkEvent): string[] {
  const messageId = messageIdOf(event);
  return messageId ? [claimKey(event.eventId), `message:${messageId}`] : [claimKey(event.eventId)];
}

function messageIdOf(event: LarkEvent): string | undefined {
  if (event.eventType !== 'im.message.receive_v1') return undefined;
  const message = event.payload.message as { message_id?: unknown } | undefined;
  return typeof message?.message_id === 'string' ? message.message_id : undefined;
}
