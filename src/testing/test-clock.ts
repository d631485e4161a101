import type { Clock } from '../kernel/clock.js';

/**
 * A clock that moves only when the test says so. The kernel hands it to the stores (claims,
 * locks, TTLs) and to every plugin as `ctx.clock`; timers of the connection are not affected.
 */
export class TestClock implements Clock {
  private current: number;

  constructor(startMs = Date.now()) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    if (ms < 0) throw new RangeError(`a clock only moves forward; got ${ms} ms`);
    this.current += ms;
    return this.current;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}
