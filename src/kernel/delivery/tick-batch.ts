/**
 * Gathers the calls made within one turn of the event loop and hands them to `flush` together
 * (at most `maxSize` at once), so events read from one socket chunk share one Redis command.
 * Each caller still gets its own result: `flush` returns one per item, in order, or throws,
 * which rejects every call of that batch.
 */
export class TickBatch<Item, Result> {
  private items: Item[] = [];
  private waiters: { resolve(result: Result): void; reject(err: unknown): void }[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: Item[]) => Promise<Result[]>,
    private readonly maxSize: number,
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      if (this.items.length >= this.maxSize) {
        this.send();
      } else if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every frame of the chunk has been read by then.
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    this.flush(items).then(
      (results) => waiters.forEach((waiter, index) => waiter.resolve(results[index]!)),
      (err: unknown) => waiters.forEach((waiter) => waiter.reject(err)),
    );
  }
}
