// Vietnamese is written one syllable per space-separated token, and words are often two or three
// syllables ("ngân sách", "thành phố"), so adjacent-syllable bigrams carry much of the meaning. Every
// term exists in two forms: folded (no diacritics), which lets "ngan sach" meet "ngân sách", and
// accented, which lets an accented question prefer passages with the exact accents.
import { foldDiacritics } from './normalize.js';

/** Letters (any script, incl. combining marks) and digits; everything else separates syllables. */
const SYLLABLE = /[\p{L}\p{M}\p{N}]+/gu;
/** Punctuation that ends a phrase: bigrams do not cross it. */
const PHRASE_BREAK = /[.,;:!?()[\]{}"“”'‘’…\n\r–—-]+/;

/** Lower-cased syllables of each phrase, in order. */
export function phrases(text: string): string[][] {
  const result: string[][] = [];
  for (const phrase of text.toLowerCase().normalize('NFC').split(PHRASE_BREAK)) {
    const syllables = phrase.match(SYLLABLE);
    if (syllables) result.push(syllables);
  }
  return result;
}

/** Lower-cased syllables of a text, ignoring phrase breaks. */
export function syllables(text: string): string[] {
  return text.toLowerCase().normalize('NFC').match(SYLLABLE) ?? [];
}

// Vietnamese has only a few thousand distinct syllables, so folding each one once pays off: indexing
// folds every syllable of the corpus.
const foldedSyllables = new Map<string, string>();
/** foldDiacritics of one syllable, memoised (for callers that fold every syllable of a text). */
export function foldSyllable(syllable: string): string {
  let folded = foldedSyllables.get(syllable);
  if (folded === undefined) {
    folded = foldDiacritics(syllable);
    if (foldedSyllables.size < 200_000) foldedSyllables.set(syllable, folded);
  }
  return folded;
}

/** Whether a text has any Vietnamese diacritic (or đ): then its accents are worth matching exactly. */
export function hasDiacritics(text: string): boolean {
  return foldDiacritics(text) !== text;
}

/** Which forms terms() yields. */
export interface TermOptions {
  /** Add accented terms (prefixed "a:") next to the folded ones ("f:"). */
  accented: boolean;
}

/**
 * Index terms of a text: folded unigrams and bigrams, plus their accented twins when asked and when
 * they differ from the folded form. Repeats are kept (they are term frequencies).
 */
export function terms(text: string, options: TermOptions): string[] {
  const out: string[] = [];
  for (const phrase of phrases(text)) {
    const folded = phrase.map(foldSyllable);
    for (let i = 0; i < phrase.length; i++) {
      out.push('f:' + folded[i]);
      if (i > 0) out.push('f:' + folded[i - 1] + '_' + folded[i]);
      if (options.accented) {
        if (phrase[i] !== folded[i]) out.push('a:' + phrase[i]);
        if (i > 0 && (phrase[i] !== folded[i] || phrase[i - 1] !== folded[i - 1])) {
          out.push('a:' + phrase[i - 1] + '_' + phrase[i]);
        }
      }
    }
  }
  return out;
}
