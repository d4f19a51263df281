// Matching an analysed question's content terms against a text: which terms a passage or sentence
// contains, directly or through a synonym, and how much of the question's weight that covers.
//
// Accents are honoured where the user typed them: "mục tiêu" must not match "vượt mức", while
// "muc tieu", typed without diacritics, matches any accents. So a syllable typed with diacritics is
// matched exactly and one typed without is matched on its folded form; a text offers both forms.
import { foldSyllable, phrases } from '../text/tokenize.js';
import type { ContentTerm } from '../question/analyse.js';

/** A term found only through a synonym counts this much of a term the question itself used. */
export const SYNONYM_CREDIT = 0.7;

/**
 * Per syllable of a text, the term forms ending there: the syllable and the bigram ending there, each as
 * written and folded. The excerpt's densest window reads these positions; textTerms is their union.
 */
export function termForms(text: string): string[][] {
  const positions: string[][] = [];
  for (const phrase of phrases(text)) {
    const folded = phrase.map(foldSyllable);
    phrase.forEach((w, i) => {
      positions.push(
        i > 0 ? [w, folded[i]!, `${phrase[i - 1]}_${w}`, `${folded[i - 1]}_${folded[i]}`] : [w, folded[i]!],
      );
    });
  }
  return positions;
}

/** Every form in which a text's syllables and bigrams can be matched: as written and folded. */
export function textTerms(text: string): Set<string> {
  return formsOf(termForms(text));
}

/** The union of a text's term forms (see termForms). */
export function formsOf(positions: readonly string[][]): Set<string> {
  const out = new Set<string>();
  for (const forms of positions) for (const form of forms) out.add(form);
  return out;
}

/** 1 when the text has the term, SYNONYM_CREDIT when it says it another way, else 0. */
export function termFound(term: ContentTerm, inText: Set<string>): number {
  if (inText.has(term.term)) return 1;
  for (const alternative of term.alternatives) if (alternative.every((t) => inText.has(t))) return SYNONYM_CREDIT;
  return 0;
}

/**
 * Share of the question's weight found in a text (a passage with its title and heading, or a heading):
 * 0 (nothing, or not the place the question names) to 1 (every content term).
 */
export function coverage(terms: readonly ContentTerm[], inText: Set<string>): number {
  let total = 0;
  let found = 0;
  const shares = terms.map((term) => termFound(term, inText));
  if (missesRequired(terms, shares) || terms.some((term, i) => term.place && shares[i] === 0)) return 0;
  terms.forEach((term, i) => {
    total += term.weight;
    found += term.weight * shares[i]!;
  });
  return total > 0 ? found / total : 0;
}

/**
 * Whether a text lacks a term the question requires ("phó bí" of "phó bí thư"): it is then about someone
 * else, however much else it shares. `shares`: what the text matched of each term (termFound).
 */
export function missesRequired(terms: readonly ContentTerm[], shares: readonly number[]): boolean {
  return terms.some((term, i) => term.required && shares[i] === 0);
}
