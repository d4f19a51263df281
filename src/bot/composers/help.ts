// /start greets and offers example questions as buttons; /help says what the bot knows and how to ask.
import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { isAdmin } from '../middleware/admin-only.js';
import { replyHtml } from '../reply.js';
import { CALLBACK } from './questions.js';

export function examplesKeyboard(examples: readonly string[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  examples.forEach((question, i) => {
    keyboard.text(question, CALLBACK.example + i).row();
  });
  return keyboard;
}

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
