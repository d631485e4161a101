import { setTimeout as delay } from 'node:timers/promises';
import { wallClockMs } from './wall-clock.js';

/**
 * Counts handler completions for the side being measured. The kernel's bench plugin and the
 * raw SDK handler run the same `benchWorkload`, so both sides do exactly the same work.
 */
export class HandlerProbe {
  private expected = 0;
  private done = 0;
  private lastAt = 0;
  private waiter: (() => void) | undefined;

  /** Starts a batch of `count` events. */
  expect(count: number): void {
    this.expected = count;
    this.done = 0;
    this.lastAt = 0;
    this.waiter = undefined;
  }

  record(): void {
    this.done++;
    this.lastAt = wallClockMs();
    if (this.done >= this.expected) this.waiter?.();
  }

  get handled(): number {
    return this.done;
  }

  /** Wall-clock time the latest handler finished. */
  get lastHandledAt(): number {
    return this.lastAt;
  }

  /** Resolves once every expected handler has finished. */
  completed(): Promise<void> {
    if (this.done >= this.expected) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

export const probe = new HandlerProbe();

/** The handler body both sides run: wait `delayMs` (0: nothing at all), then count. */
export async function benchWorkload(delayMs: number): Promise<void> {
  if (delayMs > 0) await delay(delayMs);
  probe.record();
}
