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

export function syllables(text: string): string[] {
  return text.toLowerCase().normalize('NFC').match(SYLLABLE) ?? [];
}

// Vietnamese has only a few thousand distinct syllables, so folding each one once pays off: indexing
// folds every syllable of the corpus.
const foldedSyllables = new Map<string, string>();
function foldSyllable(syllable: string): string {
  let folded = foldedSyllables.get(syllable);
  if (folded === undefined) {
    folded = foldDiacritics(syllable);
    if (foldedSyllables.size < 200_000) foldedSyllables.set(syllable, folded);
  }
  return folded;
}

export function hasDiacritics(text: string): boolean {
  return foldDiacritics(text) !== text;
}

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

/**
 * Function words and question words that say nothing about the topic, as written with accents. They
 * still take part in ranking (BM25 gives them little weight); they are left out when judging whether a
 * passage covers a question. An unaccented question is checked against their folded forms, which can
 * hide a content word with the same letters; the most common such collisions are kept as content.
 */
const STOPWORDS_ACCENTED = (
  'là và của có không được cho các những một như thế nào gì bao nhiêu ai đâu sao vì tại hay hoặc ' +
  'thì mà với trong ngoài trên dưới đến từ ra vào làm này đó kia ấy nhỉ à ạ ơi hả nhé vậy rồi ' +
  'tôi bạn mình chúng em anh chị quý vị xin hỏi biết muốn cần phải nên sẽ đã đang bị bởi theo ' +
  'khi nếu nhiều ít hơn nhất rất quá cũng vẫn còn mọi lại nữa gồm những hãy cái việc về ở ' +
  'nói vấn đề để ra cụ thể'
).split(/\s+/);

/**
 * Folded forms that are also common content syllables ("dau": đâu but also đầu tư; "dang": đang but
 * also Đảng): in a question typed without diacritics they are kept as content.
 */
const AMBIGUOUS_WHEN_FOLDED = new Set(
  ('dau tu co ma toi ban minh chung the do trong ngoai tai da dang vi quy chi can moi van qua cung con hoi ' +
    'nen ve o viec cai de noi cu thi lam nhu cho em anh').split(' '),
);

export const STOPWORDS = new Set(STOPWORDS_ACCENTED);
export const FOLDED_STOPWORDS = new Set(STOPWORDS_ACCENTED.map(foldDiacritics).filter((w) => !AMBIGUOUS_WHEN_FOLDED.has(w)));
