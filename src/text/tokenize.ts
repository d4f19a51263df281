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
/** foldDiacritics of one syllable, memoised (for callers that fold every syllable of a text). */
export function foldSyllable(syllable: string): string {
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
/** Class of each UTF-16 code unit, filled on first sight; 0 = not yet known, and always for surrogates. */
const charClasses = new Uint8Array(0x10000);
const astralClasses = new Map<number, number>();

function classOf(char: string): number {
  if (SYLLABLE_CHAR.test(char)) return IN_SYLLABLE;
  return PHRASE_BREAK_CHAR.test(char) ? BREAK : OTHER;
}

/** Class of the character at `i` when the table does not know it: first sight, or a surrogate. */
function slowClassAt(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdfff) {
    // An astral character (two code units) is classified whole; a lone surrogate is neither class.
    if (unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      const codePoint = (unit - 0xd800) * 0x400 + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000;
      let cls = astralClasses.get(codePoint);
      if (cls === undefined) {
        cls = classOf(String.fromCodePoint(codePoint));
        astralClasses.set(codePoint, cls);
      }
      return cls;
    }
    return OTHER;
  }
  const cls = classOf(String.fromCharCode(unit));
  charClasses[unit] = cls;
  return cls;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a of text[start..end)'s code units (the interner's syllable hash). */
function hashRange(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/**
 * An open-addressing hash map from pairs of non-negative ids to ids, in typed arrays: the bigram lookup
 * runs once per syllable of the corpus, where a JS Map of Maps costs several times more.
 */
class PairMap {
  /** Slot i: [first, second, value + 1] at 3i (value 0 = empty), one cache line per probe. */
  private table = new Int32Array(3 << 12);
  private count = 0;

  private slotOf(first: number, second: number): number {
    const table = this.table;
    const mask = table.length / 3 - 1;
    let slot = (Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    while (table[3 * slot + 2] !== 0 && (table[3 * slot] !== first || table[3 * slot + 1] !== second))
      slot = (slot + 1) & mask;
    return slot;
  }

  /** The value for the pair, or -1. */
  get(first: number, second: number): number {
    return this.table[3 * this.slotOf(first, second) + 2]! - 1;
  }

  set(first: number, second: number, value: number): void {
    if (2 * (this.count + 1) > this.table.length / 3) this.grow();
    const at = 3 * this.slotOf(first, second);
    if (this.table[at + 2] === 0) this.count++;
    this.table[at] = first;
    this.table[at + 1] = second;
    this.table[at + 2] = value + 1;
  }

  forEach(visit: (first: number, second: number, value: number) => void): void {
    const table = this.table;
    for (let at = 0; at < table.length; at += 3)
      if (table[at + 2] !== 0) visit(table[at]!, table[at + 1]!, table[at + 2]! - 1);
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) continue;
      const slot = 3 * this.slotOf(old[at]!, old[at + 1]!);
      this.table[slot] = old[at]!;
      this.table[slot + 1] = old[at + 1]!;
      this.table[slot + 2] = old[at + 2]!;
    }
  }
}

/**
 * Produces the same term sequence as terms(), as numeric term ids, for indexing large corpora. terms()
 * builds a new string per term occurrence and the index then hashes it; here each syllable is hashed
 * while it is scanned and looked up in a table of the syllables seen so far, and bigrams are found by
 * pairs of ids, so no string is built per occurrence. Each distinct syllable is folded once, and no term
 * string is ever built: lookup() finds a term's id from its string through the same tables.
 */
export class TermInterner {
  private folded = new Uint8Array(1 << 12);
  private terms = 0;

  // Distinct syllables (as written, lower-cased), by syllable id.
  private readonly syllableNames: string[] = [];
  private readonly syllableFolded: number[] = [];
  private readonly syllableFoldedTerm: number[] = [];
  /** Term id of "a:<syllable>", or -1 when the syllable has no diacritics (same as folded). */
  private readonly syllableAccentedTerm: number[] = [];
  /** Open-addressing table: syllable id + 1 (0 = empty), with each slot's hash beside it. */
  private slots = new Int32Array(1 << 12);
  private slotHashes = new Int32Array(1 << 12);

  // Distinct folded syllables, by folded id, with the id of their term "f:<folded>".
  private readonly foldedNames: string[] = [];
  private readonly foldedTerms: number[] = [];
  private readonly foldedIds = new Map<string, number>();
  /** Folded bigrams by (first, second) folded id; accented bigrams by (first, second) syllable id. */
  private readonly foldedBigrams = new PairMap();
  private readonly accentedBigrams = new PairMap();

  get termCount(): number {
    return this.terms;
  }

