// Per-user sliding-window rate limit. Within any window of `windowMs` a user gets `limit` updates through;
// the first update over the limit is let through once, flagged, so that `notice` can answer it politely
// in order with the user's other replies; every further update in the window is dropped silently, before
// it queues behind the chat's other updates (a flood must not hold the runner's concurrency).
// The counting is a `RateLimitCounter`: in memory here (one process), or in PostgreSQL when several
// copies share the load (src/cluster/shared-rate-limit.ts), with the same verdicts.
import type { Context, MiddlewareFn } from 'grammy';

/** What the limiter decides for one update. */
export type RateLimitVerdict = 'pass' | 'notice' | 'drop';

/** Counts a user's updates and gives each its verdict. */
export interface RateLimitCounter {
  /** Counts one update of `key`. A counter that cannot decide (database down) says 'pass'. */
  hit(key: string): RateLimitVerdict | Promise<RateLimitVerdict>;
}

/** How many updates a user may send per window, and how the one notice of a window is sent. */
export interface RateLimitOptions<C extends Context> {
  /** Updates allowed per user within a window. */
  limit: number;
  /** Length of the sliding window (default one minute). */
  windowMs?: number;
  /** Who is limited; updates without a key are never limited. Default: the sender's id. */
  key?: (ctx: C) => string | undefined;
  /** Sends the one notice of a window. */
  onLimitExceeded: (ctx: C) => Promise<unknown>;
  /** Clock, for tests. */
  now?: () => number;
  /** Where the counts live (default: this process's memory, with `limit`, `windowMs` and `now`). */
  counter?: RateLimitCounter;
}

interface Window {
  /** Times of the updates let through, oldest first; never longer than `limit`. */
  hits: number[];
  /** When the last notice was sent, or -Infinity. */
  noticeAt: number;
}

/** The two halves of the rate limit, installed on either side of sequentialize (see the file's header). */
export interface RateLimiter<C extends Context> {
  /** Counts the update; put it before sequentialize. */
  gate: MiddlewareFn<C>;
  /** Answers the update flagged by the gate with the notice; put it after sequentialize. */
  notice: MiddlewareFn<C>;
}

/** The sliding window unless set: limits are read per minute (RATE_LIMIT_PER_MINUTE). */
export const DEFAULT_WINDOW_MS = 60_000;

/** The counts of one process, in a map of users seen within the last window. */
export function memoryRateLimitCounter(options: {
  limit: number;
  windowMs?: number;
  now?: () => number;
}): RateLimitCounter {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  let lastSweep = now();

  // Forget users idle for a whole window, at most once per window, so the map stays small.
  function sweep(t: number): void {
    if (t - lastSweep < windowMs) return;
    lastSweep = t;
    for (const [key, w] of windows) {
      const last = w.hits[w.hits.length - 1] ?? -Infinity;
      if (t - last >= windowMs && t - w.noticeAt >= windowMs) windows.delete(key);
    }
  }

  return {
    hit(key) {
      const t = now();
      sweep(t);
      let w = windows.get(key);
      if (!w) {
        w = { hits: [], noticeAt: -Infinity };
        windows.set(key, w);
      }
      while (w.hits.length > 0 && t - w.hits[0]! >= windowMs) w.hits.shift();
      if (w.hits.length < options.limit) {
        w.hits.push(t);
        return 'pass';
      }
      if (t - w.noticeAt >= windowMs) {
        w.noticeAt = t;
        return 'notice';
      }
      return 'drop';
    },
  };
}

/** Creates a per-user sliding-window rate limit, so that one flooding user cannot slow the bot for the others. */
export function rateLimit<C extends Context>(options: RateLimitOptions<C>): RateLimiter<C> {
  const counter = options.counter ?? memoryRateLimitCounter(options);
  const keyOf = options.key ?? ((ctx: C) => (ctx.from ? String(ctx.from.id) : undefined));
  const flagged = new WeakSet<C>();

  const gate: MiddlewareFn<C> = async (ctx, next) => {
    const key = keyOf(ctx);
    if (key === undefined) return next();
    const counted = counter.hit(key);
    // The in-memory verdict is used at once, so that updates keep their order on the way to sequentialize.
    const verdict = typeof counted === 'string' ? counted : await counted;
    if (verdict === 'pass') return next();
    if (verdict === 'notice') {
      flagged.add(ctx);
      return next();
    }
    // Over the limit and already told: drop.
  };

  const notice: MiddlewareFn<C> = async (ctx, next) => {
    if (flagged.has(ctx)) {
      await options.onLimitExceeded(ctx);
      return;
    }
    return next();
  };

  return { gate, notice };
}
