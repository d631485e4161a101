import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { LarkEvent } from '../dispatch/lark-event.js';
import type { Logger } from '../logger.js';
import type {
  DeliveryJournal, EntryHandler, FinalMark, JournalEntry,
} from './delivery-journal.js';
import { CLAIM_AND_APPEND, FINISH, runScript, type RedisClient } from './redis-journal-scripts.js';
import { TickBatch } from './tick-batch.js';

export type { RedisClient } from './redis-journal-scripts.js';

export interface RedisJournalSettings {
  /** Key prefix of the deployment (store.prefix). */
  prefix: string;
  /** An entry idle this long in another consumer's hands is taken over. */
  recoverIdleMs: number;
  /** Entries this process holds at most; reading (and recovering) pauses above it. */
  maxInFlight: number;
  /**
   * Entries whose handlers this process is running or has queued, at most, for it to still take
   * the events its own connection receives (default `maxInFlight`). Such an event is already in
   * memory; above this, it waits in the stream for whichever instance reads it.
   */
  maxTakenOnArrival?: number;
  /**
   * The claim of a finished entry's event, set to `done` in the transaction that removes the
   * entry (one round trip fewer per event); absent, the dispatcher writes it itself.
   */
  claimDone?: { keyOf(eventId: string): string; ttlMs: number };
}

const GROUP = 'kernels';
/** Events claimed and journaled in one script call at most; entries finished in one at most. */
const BATCH_MAX = 128;
/** Entries a claim batch may take besides its own (left untaken by another writer). */
const TAKE_SLACK = 16;
const READ_BLOCK_MS = 500;
/**
 * Each reading instance stamps its consumer name in a sorted set this often; one not stamped
 * for PRESENCE_STALE_MS is gone. (Redis 7.0 does not reset a consumer's idle time on an
 * empty blocking read, so XINFO CONSUMERS cannot tell a live reader from a dead one.)
 */
const PRESENCE_EVERY_MS = 5_000;
const PRESENCE_STALE_MS = 3 * PRESENCE_EVERY_MS;
const READ_COUNT = 32;
/** Consumers of instances gone this long, with nothing pending, are removed from the group. */
const GONE_CONSUMER_IDLE_MS = 3_600_000;
const CONSUMER_SWEEP_MS = 600_000;

interface StreamMessage {
  id: string;
  message: Record<string, string>;
}

interface ClaimRequest {
  claimKeys: string[];
  ttlMs: number;
  event: LarkEvent;
}

interface FinishRequest {
  id: string;
  eventId: string | undefined;
  marks: FinalMark[];
}

/**
 * A Redis stream with one consumer group shared by every instance. An event is claimed and
 * appended (XADD) before its ACK, and in the same script taken into this instance's pending
 * list (XREADGROUP), so the instance whose socket received it handles it from memory. Entries
 * not taken that way (this instance had `maxInFlight` entries already) wait for the
 * XREADGROUP loop that every instance runs, and go to whichever instance reads them first.
 * Events arriving in one turn of the event loop share one script call, as do entries finishing
 * together. An entry is XACKed (and deleted) only when its handler resolves. Entries left
 * pending by a dead instance are taken over with XAUTOCLAIM once idle for `recoverIdleMs`;
 * this process keeps the idle time of its own in-flight entries near zero (XCLAIM to itself),
 * so a long handler is not taken away from a live instance.
 */
export class RedisStreamJournal implements DeliveryJournal {
  readonly durable = true;
  readonly marksClaimsDone: boolean;
  readonly writesFinalMarks = true;
  readonly consumer = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly streamKey: string;
  private readonly instancesKey: string;
  private readonly held = new Map<string, Promise<void>>();
  /** Held entries whose handlers have not resolved yet (the others wait for their finish). */
  private working = 0;
  private readonly claims = new TickBatch<ClaimRequest, boolean>(
    (requests) => this.claimBatch(requests), BATCH_MAX);
  private readonly finishes = new TickBatch<FinishRequest, void>(
    (requests) => this.finishBatch(requests), BATCH_MAX);
  private reader: RedisClient | undefined;
  private handle: EntryHandler | undefined;
  private loop: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  /** Resolves on stop, so a read loop paused on full hands does not wait for a handler. */
  private readonly stopping: Promise<void>;
  private signalStop!: () => void;

  constructor(
    private readonly client: RedisClient,
    private readonly logger: Logger,
    private readonly settings: RedisJournalSettings,
  ) {
    this.streamKey = `${settings.prefix}:delivery:journal`;
    this.instancesKey = `${settings.prefix}:delivery:instances`;
    this.marksClaimsDone = settings.claimDone !== undefined;
    this.stopping = new Promise((resolve) => (this.signalStop = resolve));
  }

  async append(event: LarkEvent): Promise<void> {
    await this.client.xAdd(this.streamKey, '*', { event: JSON.stringify(event) });
  }

  claimAndAppend(claimKeys: string[], ttlMs: number, event: LarkEvent): Promise<boolean> {
    return this.claims.add({ claimKeys, ttlMs, event });
  }

