// 👍 / 👎 under each answer. The buttons carry the answer's id (the id of its row in the record), so they
// keep working after a restart: nothing about them is held in memory. One vote per citizen per answer;
// pressing the other button changes it. A 👎 offers three one-tap reasons, all optional.
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { DOWN_REASONS, type DownReason } from '../../store/types.js';
import type { BotDeps } from '../deps.js';
import { DOWN_REASON_LABEL, MSG } from '../messages.vi.js';

/** Callback data prefixes of the vote buttons and of the 👎 reason buttons; the answer's id follows. */
export const FEEDBACK_CALLBACK = { vote: 'fb:', reason: 'fbr:' } as const;
const ID = '[A-Za-z0-9_-]{1,16}';

/** Adds the 👍 / 👎 row for answer `id` to a keyboard. */
export function addFeedbackRow(keyboard: InlineKeyboard = new InlineKeyboard(), id: string): InlineKeyboard {
  // A new row only under existing buttons: an empty first row would be refused by Telegram.
  if (keyboard.inline_keyboard.some((row) => row.length > 0)) keyboard.row();
  return keyboard
    .text(MSG.buttonUp, `${FEEDBACK_CALLBACK.vote}${id}:up`)
    .text(MSG.buttonDown, `${FEEDBACK_CALLBACK.vote}${id}:down`);
}

/** The three optional one-tap reasons offered after a 👎 on answer `id`. */
export function reasonKeyboard(id: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const reason of DOWN_REASONS)
    keyboard.text(DOWN_REASON_LABEL[reason], `${FEEDBACK_CALLBACK.reason}${id}:${reason}`).row();
  return keyboard;
}

/** Records 👍 / 👎 votes and 👎 reasons in the record, one vote per citizen per answer. */
export function feedbackComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.callbackQuery(new RegExp(`^fb:(${ID}):(up|down)$`), async (ctx) => {
    const id = ctx.match[1]!;
    const vote = ctx.match[2] as 'up' | 'down';
    if (!deps.records.vote(ctx.from.id, id, vote)) {
      await ctx.answerCallbackQuery({ text: MSG.feedbackNotSaved });
      return;
    }
    if (vote === 'up') {
      await ctx.answerCallbackQuery({ text: MSG.feedbackThanks });
      return;
    }
    await ctx.answerCallbackQuery();
    if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, MSG.feedbackAskReason, { reply_markup: reasonKeyboard(id) });
  });

  composer.callbackQuery(new RegExp(`^fbr:(${ID}):(${DOWN_REASONS.join('|')})$`), async (ctx) => {
    const id = ctx.match[1]!;
    const reason = ctx.match[2] as DownReason;
    if (!deps.records.vote(ctx.from.id, id, 'down', reason)) {
      await ctx.answerCallbackQuery({ text: MSG.feedbackNotSaved });
      return;
    }
    await ctx.answerCallbackQuery();
    // The reason buttons give way to the thanks, so that the question is not asked twice.
    await ctx.editMessageText(MSG.feedbackReasonThanks(reason)).catch(() => undefined);
  });

  return composer;
}
