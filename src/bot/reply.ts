// Sends HTML that may be longer than one Telegram message: parts go out in order, the buttons under the
// last one. Link previews are off, report text has no links worth a preview.
import type { Api, Context, InlineKeyboard } from 'grammy';
import { splitHtml } from './split-html.js';

/** The keyboard to attach; it goes under the last part of a split message. */
export interface SendOptions {
  reply_markup?: InlineKeyboard;
}

/** Sends Telegram HTML to a chat, split into as many messages as the length limit needs; resolves with their ids. */
export async function sendHtml(api: Api, chatId: number, html: string, options: SendOptions = {}): Promise<number[]> {
  const parts = splitHtml(html);
  const ids: number[] = [];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const sent = await api.sendMessage(chatId, part, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(last && options.reply_markup ? { reply_markup: options.reply_markup } : {}),
    });
    ids.push(sent.message_id);
  }
  return ids;
}

/** Replies in the chat of the update. */
export function replyHtml(ctx: Context, html: string, options: SendOptions = {}): Promise<number[]> {
  if (!ctx.chat) throw new Error('replyHtml needs an update with a chat');
  return sendHtml(ctx.api, ctx.chat.id, html, options);
}
