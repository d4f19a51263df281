// Term ids for indexing: the same term sequence as terms() in tokenize.ts, found without building a
// string per term occurrence (at corpus scale those strings and their hashing dominate the index build).
import { foldSyllable } from './tokenize.js';
import { PairMap } from './pair-map.js';

// The interner scans text by hand instead of with tokenize.ts's SYLLABLE and PHRASE_BREAK regexes (whose
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
