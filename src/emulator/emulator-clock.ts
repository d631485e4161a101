/**
 * The emulated platform's time for everything with a lifetime a test wants to outlast
 * (user tokens, refresh tokens, codes, device codes): wall time plus an offset that only
 * moves forward, so a test can let a token expire without waiting.
 */
export class EmulatorClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance by a non-negative number');
    this.offsetMs += ms;
  }
}
