// The console chat shows exactly what the bot would send, as plain text: the bot's own HTML reply with
// the tags dropped and the entities decoded.
import type { Answer } from '../answer/types.js';
import type { EngineStatus } from '../engine-api.js';
import { renderReply } from '../bot/render.js';

/** Telegram HTML as console text: tags dropped (a blockquote becomes quotation marks) and entities decoded. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<blockquote[^>]*>/g, '“')
    .replace(/<\/blockquote>/g, '”')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

/** The bot's reply to a question as the console chat prints it, so the CLI shows exactly what a citizen would read. */
export function renderAnswerPlain(answer: Answer, documents: EngineStatus['documents']): string {
  return htmlToPlain(renderReply(answer, documents));
}
