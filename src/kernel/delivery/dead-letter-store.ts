import type { Keyv } from 'keyv';
import type { LarkEvent } from '../dispatch/lark-event.js';
import { redactText } from '../logger.js';
import type { RedisClient } from './redis-stream-journal.js';

/** An event one plugin could not handle within its retry policy. */
export interface ParkedEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly plugin: string;
  readonly attempts: number;
  /** The last error, redacted: code (if any) and message, never a stack or a secret. */
  readonly error: { code?: string; message: string };
  readonly parkedAt: number;
  readonly event: LarkEvent;
}

/** Parked events, one per (event, plugin), kept until replayed or removed. */
export interface DeadLetterStore {
  park(parked: ParkedEvent): Promise<void>;
  list(): Promise<ParkedEvent[]>;
  remove(eventId: string, plugin: string): Promise<void>;
}

export function describeError(err: unknown): ParkedEvent['error'] {
  const code = (err as { code?: unknown })?.code;
  const message = redactText(String((err as Error)?.message ?? err)).slice(0, 2_000);
  return typeof code === 'string' ? { code, message } : { message };
}

/** The event as parked: token shapes inside it (a card's `c-` token, say) are scrubbed. */
export function scrubEvent(event: LarkEvent): LarkEvent {
  return JSON.parse(redactText(JSON.stringify(event))) as LarkEvent;
}

function fieldOf(eventId: string, plugin: string): string {
  return `${plugin}\u0000${eventId}`;
}

/** A Redis hash: atomic per entry, shared by every instance. */
export class RedisDeadLetterStore implements DeadLetterStore {
  private readonly key: string;

  constructor(private readonly client: RedisClient, prefix: string) {
    this.key = `${prefix}:delivery:dead-letter`;
  }

  async park(parked: ParkedEvent): Promise<void> {
    const field = fieldOf(parked.eventId, parked.plugin);
    await this.client.hSet(this.key, field, JSON.stringify(parked));
  }

  async list(): Promise<ParkedEvent[]> {
    const all = await this.client.hGetAll(this.key);
    const texts = Object.values(all as Record<string, string>);
    return texts.map((text) => JSON.parse(text) as ParkedEvent);
  }

  async remove(eventId: string, plugin: string): Promise<void> {
    await this.client.hDel(this.key, fieldOf(eventId, plugin));
  }
}

/**
 * keyv (memory or SQLite) with an index entry. Updates are serialised in this process; two
 * processes sharing one SQLite file could lose an index line (the embedded store is meant for
 * one process).
 */
export class KeyvDeadLetterStore implements DeadLetterStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Keyv) {}

  park(parked: ParkedEvent): Promise<void> {
    return this.serial(async () => {
      const field = fieldOf(parked.eventId, parked.plugin);
      await this.store.set(`entry:${field}`, parked);
      const index = await this.index();
      if (!index.includes(field)) await this.store.set('index', [...index, field]);
    });
  }

  async list(): Promise<ParkedEvent[]> {
    const entries = await Promise.all(
      (await this.index()).map((field) => this.store.get<ParkedEvent>(`entry:${field}`)),
    );
    return entries.filter((entry): entry is ParkedEvent => entry !== undefined);
  }

  remove(eventId: string, plugin: string): Promise<void> {
    return this.serial(async () => {
      const field = fieldOf(eventId, plugin);
      await this.store.delete(`entry:${field}`);
      await this.store.set('index', (await this.index()).filter((f) => f !== field));
    });
  }

  private async index(): Promise<string[]> {
    return (await this.store.get<string[]>('index')) ?? [];
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
