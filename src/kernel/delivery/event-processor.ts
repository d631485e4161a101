import type { EventEmitter } from 'node:events';
import type { RetryPolicy } from '../config/config-schema.js';
import type { DispatcherEvents } from '../dispatch/dispatcher.js';
import type { EventSubscription, HandlerRegistry } from '../dispatch/handler-registry.js';
import type { LarkEvent } from '../dispatch/lark-event.js';
import type { PluginQueues } from '../dispatch/plugin-queues.js';
import { withTimeout } from '../dispatch/timeout.js';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { Coordination } from '../store/coordination.js';
import { describeError, scrubEvent, type DeadLetterStore } from './dead-letter-store.js';
import type { FinalMark } from './delivery-journal.js';

export interface ProcessorSettings {
  dedupTtlMs: number;
  handlerTimeoutMs: number;
  /** For plugins whose entry sets no retry policy. */
  retry: RetryPolicy;
}

type Outcome = { ok: true } | { ok: false; attempts: number; err: unknown };

/** Key of the mark that says one plugin is finished with one event (handled or parked). */
export function completionKey(eventId: string, pluginId: string): string {
  return `delivery:done:${pluginId}:${eventId}`;
}

export function claimKey(eventId: string): string {
  return `event:${eventId}`;
}

/**
 * Runs every subscribed plugin for one event, each in its own bounded queue, under its retry
 * policy; a plugin that still fails is parked in the dead-letter store. A plugin is marked done
 * for the event right after its handler returns (or it is parked), and a plugin already marked
 * is skipped, so an event recovered from the journal re-runs only the plugins that had not
 * finished. The window between a handler's effect and its mark is the only place a crash can
 * make a plugin run twice (docs/delivery.md).
 */
export class EventProcessor {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly coordination: Coordination,
    private readonly deadLetters: DeadLetterStore,
    private readonly queues: PluginQueues,
    private readonly events: EventEmitter<DispatcherEvents>,
    private readonly logger: Logger,
    private readonly settings: ProcessorSettings,
  ) {}

  /**
   * `handedOutBefore` says whether the journal gave this entry to a handler before (an entry
   * recovered from a dead instance or a failed run). Only such an entry can have plugins that
   * are already done with it: a new entry was journaled in the same step as its claim, so no
   * handler has seen its event yet, and its done marks are not read. `markClaim` false: the
   * journal sets the claim to `done` itself when it removes the entry. `deferLastMark`: the
   * done mark of the plugin that finishes last is not written here but returned, for the
   * journal to write in the step that removes the entry (the plugins that finish before it
   * still write theirs at once, since the entry outlives them).
   */
  async process(
    event: LarkEvent,
    handedOutBefore = true,
    markClaim = true,
    deferLastMark = false,
  ): Promise<FinalMark[]> {
    const subscribers = this.registry.subscribersOf(event.eventType);
    const deferred: FinalMark[] = [];
    let running = subscribers.length;
    const markFor = (pluginId: string) => (state: string): Promise<void> => {
      const key = completionKey(event.eventId, pluginId);
      // Only the last one running: every other plugin's run, and its mark, is over.
      if (deferLastMark && running === 1) {
        deferred.push({ key: this.coordination.storedKey(key), value: state,
          ttlMs: this.settings.dedupTtlMs });
        return Promise.resolve();
      }
      return this.coordination.write(key, state, this.settings.dedupTtlMs);
    };
    const runs = subscribers.map((subscription) =>
      this.queues.run(subscription.pluginId, () =>
        this.runOnce(subscription, event, handedOutBefore, markFor(subscription.pluginId)))
        .finally(() => running--),
    );
    await Promise.all(runs);
    // A journal that marks claims done does it when it removes the entry, in the same step.
    if (markClaim) {
      await this.coordination.write(claimKey(event.eventId), 'done', this.settings.dedupTtlMs);
    }
    return deferred;
  }

  /** Runs one plugin for a parked event again, under its policy; true when it succeeded. */
  async replay(pluginId: string, event: LarkEvent): Promise<boolean> {
    const subscription = this.registry
      .subscribersOf(event.eventType)
      .find((candidate) => candidate.pluginId === pluginId);
    if (!subscription) return false;
    const outcome = await this.runWithRetry(subscription, event);
    if (!outcome.ok) {
      await this.park(subscription, event, outcome);
      return false;
    }
    await this.deadLetters.remove(event.eventId, pluginId);
    await this.coordination.write(completionKey(event.eventId, pluginId), 'done',
      this.settings.dedupTtlMs);
    return true;
  }

  private async runOnce(
    subscription: EventSubscription,
    event: LarkEvent,
    handedOutBefore: boolean,
    markDone: (state: string) => Promise<void>,
  ): Promise<void> {
    if (handedOutBefore) {
      const doneKey = completionKey(event.eventId, subscription.pluginId);
      if ((await this.coordination.read(doneKey)) !== undefined) return;
    }
    if (event.stale && subscription.skipStale) {
      this.logger.debug(fieldsOf(subscription, event), 'stale event skipped by the plugin');
      await markDone('skipped');
      return;
    }
    const outcome = await this.runWithRetry(subscription, event);
    if (!outcome.ok) await this.park(subscription, event, outcome);
    await markDone(outcome.ok ? 'done' : 'parked');
  }

  private async runWithRetry(subscription: EventSubscription, event: LarkEvent): Promise<Outcome> {
    const policy = this.registry.retryPolicyOf(subscription.pluginId) ?? this.settings.retry;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const timeout = subscription.timeoutMs ?? this.settings.handlerTimeoutMs;
        const delivery = {
          attempt,
          doneKey: this.coordination.storedKey(completionKey(event.eventId, subscription.pluginId)),
          doneTtlMs: this.settings.dedupTtlMs,
        };
        const run = Promise.resolve().then(() => subscription.handler(event, delivery));
        await withTimeout(run, timeout);
        const durationMs = Date.now() - started;
        // Every event passes here: build the log object only when it would be written.
        if (this.logger.isLevelEnabled('debug')) {
          this.logger.debug({ ...fieldsOf(subscription, event), durationMs, attempt },
            'event handled');
        }
        this.events.emit('handled', event, subscription.pluginId, durationMs);
        return { ok: true };
      } catch (err) {
        const durationMs = Date.now() - started;
        this.logger.error({ ...fieldsOf(subscription, event), err, durationMs, attempt },
          'handler failed');
        this.events.emit('failed', event, subscription.pluginId, err);
        if (attempt >= policy.attempts) return { ok: false, attempts: attempt, err };
        const delayMs = backoffDelay(attempt - 1, {
          initialMs: policy.backoffMs,
          maxMs: policy.maxBackoffMs,
        });
        this.events.emit('retried', event, subscription.pluginId, attempt + 1);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async park(
    subscription: EventSubscription,
    event: LarkEvent,
    outcome: Extract<Outcome, { ok: false }>,
  ): Promise<void> {
    await this.deadLetters.park({
      eventId: event.eventId,
      eventType: event.eventType,
      plugin: subscription.pluginId,
      attempts: outcome.attempts,
      error: describeError(outcome.err),
      parkedAt: Date.now(),
      event: scrubEvent(event),
    });
    this.logger.warn({ ...fieldsOf(subscription, event), attempts: outcome.attempts },
      'event parked in the dead-letter store; re-run it with lark-service replay');
    this.events.emit('parked', event, subscription.pluginId, outcome.err);
  }
}

function fieldsOf(subscription: EventSubscription, event: LarkEvent) {
  return { plugin: subscription.pluginId, eventId: event.eventId, eventType: event.eventType };
}
