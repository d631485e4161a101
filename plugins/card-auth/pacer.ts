/**
 * Spaces calls to at most `perSecond`, first come first served. The platform's token
 * endpoint allows an app 50 calls a second and 1,000 a minute (reference §4.4), shared by
 * every device-flow poll and every token refresh of the app on every instance.
 */
export class Pacer {
  private nextAt = 0;
  private stopped = false;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly perSecond: number) {}

  /** Resolves true at this caller's turn, or false once the pacer is stopped. */
  async turn(): Promise<boolean> {
    if (this.stopped) return false;
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + 1000 / this.perSecond;
    if (at > now) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, at - now);
        this.waiting.add(done);
      });
    }
    return !this.stopped;
  }

  /** How long a caller asking now would wait for its turn. */
  backlogMs(): number {
    return Math.max(0, this.nextAt - Date.now());
  }

  /** Callers waiting for their turn get false at once; later ones too. */
  stop(): void {
    this.stopped = true;
    for (const done of [...this.waiting]) done();
  }
}
