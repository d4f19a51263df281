// Questions about the report itself rather than what it says: "Ai viết báo cáo này?" (the writer's name it
// ends with, "Hồng Hạnh") and "Báo cáo này nói về giai đoạn nào?" (the period its title names). They share
// no word with the answer, so no search finds it; asked for, it is read off the document.
import type { Passage } from '../corpus/types.js';
import type { AnalysedQuestion } from '../question/analyse.js';
import { foldDiacritics } from '../text/normalize.js';
import type { RankedPassage } from './types.js';

/** "ai viết", "người soạn", "tác giả"; "của ai" only about a text ("bài viết này của ai"). */
const WHO_WROTE = / (?:ai|nguoi nao|nguoi) (?:viet|soan)(?: |$)| tac gia /;
const WHOSE_TEXT = / (?:bai|bao cao|van ban|tai lieu)(?: \S+){0,3} cua ai /;

/** A byline: one to five capitalised words, nothing else ("Hồng Hạnh", "PV", "Minh Anh - Thu Hà"). */
const BYLINE = /^\p{Lu}[\p{L}\p{M}.]*(?:\s*[-–,]?\s*\p{Lu}[\p{L}\p{M}.]*){0,4}$/u;
const MAX_BYLINE_CHARS = 40;

/** The byline of the document `source`, with the passage holding it, or null when it has none. */
export function bylineOf(passages: readonly Passage[], source: string): { byline: string; passage: Passage } | null {
  let last: Passage | undefined;
  for (const p of passages) if (p.source === source && (!last || p.position > last.position)) last = p;
  const line = last?.text.trim().split('\n').pop()?.trim() ?? '';
  if (!last || line.length > MAX_BYLINE_CHARS || !BYLINE.test(line)) return null;
  return { byline: line, passage: last };
}

/** "Báo cáo này nói về giai đoạn / khoảng thời gian nào?", "bài này là năm nào": the report's own period. */
const THIS_REPORT = / (?:bao cao|bai|tai lieu|van ban) (?:nay|do) /;
const WHICH_PERIOD = / (?:giai doan|thoi gian|khoang thoi gian|thoi ky|ky|nam|luc) nao /;

/** What a question asks about the report itself: who wrote it, which period it covers, or nothing. */
export function aboutTheReport(question: AnalysedQuestion): 'writer' | 'period' | null {
  const text = ` ${foldDiacritics(question.corrected.toLowerCase())
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
  if (WHO_WROTE.test(text) || WHOSE_TEXT.test(text)) return 'writer';
  return THIS_REPORT.test(text) && WHICH_PERIOD.test(text) ? 'period' : null;
}

/** The document a question about the report is about: the best-ranked one, else the corpus's first. */
export function reportInQuestion(ranked: readonly RankedPassage[], passages: readonly Passage[]): string | null {
  return ranked[0]?.passage.source ?? passages[0]?.source ?? null;
}
