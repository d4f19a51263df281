// The console chat shows exactly what the bot would send, as plain text: the bot's own HTML reply with
// the tags dropped and the entities decoded.
import type { Answer } from '../answer/types.js';
import type { EngineStatus } from '../engine-api.js';
import { renderReply } from '../bot/render.js';

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

export function renderAnswerPlain(answer: Answer, documents: EngineStatus['documents']): string {
  return htmlToPlain(renderReply(answer, documents));
}