  /** Whether term id t is a folded term ("f:"), i.e. counts towards a passage's length. */
  isFolded(termId: number): boolean {
    return this.folded[termId] === 1;
  }

  /** 1 for each folded term id, 0 for accented ones; valid up to termCount (may be longer). */
  foldedFlags(): Uint8Array {
    return this.folded;
  }

  /**
   * The id of a term given as terms() writes it ("f:ngan", "f:ngan_sach", "a:ngân", "a:ngân_sách"), or
   * -1 when no interned text contained it.
   */
  lookup(term: string): number {
    if (term.length < 3 || term.charCodeAt(1) !== 58 /* : */) return -1;
    const kind = term.charCodeAt(0);
    const split = term.indexOf('_', 2);
    if (split >= 0 && term.indexOf('_', split + 1) >= 0) return -1; // no term joins three syllables
    if (kind === 102 /* f */) {
      if (split < 0) {
        const id = this.foldedIds.get(term.slice(2));
        return id === undefined ? -1 : this.foldedTerms[id]!;
      }
      const first = this.foldedIds.get(term.slice(2, split));
      const second = this.foldedIds.get(term.slice(split + 1));
      return first === undefined || second === undefined ? -1 : this.foldedBigrams.get(first, second);
    }
    if (kind === 97 /* a */) {
      if (split < 0) {
        const id = this.findSyllable(term, 2, term.length, hashRange(term, 2, term.length));
        return id < 0 ? -1 : this.syllableAccentedTerm[id]!;
      }
      const first = this.findSyllable(term, 2, split, hashRange(term, 2, split));
      const second = this.findSyllable(term, split + 1, term.length, hashRange(term, split + 1, term.length));
      return first < 0 || second < 0 ? -1 : this.accentedBigrams.get(first, second);
    }
    return -1;
  }

  /** Calls visit(folded syllable, id of its term "f:<folded>") in order of first appearance. */
  forEachFoldedSyllable(visit: (folded: string, termId: number) => void): void {
    this.foldedNames.forEach((name, id) => {
      visit(name, this.foldedTerms[id]!);
    });
  }

  /** Every term's string, by term id (for tests and debugging: nothing else needs them). */
  termNames(): string[] {
    const names = new Array<string>(this.terms);
    this.foldedNames.forEach((name, id) => {
      names[this.foldedTerms[id]!] = 'f:' + name;
    });
    this.syllableNames.forEach((name, id) => {
      if (this.syllableAccentedTerm[id]! >= 0) names[this.syllableAccentedTerm[id]!] = 'a:' + name;
    });
    this.foldedBigrams.forEach((a, b, id) => {
      names[id] = 'f:' + this.foldedNames[a] + '_' + this.foldedNames[b];
    });
    this.accentedBigrams.forEach((a, b, id) => {
      names[id] = 'a:' + this.syllableNames[a] + '_' + this.syllableNames[b];
    });
    return names;
  }

  private newTerm(folded: boolean): number {
    const id = this.terms++;
    if (id === this.folded.length) {
      const bigger = new Uint8Array(this.folded.length * 2);
      bigger.set(this.folded);
      this.folded = bigger;
    }
    this.folded[id] = folded ? 1 : 0;
    return id;
  }

  /** The id of the syllable text[start..end) whose hash is `hash`, or -1. */
  private findSyllable(text: string, start: number, end: number, hash: number): number {
    const slot = this.slotFor(text, start, end, hash);
    return this.slots[slot]! - 1;
  }

