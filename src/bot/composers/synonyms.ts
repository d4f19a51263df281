// Admins teach the bot the words citizens use: `/synonym yếu kém = hạn chế, tồn tại` adds a group to the
// office's synonyms file, used from the next question on. The unanswered questions in /stats show which
// words are missing.
import { Composer, type Context } from 'grammy';
import { log } from '../../log.js';
import type { BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { adminOnly } from '../middleware/admin-only.js';
import { replyHtml } from '../reply.js';

/** `/synonym` and its Vietnamese alias `/dongnghia`, for admins only. */
export function synonymsComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  // Only the command itself is checked: any other text (a citizen's question) passes on untouched.
  composer.command(
    ['synonym', 'dongnghia'],
    adminOnly(deps.settings.ADMIN_IDS, (ctx) => ctx.reply(MSG.notAdmin)),
    async (ctx) => {
      const line = ctx.match.trim();
      if (!line) {
        await replyHtml(ctx, MSG.synonymUsage);
        return;
      }
      if (!deps.engine.addSynonyms) {
        await ctx.reply(MSG.synonymUnavailable);
        return;
      }
      const result = await deps.engine.addSynonyms(line);
      if (!result.added) {
        log.info('synonym group refused', { user: ctx.from?.id, reason: result.problem });
        await replyHtml(ctx, MSG.synonymRefused(result.problemKind));
        return;
      }
      await replyHtml(ctx, MSG.synonymAdded(result.phrases));
    },
  );
  return composer;
}
