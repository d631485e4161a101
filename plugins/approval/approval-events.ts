import type { Logger } from '../../src/kernel/logger.js';
import type { ApprovalInstanceChange } from './approval-event.js';

export type ApprovalListener = (change: ApprovalInstanceChange) => void | Promise<void>;

/**
 * The approval plugin's service: other plugins subscribe to normalised approval changes.
 * Each event reaches every listener once (the kernel deduplicates); a failing listener is
 * logged and does not stop the others.
 */
export class ApprovalEvents {
  private readonly listeners = new Set<ApprovalListener>();

  constructor(private readonly logger: Logger) {}

  /** Returns the unsubscribe function. */
  subscribe(listener: ApprovalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(change: ApprovalInstanceChange): Promise<void> {
    await Promise.all([...this.listeners].map(async (listener) => {
      try {
        await listener(change);
      } catch (err) {
        this.logger.error({ err, eventId: change.eventId }, 'approval listener failed');
      }
    }));
  }
}
