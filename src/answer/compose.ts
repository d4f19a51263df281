// From ranked passages to an Answer: decide whether the best passage really answers (abstention),
// pick the excerpt, attach the citation.
import type { Passage } from '../corpus/types.js';
import type { Answer, RankedPassage } from './types.js';
import { coverage, textTerms, weightedQuestionTerms } from './question-terms.js';
import { selectExcerpt } from './excerpt.js';

/**
 * Minimum share of the question's weighted content terms that the best passage (with its title and
 * heading) must contain. Calibrated with `npm run eval` on answerable and unanswerable questions.
 */
export const DEFAULT_MIN_COVERAGE = 0.2;

export interface ComposeOptions {
  /** idf of a folded term in the serving corpus; unknown terms get the maximum. */
  idf: (foldedTerm: string) => number;
  minCoverage?: number;
  /** The question as searched (normalised, typos corrected); defaults to the question itself. */
  matchText?: string;
}

export function passageTerms(passage: Passage): Set<string> {
  return textTerms(`${passage.docTitle}\n${passage.section ?? ''}\n${passage.text}`);
}

export function composeAnswer(question: string, ranked: RankedPassage[], options: ComposeOptions): Answer {
  const terms = weightedQuestionTerms(options.matchText ?? question, options.idf);
  const best = ranked[0];
  if (terms.length === 0) {
    return { question, answered: false, excerpt: '', citation: null, passages: ranked, reason: 'empty' };
  }
  if (!best) {
    return { question, answered: false, excerpt: '', citation: null, passages: ranked, reason: 'no-match' };
  }
  // The answer comes from the best-ranked passage that covers the question well enough: a passage that
  // ranks first on meaning alone but shares too little with the question does not silence a good one.
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const coverages = ranked.map((r) => coverage(terms, passageTerms(r.passage)));
  const chosen = coverages.findIndex((c) => c >= minCoverage);
  if (chosen < 0) {
    return { question, answered: false, excerpt: '', citation: null, passages: ranked, reason: 'below-threshold', confidence: coverages[0] };
  }
  const { passage } = ranked[chosen]!;
  return {
    question,
    answered: true,
    excerpt: selectExcerpt(passage.text, terms, textTerms(`${passage.docTitle}\n${passage.section ?? ''}`)),
    citation: { title: passage.docTitle, section: passage.section, date: passage.date, source: passage.source },
    // The cited passage first: "Toàn văn đoạn" shows passages[0].
    passages: chosen === 0 ? ranked : [ranked[chosen]!, ...ranked.slice(0, chosen), ...ranked.slice(chosen + 1)],
    confidence: coverages[chosen],
  };
}
