// Writes the record off the reply path. add*() only push into a bounded in-memory buffer and return at
// once; a timer (every flushMs, or sooner when a batch is full) hands the buffer to the store in one
// transaction. When the database is down or slow the records wait and the writer retries with growing
// pauses; when the buffer is full, new records are dropped and counted (an answer is never held up).
import { log } from '../log.js';
import type { QuestionRecord, RecordStore, VoteRecord, WriteBatch } from './types.js';
import { describeError } from '../errors.js';
import { withDefaults } from '../defaults.js';

/** The writer's limits when the caller does not set them. */
const WRITER_DEFAULTS = { capacity: 10_000, flushMs: 200, batchSize: 500, maxRetryMs: 5000 };
/** How long close() tries to write what waits before giving up on it. */
const CLOSE_TIMEOUT_MS = 5000;

type Entry = { kind: 'question'; row: QuestionRecord } | { kind: 'vote'; row: VoteRecord };

/** Buffer size, flush timing and retry limits of the RecordWriter, with hooks for metrics and tests. */
export interface WriterOptions {
  /** Most records waiting (default 10,000). */
  capacity?: number;
  /** Pause between flushes (default 200 ms). */
  flushMs?: number;
  /** Records per transaction; a full batch is flushed without waiting for the timer (default 500). */
  batchSize?: number;
  /** Longest pause between retries while the database fails (default 5000 ms). */
  maxRetryMs?: number;
  /** Called for every failed write (for metrics); the writer logs too. */
  onError?: (error: unknown) => void;
  /** Called with the number of records dropped because the buffer was full. */
  onDrop?: (count: number) => void;
  /** Called after each committed batch with its size (the crash test acknowledges records here). */
  onWritten?: (count: number) => void;
}

/** What the writer has done so far, for /stats: the backlog, the drops and the last failure. */
export interface WriterStats {
  pending: number;
  written: number;
  dropped: number;
  writeErrors: number;
  lastError: string | null;
  /** ms epoch of the last failed write, null after a success. */
  failingSince: number | null;
}

/** Batches records in memory and writes them off the reply path, retrying while the database fails. */
export class RecordWriter {
  private queue: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private retryMs = 0;
  private closed = false;
  private lastDropLog = 0;
  private readonly capacity: number;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxRetryMs: number;
  readonly stats: WriterStats = {
    pending: 0,
    written: 0,
    dropped: 0,
    writeErrors: 0,
    lastError: null,
    failingSince: null,
  };

  constructor(
    private readonly store: RecordStore,
    private readonly options: WriterOptions = {},
  ) {
    const limits = withDefaults(WRITER_DEFAULTS, options);
    this.capacity = limits.capacity;
    this.flushMs = limits.flushMs;
    this.batchSize = limits.batchSize;
    this.maxRetryMs = limits.maxRetryMs;
  }

  addQuestion(row: QuestionRecord): boolean {
    return this.push({ kind: 'question', row });
  }

  addVote(row: VoteRecord): boolean {
    return this.push({ kind: 'vote', row });
  }

  private push(entry: Entry): boolean {
    if (this.closed || this.queue.length >= this.capacity) {
      this.stats.dropped++;
      this.options.onDrop?.(1);
      const now = Date.now();
      if (now - this.lastDropLog > 10_000) {
        this.lastDropLog = now;
        log.warn('record buffer full: records dropped', {
          dropped: this.stats.dropped,
          capacity: this.capacity,
          closed: this.closed,
        });
      }
      return false;
    }
    this.queue.push(entry);
    this.stats.pending = this.queue.length;
    if (this.queue.length >= this.batchSize && this.retryMs === 0) this.schedule(0);
    else this.schedule(this.retryMs || this.flushMs);
    return true;
  }

  /** Drops records still waiting for one pseudonym (for /forget, before the database delete). */
  discardPending(user: string): number {
    const before = this.queue.length;
    this.queue = this.queue.filter((e) => e.row.user !== user);
    this.stats.pending = this.queue.length;
    return before - this.queue.length;
  }

  private schedule(delay: number): void {
    if (this.closed && delay > 0) return;
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushOnce().then(() => {
        if (this.queue.length > 0)
          this.schedule(this.retryMs || (this.queue.length >= this.batchSize ? 0 : this.flushMs));
      });
    }, delay);
    this.timer.unref();
  }

  /** Writes one batch; on failure the records go back to the front of the queue. */
  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    const entries = this.queue.splice(0, this.batchSize);
    const batch: WriteBatch = { questions: [], votes: [] };
    for (const e of entries) {
      if (e.kind === 'question') batch.questions.push(e.row);
      else batch.votes.push(e.row);
    }
    this.flushing = this.store
      .write(batch)
      .then(() => {
        this.stats.written += entries.length;
        if (this.stats.failingSince !== null)
          log.info('record database writable again', { pending: this.queue.length });
        this.stats.failingSince = null;
        this.retryMs = 0;
        this.options.onWritten?.(entries.length);
      })
      .catch((error: unknown) => {
        // /forget may have removed some of these meanwhile; the rest go back in front, in order.
        this.queue = [...entries, ...this.queue].slice(0, Math.max(this.capacity, entries.length));
        this.stats.writeErrors++;
        this.stats.lastError = describeError(error);
        this.retryMs = Math.min(this.maxRetryMs, Math.max(this.flushMs, this.retryMs * 2));
        if (this.stats.failingSince === null) this.stats.failingSince = Date.now();
        log.warn('could not write the record; will retry', {
          error: this.stats.lastError,
          pending: this.queue.length,
          retryInMs: this.retryMs,
        });
        this.options.onError?.(error);
      })
      .finally(() => {
        this.flushing = null;
        this.stats.pending = this.queue.length;
      });
    return this.flushing;
  }

  /** Resolves when the batch being written (if any) has committed or failed. */
  async settle(): Promise<void> {
    if (this.flushing) await this.flushing;
  }

  /** Writes everything waiting now; resolves when the queue is empty or a write failed. */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    while (this.queue.length > 0) {
      const errors = this.stats.writeErrors;
      await this.flushOnce();
      if (this.stats.writeErrors !== errors) return;
    }
  }

  /** Stops taking records and tries to write the rest within `timeoutMs`; returns how many were left. */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<number> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.queue.length > 0)
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
    if (this.flushing) await this.flushing;
    const left = this.queue.length;
    if (left > 0) log.error('records not written at shutdown (database unavailable)', { lost: left });
    return left;
  }
}
