// Citizens' questions: any text in a private chat that is not one of our commands. One reply per
// question, always: the cited excerpt, a kind "not found", a hint for unusable input, or an apology.
import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { Answer } from '../../answer/types.js';
import { log } from '../../log.js';
import { isBlockedByUser } from '../api.js';
import { MAX_QUESTION_CHARS, type BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { renderFullPassage, renderMorePassages, renderReply } from '../render.js';
import { replyHtml } from '../reply.js';
import { newAnswerId } from '../../store/records.js';
import { addFeedbackRow } from './feedback.js';
import { describeError } from '../../errors.js';

/** Callback data prefixes; the rest of the data is an answer id or an example's index. */
export const CALLBACK = { more: 'more:', full: 'full:', example: 'ex:' } as const;

/**
 * How much of a question goes into its log line. Logs policy: the sender appears only as the record's
 * pseudonym (never the Telegram id, name or username); the question text is cut so that a pasted page
 * cannot flood the logs.
 */
const LOGGED_QUESTION_CHARS = 200;
/** Telegram shows "typing…" for about 5 s; repeat it while the engine works. */
const TYPING_REPEAT_MS = 4500;
/**
 * "typing…" only for an answer not ready within this time. Most answers take a few milliseconds, and a
 * chat action for each was half of the bot's Bot API calls: in a burst of 200 first questions those
 * calls cost a fifth of the bot's CPU and every reply waited for its chat action to return.
 */
export const TYPING_DELAY_MS = 1000;

function isCommand(ctx: Context): boolean {
  const entity = ctx.message?.entities?.[0];
  if (entity?.type === 'bot_command' && entity.offset === 0) return true;
  return /^\/[A-Za-z0-9_]+(@\w+)?(\s|$)/.test(ctx.message?.text ?? '');
}

/**
 * Shows "typing…" from TYPING_DELAY_MS on until `task` settles; a quick answer goes out without it. Once
 * shown, the reply waits for that chat action, so "typing…" never comes after the answer. A 403 (blocked)
 * on it ends the update; other failures don't matter.
 */
async function whileTyping<T>(ctx: Context, task: () => Promise<T>): Promise<T> {
  const typing = () =>
    ctx.replyWithChatAction('typing').catch((error) => {
      if (isBlockedByUser(error)) throw error;
      log.debug('chat action failed', { chat: ctx.chat?.id, error: describeError(error) });
    });
  let first: Promise<unknown> | undefined;
  let repeat: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    const action = typing();
    // Settled below; until then a rejection must not count as unhandled.
    action.catch(() => undefined);
    first = action;
    repeat = setInterval(() => void typing().catch(() => undefined), TYPING_REPEAT_MS);
  }, TYPING_DELAY_MS);
  try {
    const result = await task();
    await first;
    return result;
  } finally {
    clearTimeout(delay);
    clearInterval(repeat);
  }
}

function answerKeyboard(answer: Answer, id: string): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (answer.passages.length > 1 || answer.otherYears?.length) {
    keyboard.text(MSG.buttonMore, CALLBACK.more + id);
  }
  if (answer.passages.length > 0) {
    keyboard.text(MSG.buttonFull, CALLBACK.full + id);
  }
  return addFeedbackRow(keyboard, id);
}

