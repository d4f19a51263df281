// Questions take turns at the engine, one per turn of the event loop. The engine answers synchronously
// (a few ms of CPU each), and grammY's runner starts a whole getUpdates batch (up to 100 updates) at
// once: without turns every answer of the batch ran in one stretch of microtasks, so no reply could leave
// (its socket write waits for the event loop) and no new update could be read until the whole batch was
// answered; in a burst of 200 first questions the median reply came almost as late as the last one.
// Between two turns the event loop polls, so each reply goes out as soon as its answer is ready, while
// the emulator or Telegram (another process) receives it in parallel with the next answer.
// Waiters are served in the order they arrived (FIFO), so a burst is answered first come, first served.

/** How long questions may run back to back before the event loop gets a turn (unless set). */
const SLICE_MS = 25;

/** Hands out turns in arrival order, yielding to the event loop after every `sliceMs` of them. */
export class Turns {
  private readonly waiting: (() => void)[] = [];
  private busy = false;
  private sliceStarted = 0;

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Questions waiting for their turn now (not counting the one running). */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `task` in its turn: after every task queued before it, and not in the same event-loop iteration
   * as the task before it. The turn ends when `task`'s promise settles.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.take();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private take(): Promise<void> {
    if (!this.busy && this.waiting.length === 0) {
      this.busy = true;
      this.sliceStarted = performance.now();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.busy = false;
      return;
    }
    if (performance.now() - this.sliceStarted < this.sliceMs) {
      next();
      return;
    }
    // setImmediate from inside a turn runs in the next iteration, after the poll phase: the replies of the
    // tasks just finished are written and replies and updates that arrived are read before the next turn.
    setImmediate(() => {
      this.sliceStarted = performance.now();
      next();
    });
  }
}
