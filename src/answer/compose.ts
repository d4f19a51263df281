// From ranked passages to an Answer: choose the sentence that answers, decide whether it really does
// (abstention), attach the citation.
import type { AnalysedQuestion } from '../question/analyse.js';
import { yearOfDate } from '../question/time-references.js';
import type { Passage } from '../corpus/types.js';
import type { Answer, RankedPassage } from './types.js';
import { coverage } from './question-terms.js';
import { chooseExcerpt, MIN_SENTENCE_COVERAGE } from './excerpt.js';
import { readPassage } from './passage-units.js';
import { lacksAskedForm } from './answer-forms.js';

/**
 * Minimum share of the question's weighted content terms that a passage (with its title and heading)
 * must contain to be quoted. Calibrated with `npm run eval` on answerable and unanswerable questions.
 */
export const DEFAULT_MIN_COVERAGE = 0.2;

/** What composeAnswer needs beyond the question and its passages. */
export interface ComposeOptions {
  minCoverage?: number;
  /** Years the corpus has dated reports for: a question naming one of them is answered from that report. */
  reportYears?: ReadonlySet<number>;
}

/** Every matchable term of a passage, its document title and section heading included. */
export function passageTerms(passage: Passage): Set<string> {
  return readPassage(passage).terms;
}

/** The answer to an analysed question from its ranked passages (best first). */
export function composeAnswer(
  question: AnalysedQuestion,
  ranked: RankedPassage[],
  options: ComposeOptions = {},
): Answer {
  const unanswered = (reason: NonNullable<Answer['reason']>, confidence?: number): Answer => ({
    question: question.raw,
    answered: false,
    excerpt: '',
    citation: null,
    passages: ranked,
    reason,
    ...(confidence === undefined ? {} : { confidence }),
  });
  if (question.contentTerms.length === 0) return unanswered('empty');
  if (ranked.length === 0) return unanswered('no-match');
  // The answer comes from a passage that covers the question well enough: a passage that ranks first on
  // meaning alone but shares too little with the question does not silence a good one.
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const coverages = ranked.map((r) => coverage(question.contentTerms, passageTerms(r.passage)));
  const years = question.time.resolvedYears.filter((y) => options.reportYears?.has(y));
  const ofAskedYear = (p: Passage) => {
    const year = yearOfDate(p.date);
    return years.length === 0 || year === null || years.includes(year);
  };
  const choice = chooseExcerpt(
    question,
    ranked,
    (i) => coverages[i]! >= minCoverage && ofAskedYear(ranked[i]!.passage),
  );
  if (!choice) {
    // Covered well enough, but only in reports of other years than the one asked about.
    const otherYear = ranked.some((r, i) => coverages[i]! >= minCoverage && !ofAskedYear(r.passage));
    return unanswered(otherYear ? 'year-not-covered' : 'below-threshold', coverages[0]);
  }
  const { passage } = ranked[choice.passage]!;
  // A "bao nhiêu" question answered by a sentence without a number, or "khi nào" without a date, is
  // not answered: the report does not say.
  if (lacksAskedForm(question.form, choice.form)) return unanswered('no-answer-form', coverages[choice.passage]);
  // The sentence itself must be about the question, not only its passage.
  if (choice.sentenceCoverage < MIN_SENTENCE_COVERAGE) return unanswered('below-threshold', choice.sentenceCoverage);
  if (!coversYears(question, passage, choice.excerpt, options.reportYears))
    return unanswered('year-not-covered', coverages[choice.passage]);
  const chosen = choice.passage;
  return {
    question: question.raw,
    answered: true,
    excerpt: choice.excerpt,
    citation: { title: passage.docTitle, section: passage.section, date: passage.date, source: passage.source },
    // The cited passage first: "Toàn văn đoạn" shows passages[0].
    passages: chosen === 0 ? ranked : [ranked[chosen]!, ...ranked.slice(0, chosen), ...ranked.slice(chosen + 1)],
    confidence: coverages[chosen],
  };
}

/**
 * A question naming a year is answered from a report of that year; when the corpus has none, only by
 * an excerpt that itself speaks of that year. Undated documents (laws, articles) are not judged by year.
 */
function coversYears(
  question: AnalysedQuestion,
  passage: Passage,
  excerpt: string,
  reportYears?: ReadonlySet<number>,
): boolean {
  const years = question.time.resolvedYears;
  if (years.length === 0) return true;
  const reportYear = yearOfDate(passage.date);
  if (reportYear === null || years.includes(reportYear)) return true;
  if (years.some((y) => reportYears?.has(y))) return false;
  // "tăng 15,5% so với cùng kỳ năm 2017" is a 2018 figure: a comparison year does not count.
  const stated = excerpt.replace(/so với (?:cùng kỳ )?(?:năm )?(?:19|20)\d\d/giu, ' ');
  // The year as a number of its own: "120165 người" does not name 2016.
  return years.some((y) => new RegExp(`(?<![\\d.,])${y}(?![\\d]|[.,]\\d)`).test(stated));
}
