import { ConcurrencyGate } from '../../src/kernel/dispatch/plugin-queues.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { BackgroundWork } from './click-handler.js';

/**
 * Work started by a click and finished after its answer; the plugin's stop waits for it.
 * At most `limit` pieces run at once and the rest wait their turn, so a burst of clicks
 * sends the platform a steady stream of requests instead of all of them at once, and the
 * replies do not crowd out the answers to the clicks still coming in.
 */
export class TrackedWork implements BackgroundWork {
  private readonly gate: ConcurrencyGate;

  constructor(private readonly logger: Logger, limit = 16) {
    this.gate = new ConcurrencyGate(limit);
  }

  run(work: () => Promise<void>): void {
    this.gate.run(work).catch((err: unknown) => {
      this.logger.error({ err }, 'work after a card answer failed');
    });
  }

  settled(): Promise<void> {
    return this.gate.idle();
  }
}