/** Answers one question in the update's chat; shared by typed questions and /start's example buttons. */
export async function answerQuestion(
  ctx: Context,
  deps: BotDeps,
  raw: string,
  options: { echo?: boolean } = {},
): Promise<void> {
  const question = raw.trim();
  const user = ctx.from ? deps.records.pseudonym(ctx.from.id) : undefined;
  if (!/[\p{L}\p{N}]/u.test(question)) {
    await ctx.reply(MSG.emptyQuestion);
    return;
  }
  if (question.length > MAX_QUESTION_CHARS) {
    log.info('question too long', { user, chars: question.length });
    await ctx.reply(MSG.tooLong(MAX_QUESTION_CHARS));
    return;
  }

  const started = performance.now();
  let answer: Answer;
  try {
    const ask = () => deps.engine.ask(question, { k: deps.settings.ANSWER_PASSAGES });
    answer = await (deps.turns ? deps.turns.run(() => whileTyping(ctx, ask)) : whileTyping(ctx, ask));
  } catch (error) {
    if (isBlockedByUser(error)) throw error;
    log.error('engine failed to answer', { user, error: describeError(error) });
    await ctx.reply(MSG.internalError);
    return;
  }
  const ms = Math.round(performance.now() - started);
  const best = answer.passages[0];
  // The buttons' answer is written while the reply goes out; see the end of this function.
  const { id, stored } = answer.answered
    ? deps.answers.put(answer, ctx.chat!.id)
    : { id: newAnswerId(), stored: Promise.resolve() };
  // Queued for the batched writer: never waits for the database.
  if (ctx.from) {
    deps.records.logQuestion(ctx.from.id, {
      id,
      at: Date.now(),
      question,
      answered: answer.answered,
      source: answer.citation?.source ?? null,
      section: answer.citation?.section ?? null,
      answer: answer.answered ? answer.excerpt : null,
      confidence: answer.confidence ?? (best ? Number(best.score.toFixed(4)) : null),
      mode: deps.engine.status().mode,
      latencyMs: ms,
      chatType: ctx.chat?.type ?? 'private',
    });
  }
  log.info('question', {
    user,
    answer: id,
    chars: question.length,
    text: question.slice(0, LOGGED_QUESTION_CHARS),
    answered: answer.answered,
    reason: answer.reason,
    source: answer.citation?.source,
    score: answer.passages[0] ? Number(answer.passages[0].score.toFixed(4)) : undefined,
    ms,
  });

  const html = renderReply(answer, deps.engine.status().documents, { echoQuestion: options.echo });
  // "Not found" gets 👍/👎 too: a 👎 there tells the office the reports may say it after all.
  await replyHtml(ctx, html, {
    reply_markup: answer.answered ? answerKeyboard(answer, id) : addFeedbackRow(undefined, id),
  });
  deps.metrics?.questionAnswered(answer.answered, (performance.now() - started) / 1000);
  // Finished only once the buttons' answer is stored: the chat's next update (a press) waits for that.
  await stored;
}

/**
 * Answers every citizen's question (typed, or an example button), and the "Xem thêm" / "Toàn văn đoạn" buttons
 * under an answer.
 */
export function questionsComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.callbackQuery(/^ex:(\d{1,2})$/, async (ctx) => {
    const question = deps.examples[Number(ctx.match[1])];
    if (!question) {
      await ctx.answerCallbackQuery({ text: MSG.callbackExpired });
      return;
    }
    await ctx.answerCallbackQuery();
    await answerQuestion(ctx, deps, question, { echo: true });
  });

  composer.callbackQuery(/^(more|full):([A-Za-z0-9_-]{1,16})$/, async (ctx) => {
    const entry = ctx.chat ? await deps.answers.get(ctx.match[2]!, ctx.chat.id) : null;
    if (!entry) {
      await ctx.answerCallbackQuery({ text: MSG.callbackExpired });
      return;
    }
    const { answer } = entry;
    if (ctx.match[1] === 'more') {
      const further = answer.passages.slice(1);
      if (further.length === 0 && !answer.otherYears?.length) {
        await ctx.answerCallbackQuery({ text: MSG.noMorePassages });
        return;
      }
      await ctx.answerCallbackQuery();
      await replyHtml(ctx, renderMorePassages(further, answer.otherYears));
    } else {
      const best = answer.passages[0];
      if (!best) {
        await ctx.answerCallbackQuery({ text: MSG.callbackExpired });
        return;
      }
      await ctx.answerCallbackQuery();
      await replyHtml(ctx, renderFullPassage(best, answer.excerpt));
    }
  });

  const privateChats = composer.chatType('private');
  privateChats.on('message:text', async (ctx) => {
    if (isCommand(ctx)) {
      await ctx.reply(MSG.unknownCommand);
      return;
    }
    await answerQuestion(ctx, deps, ctx.message.text);
  });

  return composer;
}
