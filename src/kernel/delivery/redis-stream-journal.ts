import os from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';
import type { LarkEvent } from '../dispatch/lark-event.js';
import type { Logger } from '../logger.js';
import type { DeliveryJournal, EntryHandler, JournalEntry } from './delivery-journal.js';

/** The node-redis v5 client as @keyv/redis creates it (RESP2). */
export type RedisClient = RedisClientType<{}, {}, {}, 2, {}>;

export interface RedisJournalSettings {
  /** Key prefix of the deployment (store.prefix). */
  prefix: string;
  /** An entry idle this long in another consumer's hands is taken over. */
  recoverIdleMs: number;
  /** Entries this process holds at most; reading pauses above it. */
  maxInFlight: number;
  /**
   * The claim of a finished entry's event, set to `done` in the transaction that removes the
   * entry (one round trip fewer per event); absent, the dispatcher writes it itself.
   */
  claimDone?: { keyOf(eventId: string): string; ttlMs: number };
}

const GROUP = 'kernels';

// KEYS: the claim keys, then the stream. ARGV: ttl ms, event JSON.
const CLAIM_AND_APPEND = `
local stream = KEYS[#KEYS]
for i = 1, #KEYS - 1 do
  if not redis.call('SET', KEYS[i], 'processing', 'NX', 'PX', ARGV[1]) then
    for j = 1, i - 1 do redis.call('DEL', KEYS[j]) end
    return 0
  end
end
redis.call('XADD', stream, '*', 'event', ARGV[2])
return 1`;
const CLAIM_AND_APPEND_SHA = createHash('sha1').update(CLAIM_AND_APPEND).digest('hex');
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

/**
 * A Redis stream with one consumer group shared by every instance. `append` is an XADD done
 * before the ACK; every instance reads new entries with XREADGROUP, so an event is handled by
 * whichever instance reads it, not necessarily the one whose socket received it. An entry is
 * XACKed (and deleted) only when its handler resolves. Entries left pending by a dead instance
 * are taken over with XAUTOCLAIM once idle for `recoverIdleMs`; this process keeps the idle
 * time of its own in-flight entries near zero (XCLAIM to itself), so a long handler is not
 * taken away from a live instance.
 */
export class RedisStreamJournal implements DeliveryJournal {
  readonly durable = true;
  readonly marksClaimsDone: boolean;
  readonly consumer = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly streamKey: string;
  private readonly instancesKey: string;
  private readonly held = new Map<string, Promise<void>>();
  private reader: RedisClient | undefined;
  private handle: EntryHandler | undefined;
  private loop: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly client: RedisClient,
    private readonly logger: Logger,
    private readonly settings: RedisJournalSettings,
  ) {
    this.streamKey = `${settings.prefix}:delivery:journal`;
    this.instancesKey = `${settings.prefix}:delivery:instances`;
    this.marksClaimsDone = settings.claimDone !== undefined;
  }

  async append(event: LarkEvent): Promise<void> {
    await this.client.xAdd(this.streamKey, '*', { event: JSON.stringify(event) });
  }

  async claimAndAppend(claimKeys: string[], ttlMs: number, event: LarkEvent): Promise<boolean> {
    const options = {
      keys: [...claimKeys, this.streamKey],
      arguments: [String(Math.ceil(ttlMs)), JSON.stringify(event)],
    };
    // Every event passes here: send the script's digest, and its text only when the server
    // does not know it yet (first use, or after a restart or SCRIPT FLUSH).
    let reply: unknown;
    try {
      reply = await this.client.evalSha(CLAIM_AND_APPEND_SHA, options);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      reply = await this.client.eval(CLAIM_AND_APPEND, options);
    }
    return Number(reply) === 1;
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
        await Promise.race([...this.held.values()]).catch(() => undefined);
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
      void this.finish(message.id).catch((err: unknown) => {
        this.logger.warn({ err, entryId: message.id }, 'unreadable journal entry not removed');
      });
      return;
    }
    const work = this.run(entry);
    this.held.set(message.id, work);
    void work.finally(() => this.held.delete(message.id));
  }

  private async run(entry: JournalEntry): Promise<void> {
    try {
      await this.handle!(entry);
      await this.finish(entry.id, entry.event.eventId);
    } catch (err) {
      // Left pending: another instance (or this one) recovers it after recoverIdleMs.
      const { eventId, eventType } = entry.event;
      this.logger.error({ err, eventId, eventType }, 'event left in the journal for recovery');
    }
  }

  /**
   * Acknowledges and deletes in one transaction, so no crash leaves a finished entry behind;
   * with `claimDone`, the event's claim becomes `done` in the same transaction.
   */
  private async finish(id: string, eventId?: string): Promise<void> {
    const claim = this.settings.claimDone;
    const transaction = this.client.multi();
    if (claim && eventId !== undefined) {
      transaction.set(claim.keyOf(eventId), 'done', { PX: Math.ceil(claim.ttlMs) });
    }
    await transaction.xAck(this.streamKey, GROUP, id).xDel(this.streamKey, id).exec();
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
