import type { Logger } from 'pino';

import { readAckPayload } from './ack-reader.js';
import type { ConnectionHub } from './connection-hub.js';
import { CARD_ACTION_EVENT, summarizeEnvelope } from './envelope.js';
import { headerRecord, headerValue, type Frame } from './frame-codec.js';
import { toDataFrames } from './fragmenter.js';
import { newMessageId, newTraceId } from './ids.js';
import type { ResolvedOptions } from './options.js';
import type { PlatformConnection } from './platform-connection.js';
import type { TimerSet } from './timer-set.js';
import type { AckRecord, FrameType, RepushNotice } from './types.js';
import type { WebhookDelivery } from './webhook-delivery.js';

/** Errors the user's Feishu client shows when a card callback fails (reference §3.4). */
export const CARD_CLIENT_ERROR = { timeout: 200341, nonOkStatus: 200671 } as const;

/** Timed-out message ids kept so a late ACK can be told apart from a stray one. */
const MAX_REMEMBERED_EXPIRED = 10_000;

export interface DeliveryListener {
  onAck(record: AckRecord): void;
  onRepush(notice: RepushNotice): void;
  onLateAck(messageId: string, headers: Record<string, string>): void;
}

/** One logical push, kept for its re-pushes: same payload and event_id each time. */
interface Delivery {
  appId: string;
  payload: object;
  bytes: Uint8Array;
  frameType: FrameType;
  fragments: number;
  outOfOrder: boolean;
  eventId?: string;
  eventType?: string;
  isCallback: boolean;
}

interface PendingAck {
  delivery: Delivery;
  attempt: number;
  connectionId: string;
  sentAt: number;
  timer: NodeJS.Timeout;
  settle(record: AckRecord): void;
}

/**
 * Pushes events to one connection of the app, or POSTs them to its request URL when one is
 * registered, and judges the client's ACK (or HTTP status): late (past ackTimeoutMs) or
 * code ≠ 200 is a failure. Failed events are re-pushed on the configured
 * ladder with a new message_id; card callbacks are never re-pushed, the user sees a client
 * error instead (reference §1.10).
 */
