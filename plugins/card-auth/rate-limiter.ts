import type { Clock } from '../../src/kernel/clock.js';
import type { Coordination } from '../../src/kernel/store/coordination.js';

const WINDOW_MS = 60_000;

/**
 * At most `perMinute` requests per user per minute window, across every instance: each
 * request claims one of the window's numbered slots, and a claim is atomic in the store.
 */
export class UserRateLimiter {
  constructor(
    private readonly coordination: Coordination,
    private readonly clock: Clock,
    private readonly perMinute: number,
    private readonly prefix: string,
  ) {}

  async take(openId: string): Promise<boolean> {
    const window = Math.floor(this.clock.now() / WINDOW_MS);
    for (let slot = 0; slot < this.perMinute; slot += 1) {
      const key = `${this.prefix}:rate:${openId}:${window}:${slot}`;
      if (await this.coordination.claim(key, WINDOW_MS * 2)) return true;
    }
    return false;
  }
}
