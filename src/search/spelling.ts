// Typo tolerance for questions typed on phones: a syllable the corpus never uses ("sch", "ngna") is
// replaced by a corpus syllable one edit away ("sach", "ngan"), preferring the most common one. Uses
// the symmetric-delete idea: a word and every word one deletion away from it are looked up in a map of
// the vocabulary's words and their own one-deletion variants.
import { foldDiacritics } from '../text/normalize.js';

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** True when a and b differ by one insertion, deletion, substitution or swap of neighbours. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return (
      a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2))
    );
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * The shape of a Vietnamese syllable without its diacritics: onset, vowels, coda. A word of this shape is
 * a real syllable the corpus happens not to use ("vang" in "giá vàng"): correcting it would invent a
 * match, so only words that cannot be Vietnamese ("sch", "ngna", "tien5") are corrected.
 */
const SYLLABLE_SHAPE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$/;

/**
 * Whether a folded word has the shape of a Vietnamese syllable (onset, vowels, coda): such a word is more
 * likely a real word the corpus lacks than a typo, so it is left as typed.
 */
export function isPlausibleSyllable(folded: string): boolean {
  return SYLLABLE_SHAPE.test(folded);
}

/** Syllables shorter than this are too ambiguous to correct. */
const MIN_LENGTH = 3;

/** The typo corrector of the file header, over one index's vocabulary of folded syllables. */
export class SpellingCorrector {
  private readonly variants = new Map<string, string[]>();

  /** `vocabulary`: folded syllables with how many passages use each. */
  constructor(private readonly frequency: Map<string, number>) {
    for (const word of frequency.keys()) {
      if (word.length < MIN_LENGTH - 1 || /\d/.test(word)) continue;
      for (const variant of [word, ...deletions(word)]) {
        const list = this.variants.get(variant);
        if (list) list.push(word);
        else this.variants.set(variant, [word]);
      }
    }
  }

  /** The best corpus syllable for an unknown folded syllable, or null. */
  correct(folded: string): string | null {
    if (folded.length < MIN_LENGTH || /\d/.test(folded) || this.frequency.has(folded) || isPlausibleSyllable(folded))
      return null;
    let best: string | null = null;
    let bestFrequency = 0;
    for (const variant of [folded, ...deletions(folded)]) {
      for (const candidate of this.variants.get(variant) ?? []) {
        const frequency = this.frequency.get(candidate)!;
        if (frequency > bestFrequency && withinOneEdit(folded, candidate)) {
          best = candidate;
          bestFrequency = frequency;
        }
      }
    }
    return best;
  }

  /** The question with each unknown syllable replaced by its correction (folded), others untouched. */
  correctText(text: string): string {
    return text.replace(/[\p{L}\p{M}\p{N}]+/gu, (word) => {
      // Written in capitals, it is an abbreviation ("BCH", "THCS"), not a typo.
      if (/^\p{Lu}{2,}$/u.test(word)) return word;
      const folded = foldDiacritics(word.toLowerCase());
      if (this.frequency.has(folded)) return word;
      return this.correct(folded) ?? word;
    });
  }
}