  /** The slot holding text[start..end), or the empty slot where it belongs. */
  private slotFor(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = (hash ^ (hash >>> 16)) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === 0) return slot;
      if (this.slotHashes[slot] !== hash) continue;
      const name = this.syllableNames[stored - 1]!;
      if (name.length !== length) continue;
      let same = true;
      for (let c = 0; c < length; c++) {
        if (name.charCodeAt(c) !== text.charCodeAt(start + c)) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  /** The id of the syllable text[start..end) with hash `hash`, adding it when new. */
  private syllableId(text: string, start: number, end: number, hash: number): number {
    const slot = this.slotFor(text, start, end, hash);
    const stored = this.slots[slot]!;
    return stored !== 0 ? stored - 1 : this.addSyllable(text.slice(start, end), hash, slot);
  }

  private addSyllable(syllable: string, hash: number, slot: number): number {
    const foldedName = foldSyllable(syllable);
    let folded = this.foldedIds.get(foldedName);
    if (folded === undefined) {
      folded = this.foldedNames.length;
      this.foldedIds.set(foldedName, folded);
      this.foldedNames.push(foldedName);
      this.foldedTerms.push(this.newTerm(true));
    }
    const id = this.syllableNames.length;
    this.syllableNames.push(syllable);
    this.syllableFolded.push(folded);
    this.syllableFoldedTerm.push(this.foldedTerms[folded]!);
    this.syllableAccentedTerm.push(syllable === foldedName ? -1 : this.newTerm(false));
    this.slots[slot] = id + 1;
    this.slotHashes[slot] = hash;
    if (2 * this.syllableNames.length > this.slots.length) this.growSlots();
    return id;
  }

  private growSlots(): void {
    const { slots, slotHashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.slotHashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue;
      const hash = slotHashes[i]!;
      let slot = (hash ^ (hash >>> 16)) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = slots[i]!;
      this.slotHashes[slot] = hash;
    }
  }

  /** Appends to `out` the ids of the terms of terms(text, { accented }), in the same order, repeats kept. */
  intern(text: string, accented: boolean, out: TermIdBuffer): void {
    const lowered = text.toLowerCase().normalize('NFC');
    const length = lowered.length;
    // Each syllable has at least one character and yields at most four terms.
    const data = out.reserve(4 * length);
    let n = out.length;
    let previous = -1; // syllable id of the previous syllable in this phrase, -1 at a phrase start
    for (let i = 0; i < length; ) {
      let unit = lowered.charCodeAt(i);
      let cls = charClasses[unit]!;
      if (cls === 0) cls = slowClassAt(lowered, i);
      if (cls !== IN_SYLLABLE) {
        if (cls === BREAK) previous = -1; // no bigram across a phrase break
        i++;
        continue;
      }
      const start = i;
      let hash = FNV_OFFSET; // FNV-1a over the code units, as hashRange computes it
      for (;;) {
        hash = Math.imul(hash ^ unit, FNV_PRIME);
        i++;
        if (i >= length) break;
        if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(lowered.charCodeAt(i))) {
          // The low half of an astral letter, classified whole (as a letter) with its high half.
          unit = lowered.charCodeAt(i);
          continue;
        }
        unit = lowered.charCodeAt(i);
        cls = charClasses[unit]!;
        if (cls === 0) cls = slowClassAt(lowered, i);
        if (cls !== IN_SYLLABLE) break;
      }
      const current = this.syllableId(lowered, start, i, hash);
      const accentedTerm = this.syllableAccentedTerm[current]!;
      data[n++] = this.syllableFoldedTerm[current]!;
      if (previous >= 0) {
        const first = this.syllableFolded[previous]!;
        const second = this.syllableFolded[current]!;
        let bigram = this.foldedBigrams.get(first, second);
        if (bigram < 0) {
          bigram = this.newTerm(true);
          this.foldedBigrams.set(first, second, bigram);
        }
        data[n++] = bigram;
      }
      if (accented) {
        if (accentedTerm >= 0) data[n++] = accentedTerm;
        if (previous >= 0 && (accentedTerm >= 0 || this.syllableAccentedTerm[previous]! >= 0)) {
          let bigram = this.accentedBigrams.get(previous, current);
          if (bigram < 0) {
            bigram = this.newTerm(false);
            this.accentedBigrams.set(previous, current, bigram);
          }
          data[n++] = bigram;
        }
      }
      previous = current;
    }
    out.length = n;
  }
}

/** A growable list of term ids without per-element boxing. */
export class TermIdBuffer {
  data = new Int32Array(1024);
  length = 0;

  push(id: number): void {
    this.reserve(1)[this.length++] = id;
  }

  /** Makes room for `more` ids after the current length; returns the (possibly new) data array. */
  reserve(more: number): Int32Array {
    if (this.length + more > this.data.length) {
      const bigger = new Int32Array(Math.max(this.data.length * 2, this.length + more));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    return this.data;
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
  'nói vấn đề để ra cụ thể lên xuống'
).split(/\s+/);

/**
 * Folded forms that are also common content syllables ("dau": đâu but also đầu tư; "dang": đang but
 * also Đảng): in a question typed without diacritics they are kept as content.
 */
const AMBIGUOUS_WHEN_FOLDED = new Set(
  (
    'dau tu co ma toi ban minh chung the do trong ngoai tai da dang vi quy chi can moi van qua cung con hoi ' +
    'nen ve o viec cai de noi cu thi lam nhu cho em anh'
  ).split(' '),
);

export const STOPWORDS = new Set(STOPWORDS_ACCENTED);
export const FOLDED_STOPWORDS = new Set(
  STOPWORDS_ACCENTED.map(foldDiacritics).filter((w) => !AMBIGUOUS_WHEN_FOLDED.has(w)),
);
