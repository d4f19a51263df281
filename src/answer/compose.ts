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
  const covered = coverage(terms, passageTerms(best.passage));
  if (covered < (options.minCoverage ?? DEFAULT_MIN_COVERAGE)) {
    return { question, answered: false, excerpt: '', citation: null, passages: ranked, reason: 'below-threshold', confidence: covered };
  }
  const { passage } = best;
  return {
    question,
    answered: true,
    excerpt: selectExcerpt(passage.text, terms, textTerms(`${passage.docTitle}\n${passage.section ?? ''}`)),
    citation: { title: passage.docTitle, section: passage.section, date: passage.date, source: passage.source },
    passages: ranked,
    confidence: covered,
  };
}
