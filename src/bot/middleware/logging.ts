// Times every update in the log, and counts it as in flight while it runs so that shutdown can wait for it.
import type { Context, MiddlewareFn } from 'grammy';
import { log } from '../../log.js';
import type { InFlight } from '../in-flight.js';

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
