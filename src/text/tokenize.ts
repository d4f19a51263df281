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

// The interner below scans text by hand instead of with the SYLLABLE and PHRASE_BREAK regexes (whose
// match arrays dominate the cost at corpus scale), classifying each character once: the same classes
// as those regexes, so it finds exactly the syllables and phrase boundaries of phrases().
const SYLLABLE_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
const PHRASE_BREAK_CHAR = /^[.,;:!?()[\]{}"“”'‘’…\n\r–—-]$/;
const OTHER = 1;
const IN_SYLLABLE = 2;
const BREAK = 3;
/** Class of each UTF-16 code unit, filled on first sight (0 = not yet known). */
const charClasses = new Uint8Array(0x10000);
const astralClasses = new Map<number, number>();

function classOf(char: string): number {
  if (SYLLABLE_CHAR.test(char)) return IN_SYLLABLE;
  return PHRASE_BREAK_CHAR.test(char) ? BREAK : OTHER;
}

/** Class of the character starting at `i`; astral characters (two code units) are looked up whole. */
function charClassAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      const codePoint = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      let cls = astralClasses.get(codePoint);
      if (cls === undefined) {
        cls = classOf(String.fromCodePoint(codePoint));
        astralClasses.set(codePoint, cls);
      }
      return cls;
    }
  }
  let cls = charClasses[unit]!;
  if (cls === 0) {
    cls = classOf(String.fromCharCode(unit)); // a lone surrogate is neither a letter nor a break
    charClasses[unit] = cls;
  }
  return cls;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** What the interner knows about one distinct syllable as written (lower-cased). */
interface SyllableEntry {
  /** Id of its folded form among folded syllables. */
  folded: number;
  /** Term id of "f:<folded>". */
  foldedTerm: number;
  /** Term id of "a:<syllable>", or -1 when the syllable has no diacritics (same as folded). */
  accentedTerm: number;
  /** Term ids of accented bigrams "a:<this>_<next>", by the next syllable's id. */
  nextAccented: Map<number, number> | null;
  syllable: string;
  /** Dense id among distinct syllables, the key of other syllables' nextAccented maps. */
  id: number;
}

/**
 * Produces the same term sequence as terms(), as numeric term ids, for indexing large corpora. terms()
 * builds a new string per term occurrence and the index then hashes it; here each distinct syllable is
 * folded and named once, and bigrams are found through small per-syllable maps keyed by ids, so the cost
 * per occurrence is one syllable lookup. Term strings are created only for terms never seen before.
 */
export class TermInterner {
  /** Term string ("f:ngan_sach", "a:ngân") → term id; ids are dense, in order of first appearance. */
  readonly termIds = new Map<string, number>();
  /** Whether term id t is a folded term ("f:"), i.e. counts towards a passage's length. */
  readonly isFolded: boolean[] = [];
  private readonly syllables = new Map<string, SyllableEntry>();
  private readonly foldedNames: string[] = [];
  private readonly foldedIds = new Map<string, number>();
  /** Term ids of folded bigrams, by first folded syllable id, then second. */
  private readonly foldedBigrams: Array<Map<number, number>> = [];

  get termCount(): number {
    return this.isFolded.length;
  }

  private termId(term: string, folded: boolean): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.isFolded.length;
      this.termIds.set(term, id);
      this.isFolded.push(folded);
    }
    return id;
  }

  private entry(syllable: string): SyllableEntry {
    let entry = this.syllables.get(syllable);
    if (entry === undefined) {
      const foldedName = foldSyllable(syllable);
      let folded = this.foldedIds.get(foldedName);
      if (folded === undefined) {
        folded = this.foldedNames.length;
        this.foldedIds.set(foldedName, folded);
        this.foldedNames.push(foldedName);
        this.foldedBigrams.push(new Map());
      }
      entry = {
        folded,
        foldedTerm: this.termId('f:' + foldedName, true),
        accentedTerm: syllable === foldedName ? -1 : this.termId('a:' + syllable, false),
        nextAccented: null,
        syllable,
        id: this.syllables.size,
      };
      this.syllables.set(syllable, entry);
    }
    return entry;
  }

  /** Appends to `out` the ids of the terms of terms(text, { accented }), in the same order, repeats kept. */
  intern(text: string, accented: boolean, out: TermIdBuffer): void {
    const lowered = text.toLowerCase().normalize('NFC');
    const length = lowered.length;
    let previous: SyllableEntry | null = null;
    for (let i = 0; i < length; ) {
      let cls = charClassAt(lowered, i);
      if (cls !== IN_SYLLABLE) {
        if (cls === BREAK) previous = null; // no bigram across a phrase break
        i++;
        continue;
      }
      const start = i;
      do {
        i += lowered.charCodeAt(i) >= 0xd800 && lowered.charCodeAt(i) <= 0xdbff && i + 1 < length && isLowSurrogate(lowered.charCodeAt(i + 1)) ? 2 : 1;
        cls = i < length ? charClassAt(lowered, i) : OTHER;
      } while (cls === IN_SYLLABLE);
      const syllable = lowered.slice(start, i);
      const current = this.entry(syllable);
      out.push(current.foldedTerm);
      if (previous !== null) {
        const next = this.foldedBigrams[previous.folded]!;
        let bigram = next.get(current.folded);
        if (bigram === undefined) {
          bigram = this.termId('f:' + this.foldedNames[previous.folded] + '_' + this.foldedNames[current.folded], true);
          next.set(current.folded, bigram);
        }
        out.push(bigram);
      }
      if (accented) {
        if (current.accentedTerm >= 0) out.push(current.accentedTerm);
        if (previous !== null && (current.accentedTerm >= 0 || previous.accentedTerm >= 0)) {
          const next = (previous.nextAccented ??= new Map());
          let bigram = next.get(current.id);
          if (bigram === undefined) {
            bigram = this.termId('a:' + previous.syllable + '_' + current.syllable, false);
            next.set(current.id, bigram);
          }
          out.push(bigram);
        }
      }
      previous = current;
    }
  }
}

/** A growable list of term ids without per-element boxing. */
export class TermIdBuffer {
  data = new Int32Array(1024);
  length = 0;

  push(id: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = id;
  }

  clear(): void {
    this.length = 0;
  }
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
