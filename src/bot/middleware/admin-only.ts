// Admin rights are checked on every admin action when it runs, from the sender of that very update:
// buttons can be forged, forwarded or pressed by someone else in a group, so nothing is remembered.
import type { Context, MiddlewareFn } from 'grammy';
import { log } from '../../log.js';

/** Whether the sender of this update is in ADMIN_IDS; checked on every update, never remembered. */
export function isAdmin(adminIds: ReadonlySet<number>, ctx: Context): boolean {
  return ctx.from !== undefined && adminIds.has(ctx.from.id);
}

/**
 * Lets admins through; anybody else gets `refuse` (a polite reply) and nothing else happens.
 */
export function adminOnly<C extends Context>(
  adminIds: ReadonlySet<number>,
  refuse: (ctx: C) => Promise<unknown>,
): MiddlewareFn<C> {
  return async (ctx, next) => {
    if (isAdmin(adminIds, ctx)) return next();
    log.info('admin action refused', { user: ctx.from?.id, update: ctx.update.update_id });
    await refuse(ctx);
  };
}
