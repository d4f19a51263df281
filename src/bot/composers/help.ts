// /start greets and offers example questions as buttons; /help says what the bot knows and how to ask.
import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { isAdmin } from '../middleware/admin-only.js';
import { replyHtml } from '../reply.js';
import { CALLBACK } from './questions.js';

/**
 * One button a line for the example questions; pressing one asks it, so a first-time citizen sees an answer at
 * once.
 */
export function examplesKeyboard(examples: readonly string[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  examples.forEach((question, i) => {
    keyboard.text(question, CALLBACK.example + i).row();
  });
  return keyboard;
}

/** /start (a greeting with the example buttons) and /help (what the bot knows, with the admin commands for admins). */
export function helpComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('start', async (ctx) => {
    await replyHtml(ctx, MSG.start(ctx.from?.first_name), { reply_markup: examplesKeyboard(deps.examples) });
  });

  composer.command('help', async (ctx) => {
    await replyHtml(ctx, MSG.help(deps.engine.status().documents, isAdmin(deps.settings.ADMIN_IDS, ctx)));
  });

  return composer;
}
