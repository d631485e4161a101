/**
 * One bounded work queue per plugin, so a slow plugin never starves the others. A queue is a
 * counter and a FIFO of waiting starts: every event passes through one, so it stays lighter
 * than a general-purpose queue (no events, no per-task promise beyond the caller's).
 */
export class PluginQueues {
  private readonly queues = new Map<string, ConcurrencyGate>();

  constructor(private readonly concurrency: number) {}

  run(pluginId: string, task: () => Promise<void>): Promise<void> {
    return this.queueOf(pluginId).run(task);
  }

  pending(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.pending();
    return total;
  }

  /** Resolves when every queued and running task has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.idle()));
  }

  private queueOf(pluginId: string): ConcurrencyGate {
    let queue = this.queues.get(pluginId);
    if (!queue) {
      queue = new ConcurrencyGate(this.concurrency);
      this.queues.set(pluginId, queue);
    }
    return queue;
  }
}

/** At most `limit` tasks running; the others start in arrival order as slots free up. */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) return this.start(task);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        this.start(task).then(resolve, reject);
      });
    });
  }

  /** Queued and running tasks. */
  pending(): number {
    return this.running + this.waiting.length - this.head;
  }

  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.running++;
    let work: Promise<T>;
    try {
      work = task();
    } catch (err) {
      work = Promise.reject(err);
    }
    return work.finally(() => this.next());
  }

  private next(): void {
    this.running--;
    if (this.head < this.waiting.length) {
      const start = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as unknown as () => void;
      // Compact now and then, so a long-lived queue does not keep every start it ever held.
      if (this.head > 1_024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      start();
      return;
    }
    if (this.running === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