export class EventDelivery {
  private readonly pending = new Map<string, PendingAck>();
  private readonly expired = new Set<string>();
  private nextSeqId = 1;
  private scheduled = 0;
  private stopped = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly hub: ConnectionHub,
    private readonly timers: TimerSet,
    private readonly listener: DeliveryListener,
    private readonly logger: Logger,
    private readonly webhooks: WebhookDelivery,
  ) {}

  /** Resolves with the first delivery's ACK record, or undefined when no connection is open. */
  async push(
    appId: string,
    payload: object,
    shape: { frameType: FrameType; fragments: number; outOfOrder: boolean },
  ): Promise<AckRecord | undefined> {
    const summary = summarizeEnvelope(payload);
    const delivery: Delivery = {
      appId,
      payload,
      bytes: Buffer.from(JSON.stringify(payload), 'utf8'),
      ...shape,
      eventId: summary.eventId,
      eventType: summary.eventType,
      isCallback: shape.frameType === 'card' || summary.eventType === CARD_ACTION_EVENT,
    };
    const record = await this.deliver(delivery, 0);
    if (record && isFailure(record)) this.scheduleRepush(delivery, 1);
    else if (record) this.maybeDuplicate(delivery);
    return record;
  }

  /** Called for every data frame a client sends: data frames from clients are ACKs. */
  receiveAck(connection: PlatformConnection, frame: Frame): void {
    const { min, max } = this.options.ackReadDelayMs;
    if (max <= 0) {
      this.readAck(connection, frame);
      return;
    }
    this.timers.after(min + Math.random() * (max - min), () => this.readAck(connection, frame));
  }

  private readAck(connection: PlatformConnection, frame: Frame): void {
    const messageId = headerValue(frame, 'message_id') ?? '';
    const pending = this.pending.get(messageId);
    if (!pending) {
      const known = this.expired.has(messageId);
      if (known) this.listener.onLateAck(messageId, headerRecord(frame));
      this.logger.debug({ messageId, connectionId: connection.id, late: known }, 'unmatched ack');
      return;
    }
    const receivedAt = Date.now();
    const ack = readAckPayload(frame.payload);
    pending.settle(this.withClientError(pending.delivery, {
      ...this.recordBase(pending, messageId),
      code: ack.code,
      ...(ack.data !== undefined && { data: ack.data }),
      rawPayload: ack.rawPayload,
      receivedAt,
      latencyMs: receivedAt - pending.sentAt,
      headers: headerRecord(frame),
      timedOut: false,
    }));
  }

  /** True while a push awaits its ACK or a re-push is scheduled. */
  busy(): boolean {
    return this.pending.size > 0 || this.scheduled > 0;
  }

  /** Settles every outstanding push as timed out; no frame leaves after this. */
  stop(): void {
    this.stopped = true;
    for (const [messageId, pending] of this.pending) this.expire(messageId, pending);
  }

  private deliver(delivery: Delivery, attempt: number): Promise<AckRecord | undefined> {
    // The route is looked up per attempt: a re-push follows the console's current setting.
    if (!this.stopped && this.webhooks.urlOf(delivery.appId)) {
      return this.deliverByWebhook(delivery, attempt);
    }
    const connection = this.stopped ? undefined : this.hub.pick(delivery.appId);
    if (!connection) return Promise.resolve(undefined);

    const messageId = newMessageId();
    const frames = toDataFrames(delivery.bytes, {
      type: delivery.frameType,
      messageId,
      traceId: newTraceId(),
      service: connection.serviceId,
      firstSeqId: this.takeSeqIds(delivery.fragments),
      fragments: delivery.fragments,
      outOfOrder: delivery.outOfOrder,
    });
    return new Promise<AckRecord>((resolve) => {
      const pending: PendingAck = {
        delivery,
        attempt,
        connectionId: connection.id,
        sentAt: Date.now(),
        timer: this.timers.after(this.options.ackTimeoutMs, () => this.expire(messageId, pending)),
        settle: (record) => this.settle(messageId, pending, record, resolve),
      };
      this.pending.set(messageId, pending);
      for (const frame of frames) connection.send(frame);
      this.logger.debug({ appId: delivery.appId, eventId: delivery.eventId, messageId, attempt },
        'event pushed');
    });
  }

  /** One HTTP delivery; its status stands in for the ACK code and its body for the data. */
  private async deliverByWebhook(delivery: Delivery, attempt: number): Promise<AckRecord> {
    const app = this.options.apps.find((candidate) => candidate.appId === delivery.appId)!;
    const reply = await this.webhooks.deliver(app, delivery.payload);
    const record = this.withClientError(delivery, {
      messageId: reply.requestId, eventId: delivery.eventId, eventType: delivery.eventType,
      attempt, connectionId: 'webhook', code: reply.status,
      ...(reply.body !== undefined && { data: reply.body }),
      rawPayload: reply.rawBody, receivedAt: Date.now(), latencyMs: reply.latencyMs,
      headers: reply.headers, timedOut: reply.timedOut,
    });
    if (isFailure(record)) {
      this.logger.warn({ appId: delivery.appId, eventId: record.eventId, code: record.code,
        timedOut: record.timedOut }, 'webhook delivery failed');
    }
    this.listener.onAck(record);
    return record;
  }

  private settle(
    messageId: string,
    pending: PendingAck,
    record: AckRecord,
    resolve: (record: AckRecord) => void,
  ): void {
    this.timers.cancel(pending.timer);
    this.pending.delete(messageId);
    if (isFailure(record)) {
      this.logger.warn({ appId: pending.delivery.appId, eventId: record.eventId, messageId,
        code: record.code, timedOut: record.timedOut }, 'event delivery failed');
    }
    this.listener.onAck(record);
    resolve(record);
  }

  private expire(messageId: string, pending: PendingAck): void {
    this.expired.add(messageId);
    if (this.expired.size > MAX_REMEMBERED_EXPIRED) {
      this.expired.delete(this.expired.values().next().value as string);
    }
    const now = Date.now();
    pending.settle(this.withClientError(pending.delivery, {
      ...this.recordBase(pending, messageId),
      code: 0,
      rawPayload: '',
      receivedAt: now,
      latencyMs: now - pending.sentAt,
      headers: {},
      timedOut: true,
    }));
  }

  private scheduleRepush(delivery: Delivery, attempt: number): void {
    const { enabled, delaysMs } = this.options.repush;
    const delayMs = delaysMs[attempt - 1];
    if (delivery.isCallback || !enabled || delayMs === undefined || this.stopped) return;

    this.scheduled++;
    this.timers.after(delayMs, () => {
      if (this.stopped || !this.options.repush.enabled) return void this.scheduled--;
      void this.deliver(delivery, attempt).then((ack) => {
        this.listener.onRepush(ack ? { eventId: delivery.eventId, attempt, delayMs, ack }
          : { eventId: delivery.eventId, attempt, delayMs });
        if (!ack || isFailure(ack)) this.scheduleRepush(delivery, attempt + 1);
        this.scheduled--;
      });
    });
  }

  /** At-least-once: a succeeded event may still arrive again, on any connection. */
  private maybeDuplicate(delivery: Delivery): void {
    const { fraction, delayMs } = this.options.duplicates;
    if (delivery.isCallback || this.stopped || Math.random() >= fraction) return;
    this.scheduled++;
    this.timers.after(delayMs, () => {
      if (this.stopped) return void this.scheduled--;
      void this.deliver(delivery, 1).then((ack) => {
        this.listener.onRepush({ eventId: delivery.eventId, attempt: 1, delayMs, duplicate: true,
          ...(ack && { ack }) });
        if (!ack || isFailure(ack)) this.scheduleRepush(delivery, 2);
        this.scheduled--;
      });
    });
  }

  private recordBase(pending: PendingAck, messageId: string) {
    const { eventId, eventType } = pending.delivery;
    return { messageId, eventId, eventType, attempt: pending.attempt,
      connectionId: pending.connectionId };
  }

  private withClientError(delivery: Delivery, record: AckRecord): AckRecord {
    if (!delivery.isCallback || !isFailure(record)) return record;
    const clientError = record.timedOut ? CARD_CLIENT_ERROR.timeout : CARD_CLIENT_ERROR.nonOkStatus;
    return { ...record, clientError };
  }

  private takeSeqIds(count: number): number {
    const first = this.nextSeqId;
    this.nextSeqId += Math.max(1, count);
    return first;
  }
}

export function isFailure(record: AckRecord): boolean {
  return record.timedOut || record.code !== 200;
}
