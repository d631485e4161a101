import type { Logger } from '../../src/kernel/logger.js';
import type { BackgroundWork } from './click-handler.js';

/**
 * Work started by a click and finished after its answer; the plugin's stop waits for it.
 * At most `limit` pieces run at once and the rest wait their turn, so a burst of clicks
 * sends the platform a steady stream of requests instead of all of them at once, and the
 * replies do not crowd out the answers to the clicks still coming in.
 */
export class TrackedWork implements BackgroundWork {
  private readonly running = new Set<Promise<void>>();
  private readonly queued: Array<() => void> = [];
  private active = 0;

  constructor(private readonly logger: Logger, private readonly limit = 16) {}

  run(work: () => Promise<void>): void {
    const done = this.turn().then(work).catch((err: unknown) => {
      this.logger.error({ err }, 'work after a card answer failed');
    }).finally(() => this.leave());
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private turn(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queued.push(resolve));
  }

  private leave(): void {
    const next = this.queued.shift();
    if (next) next();
    else this.active--;
  }
}
