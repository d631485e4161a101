import { performance } from 'node:perf_hooks';
import type { EventSink, LarkConnection } from '../connection.js';
import type { CardActionResponder } from '../dispatch/card-action-responder.js';
import { CARD_ACTION_EVENT, type Dispatcher } from '../dispatch/dispatcher.js';
import type { LarkEvent } from '../dispatch/lark-event.js';
import { CONNECTION_STATES, type KernelMetrics } from './metrics.js';

/**
 * The kernel's parts already announce what happens to them; these listeners turn the
 * announcements into series, so no hot path knows about metrics.
 */
export function instrumentDispatcher(dispatcher: Dispatcher, metrics: KernelMetrics): void {
  const byType = (event: LarkEvent) => ({ event_type: event.eventType });
  dispatcher.on('received', (event) => metrics.eventsReceived.inc(byType(event)));
  dispatcher.on('duplicate', (event) => metrics.eventsDuplicate.inc(byType(event)));
  dispatcher.on('unhandled', (event) => metrics.eventsUnhandled.inc(byType(event)));
  dispatcher.on('handled', (event, plugin, durationMs) => {
    metrics.eventsHandled.inc({ event_type: event.eventType, plugin });
    metrics.handlerDuration.observe({ event_type: event.eventType, plugin }, durationMs / 1000);
  });
  dispatcher.on('failed', (event, plugin) => {
    metrics.eventsFailed.inc({ event_type: event.eventType, plugin });
  });
  dispatcher.on('parked', (event, plugin) => {
    metrics.eventsParked.inc({ event_type: event.eventType, plugin });
  });
}

export function instrumentConnection(connection: LarkConnection, metrics: KernelMetrics): void {
  let last = connection.status().state;
  const show = (current: string) => {
    for (const state of CONNECTION_STATES) {
      metrics.connectionState.set({ state }, state === current ? 1 : 0);
    }
  };
  show(last);
  connection.on('status', (status) => {
    const entering = status.state === 'reconnecting' && last !== 'reconnecting';
    if (entering) metrics.connectionReconnects.inc();
    last = status.state;
    show(last);
  });
}

export function instrumentCards(cards: CardActionResponder, metrics: KernelMetrics): void {
  cards.on('answered', ({ plugin, outcome }) => {
    metrics.cardCallbacks.inc({ plugin: plugin ?? 'none', outcome });
  });
}

/** The dispatcher's two halves: reading a payload, and everything after (claim, ACK answer). */
export interface NormalizingSink {
  normalize(body: unknown): LarkEvent | undefined;
  handle(event: LarkEvent | undefined): Promise<unknown>;
}

/**
 * Wraps the dispatcher as the SDK sees it, to time each payload from its arrival to the
 * answer that becomes the ACK, and to count the ACK codes (the SDK sends 500 when it throws).
 * The labels come from the event the dispatcher normalises, so a payload is read once.
 */
export function timedSink(sink: NormalizingSink, metrics: KernelMetrics): EventSink {
  return {
    async invoke(body: unknown): Promise<unknown> {
      const started = performance.now();
      let eventType = 'unknown';
      let code = '500';
      try {
        const event = sink.normalize(body);
        if (event) eventType = event.eventType;
        const answer = await sink.handle(event);
        code = '200';
        return answer;
      } finally {
        const kind = eventType === CARD_ACTION_EVENT ? 'card' : 'event';
        metrics.eventsAcknowledged.inc({ event_type: eventType, code });
        metrics.ackLatency.observe({ kind }, (performance.now() - started) / 1000);
      }
    },
  };
}
