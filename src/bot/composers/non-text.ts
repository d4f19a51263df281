// Stickers, photos, voice notes and the like: the bot reads text only, so it says so once per message.
// (Documents are handled by the admin composer: uploads for admins, a hint for everyone else.)
import { Composer, type Context } from 'grammy';
import { MSG } from '../messages.vi.js';

/** Answers any other message in a private chat (a sticker, a photo, a voice note) with a hint to type the question. */
export function nonTextComposer(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.chatType('private').on('message', async (ctx) => {
    await ctx.reply(MSG.nonText);
  });
  return composer;
}
