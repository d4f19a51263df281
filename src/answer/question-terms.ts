// What a question is about, as weighted terms: its content syllables and the bigrams between them
// (question words and function words removed). Used to judge whether a passage answers the question
// and which of its sentences to show.
import { foldDiacritics } from '../text/normalize.js';
import { FOLDED_STOPWORDS, phrases } from '../text/tokenize.js';

export interface WeightedTerm {
  /** Folded unigram ("ngan") or bigram ("ngan_sach"). */
  term: string;
  weight: number;
}

/** Folded content unigrams and bigrams of a text, as a set. */
export function contentTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const phrase of phrases(text)) {
    const folded = phrase.map(foldDiacritics);
    for (let i = 0; i < folded.length; i++) {
      const word = folded[i]!;
      const content = !FOLDED_STOPWORDS.has(word);
      if (content) out.add(word);
      const previous = folded[i - 1];
      if (previous !== undefined && content && !FOLDED_STOPWORDS.has(previous)) out.add(previous + '_' + word);
    }
  }
  return out;
}

/**
 * The question's content terms weighted by rarity in the corpus (`idf` of the folded term, from the
 * lexical index). Terms the corpus never uses weigh the most: a question about something the reports
 * do not mention must not look answered.
 */
export function weightedQuestionTerms(question: string, idf: (foldedTerm: string) => number): WeightedTerm[] {
  return [...contentTerms(question)].map((term) => ({ term, weight: idf(term) }));
}

/** Share of the question's weight found in a text: 0 (nothing) to 1 (every content term). */
export function coverage(terms: WeightedTerm[], textTerms: Set<string>): number {
  let total = 0;
  let found = 0;
  for (const { term, weight } of terms) {
    total += weight;
    if (textTerms.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}
