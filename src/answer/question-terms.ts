// What a question is about, as weighted terms: its content syllables and the bigrams between them
// (question words and function words removed). Used to judge whether a passage answers the question
// and which of its sentences to show.
//
// Accents are honoured where the user typed them: "mục tiêu" must not match "vượt mức", while
// "muc tieu", typed without diacritics, matches any accents. So a syllable typed with diacritics is
// matched exactly and one typed without is matched on its folded form; a text offers both forms.
import { FOLDED_STOPWORDS, STOPWORDS, foldSyllable, hasDiacritics, phrases } from '../text/tokenize.js';

export interface WeightedTerm {
  /** Unigram ("mục", "muc") or bigram ("ngân_sách"), in the form it must be matched. */
  term: string;
  weight: number;
}

/** Every form in which a text's syllables and bigrams can be matched: as written and folded. */
export function textTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const phrase of phrases(text)) {
    const folded = phrase.map(foldSyllable);
    for (let i = 0; i < phrase.length; i++) {
      out.add(phrase[i]!);
      out.add(folded[i]!);
      if (i > 0) {
        out.add(phrase[i - 1] + '_' + phrase[i]);
        out.add(folded[i - 1] + '_' + folded[i]);
      }
    }
  }
  return out;
}

function isStopword(syllable: string): boolean {
  return hasDiacritics(syllable) ? STOPWORDS.has(syllable) : FOLDED_STOPWORDS.has(syllable);
}

/**
 * The question's content terms, each with the folded form used to weigh it. A bigram is matched exactly
 * only when both its syllables carry diacritics; otherwise on its folded form.
 */
export function questionTerms(question: string): { term: string; folded: string }[] {
  const out = new Map<string, string>();
  for (const phrase of phrases(question)) {
    for (let i = 0; i < phrase.length; i++) {
      const word = phrase[i]!;
      if (isStopword(word)) continue;
      out.set(word, foldSyllable(word));
      const previous = phrase[i - 1];
      if (previous === undefined || isStopword(previous)) continue;
      const folded = foldSyllable(previous) + '_' + foldSyllable(word);
      out.set(hasDiacritics(previous) && hasDiacritics(word) ? previous + '_' + word : folded, folded);
    }
  }
  return [...out].map(([term, folded]) => ({ term, folded }));
}

/**
 * The question's content terms weighted by rarity in the corpus (`idf` of the folded term, from the
 * lexical index). Terms the corpus never uses weigh the most: a question about something the reports
 * do not mention must not look answered.
 */
export function weightedQuestionTerms(question: string, idf: (foldedTerm: string) => number): WeightedTerm[] {
  return questionTerms(question).map(({ term, folded }) => ({ term, weight: idf(folded) }));
}

/** Share of the question's weight found in a text: 0 (nothing) to 1 (every content term). */
export function coverage(terms: WeightedTerm[], inText: Set<string>): number {
  let total = 0;
  let found = 0;
  for (const { term, weight } of terms) {
    total += weight;
    if (inText.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}
