import type { Clock } from '../clock.js';
import type { KernelConfig } from '../config/config-schema.js';
import type { DeliveryParts } from '../dispatch/dispatcher.js';
import type { Logger } from '../logger.js';
import type { Storage } from '../store/storage.js';
import { KeyvDeadLetterStore, RedisDeadLetterStore } from './dead-letter-store.js';
import { claimKey } from './event-processor.js';
import { InProcessJournal } from './in-process-journal.js';
import { RedisStreamJournal } from './redis-stream-journal.js';

/** The journal and dead-letter store that match the deployment's store. */
export function createDeliveryParts(
  storage: Storage,
  config: KernelConfig,
  logger: Logger,
  clock?: Clock,
): Required<Omit<DeliveryParts, 'clock'>> & DeliveryParts {
  const { prefix } = config.store;
  if (storage.redis) {
    const maxInFlight = Math.max(64, config.dispatch.handlerConcurrency * 8);
    return {
      journal: new RedisStreamJournal(storage.redis, logger, {
        prefix,
        recoverIdleMs: config.dispatch.recoverIdleMs,
        maxInFlight,
        maxTakenOnArrival: Math.max(1_024, maxInFlight),
        claimDone: {
          keyOf: (eventId) => storage.coordination.storedKey(claimKey(eventId)),
          ttlMs: config.dispatch.dedupTtlSeconds * 1000,
        },
      }),
      deadLetters: new RedisDeadLetterStore(storage.redis, prefix),
      clock,
    };
  }
  return {
    journal: new InProcessJournal(logger),
    deadLetters: new KeyvDeadLetterStore(storage.namespace('kernel:dead-letter')),
    clock,
  };
}