  /** One script call per claim ttl in the batch (the dispatcher uses one). */
  private async claimBatch(requests: ClaimRequest[]): Promise<boolean[]> {
    const byTtl = new Map<number, number[]>();
    requests.forEach((request, index) => {
      const group = byTtl.get(request.ttlMs);
      if (group) group.push(index);
      else byTtl.set(request.ttlMs, [index]);
    });
    const results: boolean[] = [];
    await Promise.all([...byTtl.values()].map(async (indexes) => {
      const claimed = await this.claimSameTtl(indexes.map((index) => requests[index]!));
      indexes.forEach((index, position) => (results[index] = claimed[position]!));
    }));
    return results;
  }

  private async claimSameTtl(requests: ClaimRequest[]): Promise<boolean[]> {
    const keys = [this.streamKey];
    const args = [String(Math.ceil(requests[0]!.ttlMs)), String(this.room(requests.length)),
      GROUP, this.consumer];
    for (const { claimKeys, event } of requests) {
      keys.push(...claimKeys);
      args.push(String(claimKeys.length), JSON.stringify(event));
    }
    const [ids, taken, others] = await runScript(this.client, CLAIM_AND_APPEND,
      { keys, arguments: args }) as [(string | number)[], number, [string, string[]][]];
    let left = Number(taken);
    requests.forEach(({ event }, index) => {
      const id = ids[index];
      if (typeof id === 'string' && left-- > 0) this.hold({ id, event });
    });
    for (const [id, fields] of others) this.take({ id, message: fieldsOf(fields) }, false);
    return ids.map((id) => typeof id === 'string');
  }

  /** How many entries a claim batch may take into this instance's hands. */
  private room(batchSize: number): number {
    if (this.stopped || !this.handle) return 0;
    const limit = this.settings.maxTakenOnArrival ?? this.settings.maxInFlight;
    return Math.max(0, Math.min(limit - this.working, batchSize + TAKE_SLACK));
  }

  async start(handle: EntryHandler): Promise<void> {
    this.handle = handle;
    await this.ensureGroup();
    // Blocking reads need a connection of their own.
    this.reader = this.client.duplicate();
    this.reader.on('error', () => {});
    await this.reader.connect();
    this.loop = this.readLoop();
    this.every(Math.max(100, this.settings.recoverIdleMs / 2), () => this.recover());
    this.every(Math.max(100, this.settings.recoverIdleMs / 3), () => this.keepHeld());
    this.every(CONSUMER_SWEEP_MS, () => this.forgetGoneConsumers());
    this.every(PRESENCE_EVERY_MS, () => this.announce());
    await this.announce();
    await this.recover();
  }

  inFlight(): number {
    return this.held.size;
  }

