// "Xem thêm" for a report series: a citizen who reads the 2019 budget figure wants to compare it with
// 2018. From the passages ranked for the question, the best one of each other report year that still
// covers the question, newest year first.
import type { AnalysedQuestion } from '../question/analyse.js';
import { yearOfDate } from '../question/time-references.js';
import { DEFAULT_MIN_COVERAGE, passageTerms } from './compose.js';
import { coverage } from './question-terms.js';
import type { RankedPassage } from './types.js';

/** Most other years offered under one answer. */
const MAX_OTHER_YEARS = 3;

/** The best-ranked passage of each year other than `citedYear` that covers the question, newest first. */
export function otherYearPassages(
  question: AnalysedQuestion,
  ranked: readonly RankedPassage[],
  citedYear: number | null,
): RankedPassage[] {
  if (citedYear === null) return [];
  const byYear = new Map<number, RankedPassage>();
  for (const r of ranked) {
    const year = yearOfDate(r.passage.date);
    if (year === null || year === citedYear || byYear.has(year)) continue;
    if (coverage(question.contentTerms, passageTerms(r.passage)) < DEFAULT_MIN_COVERAGE) continue;
    byYear.set(year, r);
  }
  return [...byYear.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, MAX_OTHER_YEARS)
    .map(([, r]) => r);
}
