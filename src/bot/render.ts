// Answers become Telegram HTML here. Every piece of report text goes through escapeHtml, because a report
// may contain "<", ">" or "&" and Telegram rejects the whole message on one bad entity. Cutting a long
// reply into messages that fit Telegram's limit is split-html.ts's job.
import type { Answer, Citation, RankedPassage } from '../answer/types.js';
import type { EngineStatus } from '../engine-api.js';
import { escapeHtml } from './html.js';
import { MSG } from './messages.vi.js';

/** "Báo cáo …, quận Cẩm Lệ — mục “…” (2018)", escaped, the title in italics. */
export function renderCitation(citation: Pick<Citation, 'title' | 'section' | 'date'>): string {
  let html = `<i>${escapeHtml(citation.title)}</i>`;
  if (citation.section) html += `, ${MSG.sectionLabel} “${escapeHtml(citation.section)}”`;
  // An official citation already says its date ("… ngày 10/7/2019 …").
  if (citation.date && !citation.title.includes(citation.date)) html += ` (${escapeHtml(citation.date)})`;
  return html;
}

function citationOfPassage(ranked: RankedPassage): Pick<Citation, 'title' | 'section' | 'date'> {
  const p = ranked.passage;
  return { title: p.docTitle, section: p.section, date: p.date };
}

/** The reply to an answered question: the excerpt, then where it comes from. */
export function renderAnswer(answer: Answer, options: { echoQuestion?: boolean } = {}): string {
  const parts: string[] = [];
  if (options.echoQuestion) parts.push(`❓ <b>${escapeHtml(answer.question)}</b>`);
  parts.push(`<blockquote>${escapeHtml(answer.excerpt)}</blockquote>`);
  if (answer.citation) parts.push(`📄 ${MSG.sourceLabel}: ${renderCitation(answer.citation)}`);
  return parts.join('\n\n');
}

/**
 * The whole reply to a question, whatever the outcome: the cited excerpt, a hint for an unusable question,
 * or the kind "not found" with the reports on hand. The console chat prints the same.
 */
export function renderReply(
  answer: Answer,
  documents: EngineStatus['documents'],
  options: { echoQuestion?: boolean } = {},
): string {
  if (answer.answered) return renderAnswer(answer, options);
  return answer.reason === 'empty' ? MSG.emptyQuestion : MSG.notFound(documents);
}

/** Shortens a passage for the "Xem thêm" list, at a sentence end when one is near. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never end on the first half of a surrogate pair: Telegram refuses text that is not valid UTF-8.
  const cut = text.slice(0, /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max);
  const sentenceEnd = Math.max(
    cut.lastIndexOf('. '),
    cut.lastIndexOf('; '),
    cut.lastIndexOf('! '),
    cut.lastIndexOf('? '),
  );
  if (sentenceEnd > max * 0.5) return cut.slice(0, sentenceEnd + 1) + ' …';
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.5 ? cut.slice(0, space) : cut) + ' …';
}

/**
 * "Xem thêm": the further passages (after the first), each with its citation, then the same topic in
 * other years' reports (those not already listed).
 */
export function renderMorePassages(
  passages: RankedPassage[],
  otherYears: RankedPassage[] = [],
  maxChars = 900,
): string {
  const item = (ranked: RankedPassage, n: number) =>
    `<b>${n}.</b> ${escapeHtml(shorten(ranked.passage.text, maxChars))}\n📄 ${renderCitation(citationOfPassage(ranked))}`;
  const listed = new Set(passages.map((r) => r.passage.id));
  const years = otherYears.filter((r) => !listed.has(r.passage.id));
  const parts = passages.length ? [`<b>${MSG.morePassagesTitle}</b>`, ...passages.map((r, i) => item(r, i + 1))] : [];
  if (years.length)
    parts.push(`<b>${MSG.otherYearsTitle}</b>`, ...years.map((r, i) => item(r, passages.length + i + 1)));
  return parts.join('\n\n');
}

/** "Toàn văn đoạn": the whole source passage, the excerpt in bold where it appears verbatim. */
export function renderFullPassage(ranked: RankedPassage, excerpt: string): string {
  const text = ranked.passage.text;
  const at = excerpt ? text.indexOf(excerpt) : -1;
  const body =
    at >= 0
      ? escapeHtml(text.slice(0, at)) +
        '<b>' +
        escapeHtml(excerpt) +
        '</b>' +
        escapeHtml(text.slice(at + excerpt.length))
      : escapeHtml(text);
  return `📜 <b>${MSG.fullPassageTitle}</b> — ${renderCitation(citationOfPassage(ranked))}\n\n${body}`;
}
