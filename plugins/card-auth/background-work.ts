import type { Logger } from '../../src/kernel/logger.js';
import type { BackgroundWork } from './click-handler.js';

/** Work started by a click and finished after its answer; the plugin's stop waits for it. */
export class TrackedWork implements BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(work: () => Promise<void>): void {
    const done = Promise.resolve().then(work).catch((err: unknown) => {
      this.logger.error({ err }, 'work after a card answer failed');
    });
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
