// Many small writes of one kind become one statement, without waiting for a timer: the first write goes
// out at once; writes asked for while a statement is on its way wait for it and then go out together. An
// idle bot pays no extra latency, and a burst pays one database round trip per batch instead of one per
// update (in a burst of 200 first questions the durable queue made four round trips per update).
// A batch never holds the same key twice, so that "was it already stored / marked?" stays a per-item
// answer even when the same update is written twice at once.

/** Runs one statement for a batch of items; resolves with one result per item, in the items' order. */
export type BatchRun<T, R> = (items: T[]) => Promise<R[]>;

/** Groups items into statements: one in flight at a time, the next holding everything asked meanwhile. */
export class StatementBatcher<T, R> {
  private waiting: { item: T; key: string; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  /**
   * `run` executes one statement for its items and returns one result per item, in order; `keyOf` names
   * what must not appear twice in one statement; at most `maxBatch` items go in one statement.
   */
  constructor(
    private readonly run: BatchRun<T, R>,
    private readonly keyOf: (item: T) => string,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves with this item's result once the statement holding it has run; rejects if that statement failed. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, key: this.keyOf(item), resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      try {
        const results = await this.run(batch.map((w) => w.item));
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.running = false;
  }

  /** The oldest waiting items, up to maxBatch, skipping (for the next batch) a key already taken. */
  private takeBatch(): typeof this.waiting {
    const batch: typeof this.waiting = [];
    const keys = new Set<string>();
    const rest: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (batch.length < this.maxBatch && !keys.has(w.key)) {
        keys.add(w.key);
        batch.push(w);
      } else rest.push(w);
    }
    this.waiting = rest;
    return batch;
  }
}
