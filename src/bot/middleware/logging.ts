// Times every update and keeps count of those still being handled, so shutdown can wait for them.
import type { Context, MiddlewareFn } from 'grammy';
import { log } from '../../log.js';

/** Counts running tasks; `idle()` resolves when none is left. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  async track<T>(task: Promise<T>): Promise<T> {
    this.count += 1;
    try {
      return await task;
    } finally {
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Resolves true when nothing runs any more, false if `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

function updateKind(ctx: Context): string {
  return Object.keys(ctx.update).find((k) => k !== 'update_id') ?? 'unknown';
}

/** Logs each update's handling time (debug; warn when slow) and tracks it in `inFlight`. */
export function timing<C extends Context>(inFlight: InFlight, slowMs = 10_000): MiddlewareFn<C> {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await inFlight.track(next());
    } finally {
      const ms = Math.round(performance.now() - started);
      const fields = { update: ctx.update.update_id, kind: updateKind(ctx), user: ctx.from?.id, ms };
      if (ms >= slowMs) log.warn('slow update', fields);
      else log.debug('update handled', fields);
    }
  };
}
