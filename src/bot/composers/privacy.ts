// What a citizen can know and decide about the record: /privacy says what is kept and for how long,
// /forget deletes everything kept under that citizen's pseudonym.
import { Composer, type Context } from 'grammy';
import { log } from '../../log.js';
import type { BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { replyHtml } from '../reply.js';
import { describeError } from '../../errors.js';

/** /privacy and /forget: what the record keeps about a citizen, and deleting it on request. */
export function privacyComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('privacy', (ctx) => replyHtml(ctx, MSG.privacy(deps.records.retentionDays)));

  composer.command('forget', async (ctx) => {
    if (!ctx.from) return;
    try {
      const deleted = await deps.records.forget(ctx.from.id);
      await ctx.reply(MSG.forgetDone(deleted.questions, deleted.votes));
    } catch (error) {
      log.warn('/forget failed', { error: describeError(error) });
      await ctx.reply(MSG.forgetFailed);
    }
  });

  return composer;
}
