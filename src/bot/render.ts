// Answers become Telegram HTML here. Every piece of report text goes through escapeHtml, because a report
// may contain "<", ">" or "&" and Telegram rejects the whole message on one bad entity. Long texts are
// split into messages that each fit Telegram's 4096 limit, on paragraph, line or sentence boundaries,
// closing the tags open at a cut and reopening them in the next part.
import type { Answer, Citation, RankedPassage } from '../answer/types.js';
import type { EngineStatus } from '../engine-api.js';
import { escapeHtml } from './html.js';
import { MSG } from './messages.vi.js';

export { escapeHtml };

/** Telegram's limit on a message's text. We measure the raw HTML, which is never shorter than the text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

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

// ---------------------------------------------------------------------------------------------------
// Splitting

interface OpenTag {
  name: string;
  /** The opening tag as written, attributes included, to reopen it in the next part. */
  raw: string;
}

/** Positions in `html` where a cut may happen (not inside a tag or an entity), with the tags open there. */
function scan(html: string): { safe: boolean[]; openAt: (index: number) => OpenTag[] } {
  const safe = new Array<boolean>(html.length + 1).fill(true);
  const snapshots: { index: number; stack: OpenTag[] }[] = [{ index: 0, stack: [] }];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      const close = end === -1 ? html.length - 1 : end;
      for (let j = i + 1; j <= close; j++) safe[j] = false;
      const raw = html.slice(i, close + 1);
      const m = /^<\s*(\/?)\s*([a-zA-Z0-9-]+)/.exec(raw);
      if (m) {
        if (m[1] === '/') {
          const at = stack.map((t) => t.name).lastIndexOf(m[2]!.toLowerCase());
          if (at >= 0) stack.splice(at, 1);
        } else if (!raw.endsWith('/>')) {
          stack.push({ name: m[2]!.toLowerCase(), raw });
        }
      }
      i = close + 1;
      snapshots.push({ index: i, stack: [...stack] });
    } else if (ch === '&') {
      const end = html.indexOf(';', i);
      const close = end === -1 || end - i > 10 ? i : end;
      for (let j = i + 1; j <= close; j++) safe[j] = false;
      i = close + 1;
    } else {
      // Never cut between the two halves of an emoji.
      const code = html.charCodeAt(i);
      if (code >= 0xdc00 && code <= 0xdfff) safe[i] = false;
      i++;
    }
  }
  const openAt = (index: number): OpenTag[] => {
    let found = snapshots[0]!.stack;
    for (const s of snapshots) {
      if (s.index <= index) found = s.stack;
      else break;
    }
    return found;
  };
  return { safe, openAt };
}

function closingTags(stack: OpenTag[]): string {
  return [...stack]
    .reverse()
    .map((t) => `</${t.name}>`)
    .join('');
}

function openingTags(stack: OpenTag[]): string {
  return stack.map((t) => t.raw).join('');
}

/** Best cut at or before `max`: a blank line, then a line end, then a sentence end, then a space. */
function findCut(html: string, safe: boolean[], max: number): number {
  const window = html.slice(0, max);
  const min = Math.floor(max * 0.3);
  // A sentence mark is cut after; whitespace is cut before (and trimmed).
  const candidates: { pattern: RegExp; after: boolean }[] = [
    { pattern: /\n\s*\n/g, after: false },
    { pattern: /\n/g, after: false },
    { pattern: /[.!?;…](?=\s)/g, after: true },
    { pattern: /\s/g, after: false },
  ];
  for (const { pattern, after } of candidates) {
    let best = -1;
    for (const m of window.matchAll(pattern)) {
      const at = after ? m.index + m[0].length : m.index;
      if (at >= min && at <= max && safe[at]) best = at;
    }
    if (best > 0) return best;
  }
  for (let at = max; at > 0; at--) if (safe[at]) return at;
  return max;
}

/** Visible text of an HTML fragment (tags removed); used to drop parts with nothing to read. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').trim();
}

/**
 * Splits Telegram HTML into parts of at most `limit` characters each, preferring paragraph, line and
 * sentence boundaries, and keeping every part's tags balanced.
 */
export function splitHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = html.trim();
  while (rest.length > limit) {
    const { safe, openAt } = scan(rest);
    let budget = limit;
    let cut = 0;
    let head = '';
    // The tags closed at the cut take room too; shrink the budget until the part fits.
    for (let attempt = 0; attempt < 20; attempt++) {
      cut = findCut(rest, safe, budget);
      head = rest.slice(0, cut).trimEnd() + closingTags(openAt(cut));
      if (head.length <= limit) break;
      budget -= head.length - limit + 1;
    }
    const stack = openAt(cut);
    if (visibleText(head)) parts.push(head);
    rest = (openingTags(stack) + rest.slice(cut).trimStart()).trim();
  }
  if (visibleText(rest)) parts.push(rest);
  return parts;
}
