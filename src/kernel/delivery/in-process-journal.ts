import type { Logger } from '../logger.js';
import type { LarkEvent } from '../dispatch/lark-event.js';
import type { DeliveryJournal, EntryHandler } from './delivery-journal.js';

/**
 * The journal of the memory and SQLite stores: the entry lives in this process only, so an
 * event acknowledged and not yet handled is lost if the process dies (docs/delivery.md).
 */
export class InProcessJournal implements DeliveryJournal {
  readonly durable = false;
  private handle: EntryHandler | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  async append(event: LarkEvent): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error('delivery journal not started; the platform will re-push');
    const work = handle({ id: event.eventId, event }).then(() => {}, (err: unknown) => {
      this.logger.error({ err, eventId: event.eventId, eventType: event.eventType },
        'event processing failed before its handlers finished');
    });
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  async start(handle: EntryHandler): Promise<void> {
    this.handle = handle;
  }

  inFlight(): number {
    return this.running.size;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.handle = undefined;
  }
}
