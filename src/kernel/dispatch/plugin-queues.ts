import PQueue from 'p-queue';

/** One bounded work queue per plugin, so a slow plugin never starves the others. */
export class PluginQueues {
  private readonly queues = new Map<string, PQueue>();

  constructor(private readonly concurrency: number) {}

  run(pluginId: string, task: () => Promise<void>): Promise<void> {
    return this.queueOf(pluginId).add(task);
  }

  pending(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.size + queue.pending;
    return total;
  }

  /** Resolves when every queued and running task has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.onIdle()));
  }

  private queueOf(pluginId: string): PQueue {
    let queue = this.queues.get(pluginId);
    if (!queue) {
      queue = new PQueue({ concurrency: this.concurrency });
      this.queues.set(pluginId, queue);
    }
    return queue;
  }
}
