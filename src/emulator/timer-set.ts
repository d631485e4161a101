/**
 * Every timer the emulator arms goes through one of these, so stop() can cancel them all
 * and none of them keeps a test process alive on its own (they are unref'd).
 */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(delayMs: number, callback: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