  async idle(): Promise<void> {
    while (this.held.size > 0) await Promise.allSettled([...this.held.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.loop;
    this.reader?.destroy();
    this.reader = undefined;
    await this.client.zRem(this.instancesKey, this.consumer).catch(() => undefined);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.client.xGroupCreate(this.streamKey, GROUP, '0', { MKSTREAM: true });
    } catch (err) {
      if (!String((err as Error)?.message).includes('BUSYGROUP')) throw err;
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.stopped) {
      if (this.held.size >= this.settings.maxInFlight) {
        await Promise.race([this.stopping, ...this.held.values()]).catch(() => undefined);
        continue;
      }
      try {
        const replies = await this.reader!.xReadGroup(GROUP, this.consumer,
          { key: this.streamKey, id: '>' }, { COUNT: READ_COUNT, BLOCK: READ_BLOCK_MS });
        for (const reply of (replies ?? []) as { messages: StreamMessage[] }[]) {
          for (const message of reply.messages) this.take(message, false);
        }
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn({ err }, 'delivery journal read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, READ_BLOCK_MS));
      }
    }
  }

  /** Takes over entries a dead (or stopped) instance left unfinished. */
  private async recover(): Promise<void> {
    if (this.stopped) return;
    let cursor = '0-0';
    try {
      do {
        const room = this.settings.maxInFlight - this.held.size;
        if (room <= 0) return;
        const reply = await this.client.xAutoClaim(this.streamKey, GROUP, this.consumer,
          this.settings.recoverIdleMs, cursor, { COUNT: Math.min(room, 100) });
        for (const message of reply.messages as (StreamMessage | null)[]) {
          if (!message) continue;
          this.logger.info({ entryId: message.id },
            'journal entry recovered from another instance');
          this.take(message, true);
        }
        cursor = reply.nextId;
      } while (cursor !== '0-0' && !this.stopped);
    } catch (err) {
      this.logger.warn({ err }, 'delivery journal recovery failed; will try again');
    }
  }

  /** Instances other than this one that stamped their presence recently. */
  async activePeers(): Promise<number> {
    const since = Date.now() - PRESENCE_STALE_MS;
    await this.client.zRemRangeByScore(this.instancesKey, '-inf', since);
    const live = await this.client.zRangeByScore(this.instancesKey, since, '+inf');
    return live.filter((name) => name !== this.consumer).length;
  }

  private async announce(): Promise<void> {
    try {
      await this.client.zAdd(this.instancesKey, { score: Date.now(), value: this.consumer });
    } catch (err) {
      this.logger.debug({ err }, 'delivery journal presence not recorded');
    }
  }

  /** Every restart adds a consumer name; drop those of instances long gone. */
  private async forgetGoneConsumers(): Promise<void> {
    try {
      const consumers = await this.client.xInfoConsumers(this.streamKey, GROUP);
      for (const consumer of consumers as { name: string; pending: number; idle: number }[]) {
        if (consumer.name === this.consumer || consumer.pending > 0) continue;
        if (consumer.idle < GONE_CONSUMER_IDLE_MS) continue;
        await this.client.xGroupDelConsumer(this.streamKey, GROUP, consumer.name);
      }
    } catch (err) {
      this.logger.debug({ err }, 'delivery journal consumer sweep failed');
    }
  }

  /** Resets the idle time of the entries this process is working on. */
  private async keepHeld(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0 || this.stopped) return;
    try {
      await this.client.xClaimJustId(this.streamKey, GROUP, this.consumer, 0, ids);
    } catch (err) {
      this.logger.warn({ err }, 'delivery journal heartbeat failed');
    }
  }

  /** `handedOutBefore`: the entry comes from XAUTOCLAIM, not as a new one ('>'). */
  private take(message: StreamMessage, handedOutBefore: boolean): void {
    if (this.held.has(message.id)) return;
    const entry = parseEntry(message, handedOutBefore);
    if (!entry) {
      this.logger.error({ entryId: message.id }, 'unreadable journal entry dropped');
      void this.finish({ id: message.id, eventId: undefined, marks: [] }).catch((err: unknown) => {
        this.logger.warn({ err, entryId: message.id }, 'unreadable journal entry not removed');
      });
      return;
    }
    this.hold(entry);
  }

  /** Runs the entry's handler; the entry counts as this process's until it is finished. */
  private hold(entry: JournalEntry): void {
    const work = this.run(entry);
    this.held.set(entry.id, work);
    void work.finally(() => this.held.delete(entry.id));
  }

  private async run(entry: JournalEntry): Promise<void> {
    let marks: FinalMark[] | void;
    this.working++;
    try {
      marks = await this.handle!(entry);
    } catch (err) {
      this.leave(entry, err);
      return;
    } finally {
      this.working--;
    }
    try {
      await this.finish({ id: entry.id, eventId: entry.event.eventId, marks: marks ?? [] });
    } catch (err) {
      this.leave(entry, err);
    }
  }

  /** The entry stays pending: another instance (or this one) recovers it after recoverIdleMs. */
  private leave(entry: JournalEntry, err: unknown): void {
    const { eventId, eventType } = entry.event;
    this.logger.error({ err, eventId, eventType }, 'event left in the journal for recovery');
  }

  /**
   * Acknowledges and deletes in one step, so no crash leaves a finished entry behind; the
   * marks the handler left to the journal, and with `claimDone` the event's claim set to
   * `done`, are written in the same step. Entries finishing in one turn share the step.
   */
  private finish(request: FinishRequest): Promise<void> {
    return this.finishes.add(request);
  }

  private async finishBatch(requests: FinishRequest[]): Promise<void[]> {
    const claim = this.settings.claimDone;
    const keys = [this.streamKey];
    const values: string[] = [];
    for (const { eventId, marks } of requests) {
      for (const mark of marks) {
        keys.push(mark.key);
        values.push(mark.value, String(Math.ceil(mark.ttlMs)));
      }
      if (claim && eventId !== undefined) {
        keys.push(claim.keyOf(eventId));
        values.push('done', String(Math.ceil(claim.ttlMs)));
      }
    }
    const ids = requests.map((request) => request.id);
    try {
      await runScript(this.client, FINISH,
        { keys, arguments: [GROUP, String(ids.length), ...ids, ...values] });
    } catch (err) {
      // The done marks were to be written with the entries' removal. Written on their own,
      // entries a failed removal leaves behind are recovered as done: no plugin runs again.
      await Promise.allSettled(requests.flatMap(({ marks }) => marks).map((mark) =>
        this.client.set(mark.key, mark.value, { PX: Math.ceil(mark.ttlMs) })));
      throw err;
    }
    return requests.map(() => undefined);
  }

  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task(), ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function parseEntry(message: StreamMessage, handedOutBefore: boolean): JournalEntry | undefined {
  try {
    const event = JSON.parse(message.message.event ?? '') as JournalEntry['event'];
    if (typeof event?.eventId !== 'string') return undefined;
    return { id: message.id, event, handedOutBefore };
  } catch {
    return undefined;
  }
}

/** A stream entry's fields as a script returns them: [name, value, name, value, ...]. */
function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}
