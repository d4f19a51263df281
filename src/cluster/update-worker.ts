// Takes updates from the durable queue and runs them, in every process: claims as many as it has room
// for, keeps their leases alive while they run, finishes them, and skips those already answered.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { log } from '../log.js';
import type { ClaimedUpdate, UpdateQueue } from './update-queue.js';
import { describeError } from '../errors.js';
import { DEFAULT_UPDATE_LEASE_SECONDS } from '../config.js';
import { withDefaults } from '../defaults.js';

/** A worker's limits unless set; the lease is the UPDATE_LEASE_SECONDS default. */
const WORKER_DEFAULTS = {
  concurrency: 50,
  claimBatch: 10,
  leaseMs: DEFAULT_UPDATE_LEASE_SECONDS * 1000,
  pollMs: 200,
  maxAttempts: 5,
};

/** The queue and handler a worker runs, and its limits; unset limits take their defaults. */
export interface UpdateWorkerOptions {
  queue: UpdateQueue;
  /** Runs one update (the bot's handleUpdate); a throw finishes the update with the error recorded. */
  handle: (claimed: ClaimedUpdate) => Promise<void>;
  /** This worker's name in the leases (default host:pid:random). */
  owner?: string;
  /** Updates run at once (default 50). */
  concurrency?: number;
  /**
   * While updates run, claim again only once this many have finished (default 10): a worker that claimed
   * whenever one slot was free made one claim statement per update in a burst.
   */
  claimBatch?: number;
  /** How long a claim holds without renewal (default 30 s); renewed every third of it while running. */
  leaseMs?: number;
  /** Wait between claims when the queue was empty (default 200 ms); wake() cuts it short. */
  pollMs?: number;
  /** Claims of one update after which it is given up (default 5). */
  maxAttempts?: number;
  /** A database call failed (for the metrics). */
  onDatabaseError?: (op: string, error: unknown) => void;
}

/** An update being run, with the worker's lease on it and the queue it came from. */
export interface QueuedRun extends ClaimedUpdate {
  owner: string;
  leaseMs: number;
  queue: UpdateQueue;
}

// Keyed by the update object handed to `handle` (grammY's ctx.update). An AsyncLocalStorage did this
// before: while one is enabled Node runs a hook for every promise of the process, a cost to each update.
const runs = new WeakMap<object, QueuedRun>();

/** The run of an update that a worker of this process is handling, or undefined (not from the queue). */
export function queuedRunOf(update: object): QueuedRun | undefined {
  return runs.get(update);
}

/** Runs queued updates in this process: claims what it has room for, renews their leases, finishes them. */
export class UpdateWorker {
  readonly owner: string;
  private readonly running = new Map<number, Promise<void>>();
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly concurrency: number;
  private readonly claimBatch: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: UpdateWorkerOptions) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const limits = withDefaults(WORKER_DEFAULTS, options);
    this.concurrency = limits.concurrency;
    this.claimBatch = Math.max(1, Math.min(limits.claimBatch, limits.concurrency));
    this.leaseMs = limits.leaseMs;
    this.pollMs = limits.pollMs;
    this.maxAttempts = limits.maxAttempts;
  }

  /** Updates this worker is running now. */
  get inFlight(): number {
    return this.running.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** Claims at once instead of after the poll wait (an update was just stored by this process). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops claiming; waits for the updates being run (their leases are kept alive meanwhile). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.running.values()]);
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  /** Room for a claim: nothing runs, or at least claimBatch slots are free. */
  private roomToClaim(): number {
    const room = this.concurrency - this.running.size;
    return this.running.size === 0 || room >= this.claimBatch ? room : 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const room = this.roomToClaim();
      let claimed: ClaimedUpdate[] = [];
      if (room > 0) {
        try {
          claimed = await this.options.queue.claim(this.owner, this.leaseMs, room);
        } catch (error) {
          this.options.onDatabaseError?.('claim', error);
          log.warn('could not claim updates', { error: describeError(error) });
        }
      }
      for (const update of claimed) {
        const run = this.run(update).finally(() => {
          this.running.delete(update.updateId);
          this.wake();
        });
        this.running.set(update.updateId, run);
      }
      // Too full to claim, or nothing to claim: wait for a finished update, a wake-up or the poll interval.
      if (claimed.length === 0 || this.roomToClaim() === 0) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  private async run(update: ClaimedUpdate): Promise<void> {
    let error: string | undefined;
    if (update.repliedAt) {
      log.info('update already answered before its worker stopped; not running it again', {
        update: update.updateId,
        attempts: update.attempts,
      });
    } else if (update.attempts > this.maxAttempts) {
      error = `given up after ${update.attempts - 1} attempts`;
      log.error('update given up', { update: update.updateId, attempts: update.attempts });
    } else {
      if (update.replyAttempts > 0)
        log.warn('an earlier run was stopped while sending its reply; answering again (the user may get it twice)', {
          update: update.updateId,
          attempts: update.attempts,
        });
      runs.set(update.update, { ...update, owner: this.owner, leaseMs: this.leaseMs, queue: this.options.queue });
      try {
        await this.options.handle(update);
      } catch (e) {
        error = describeError(e);
        log.error('queued update failed', { update: update.updateId, error });
      } finally {
        runs.delete(update.update);
      }
    }
    try {
      await this.options.queue.complete(update.updateId, this.owner, error);
    } catch (e) {
      // The lease runs out and another worker takes it; replied_at keeps it from being answered twice.
      this.options.onDatabaseError?.('complete', e);
      log.warn('could not mark an update done', { update: update.updateId, error: describeError(e) });
    }
  }

  private async renew(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    try {
      const lost = await this.options.queue.extend(this.owner, ids, this.leaseMs);
      if (lost.length > 0)
        log.warn('leases lost while running (another worker may run these updates)', { updates: lost });
    } catch (error) {
      this.options.onDatabaseError?.('extend', error);
      log.warn('could not renew leases', { error: describeError(error) });
    }
  }
}
