// BM25 over Vietnamese syllables and syllable bigrams, in folded and accented forms (see
// text/tokenize.ts). Built once per bundle; a query touches only the posting lists of its own terms and
// reuses one score buffer, so nothing corpus-sized is allocated per query.
import type { ScoredPassage } from './types.js';
import { hasDiacritics, TermIdBuffer, TermInterner, terms } from '../text/tokenize.js';
import { SpellingCorrector } from './spelling.js';

export interface Bm25Params {
  k1: number;
  b: number;
}

export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

/** What a passage contributes to the lexical index: its own text plus what it is cited by. */
export interface LexicalDocument {
  title: string;
  section: string | null;
  text: string;
}

export interface QueryTerm {
  term: string;
  idf: number;
}

export class LexicalIndex {
  private termIds = new Map<string, number>();
  /** Posting lists, concatenated: docs of term t are postingDocs[offsets[t] .. offsets[t+1]). */
  private postingDocs!: Int32Array;
  private postingFreqs!: Float32Array;
  private offsets!: Int32Array;
  private readonly docLengths: Float32Array;
  private avgDocLength: number;
  /** k1 · (1 − b + b · length / average length) per passage. */
  private readonly norms: Float64Array;
  private readonly scores: Float64Array;
  private readonly touched: Int32Array;

  private constructor(
    readonly size: number,
    private readonly params: Bm25Params,
  ) {
    this.docLengths = new Float32Array(size);
    this.norms = new Float64Array(size);
    this.scores = new Float64Array(size);
    this.touched = new Int32Array(size);
    this.avgDocLength = 1;
  }

  static build(documents: LexicalDocument[], params: Bm25Params = DEFAULT_BM25): LexicalIndex {
    const index = new LexicalIndex(documents.length, params);
    // First pass: each document's distinct terms with their frequencies, as (termId, freq) pairs in
    // order of first occurrence, appended to two flat buffers. Terms are interned to ids while the text
    // is scanned (see TermInterner), so no string is built or hashed per term occurrence.
    const interner = new TermInterner();
    const isFolded = interner.isFolded;
    const occurrences = new TermIdBuffer();
    let pairTerms = new Int32Array(1 << 16);
    let pairFreqs = new Int32Array(1 << 16);
    let pairCount = 0;
    const docPairEnd = new Int32Array(documents.length);
    // Per term: last document it was seen in (+1, so 0 = never), its count there, documents containing it.
    let lastDoc = new Int32Array(1 << 12);
    let countInDoc = new Int32Array(1 << 12);
    let docFreq = new Int32Array(1 << 12);
    let totalLength = 0;
    for (let docId = 0; docId < documents.length; docId++) {
      const doc = documents[docId]!;
      occurrences.clear();
      interner.intern(`${doc.title}\n${doc.section ?? ''}\n${doc.text}`, true, occurrences);
      if (interner.termCount > lastDoc.length) {
        const size = Math.max(interner.termCount, lastDoc.length * 2);
        lastDoc = grow(lastDoc, size);
        countInDoc = grow(countInDoc, size);
        docFreq = grow(docFreq, size);
      }
      const firstPair = pairCount;
      let length = 0;
      const ids = occurrences.data;
      for (let i = 0; i < occurrences.length; i++) {
        const id = ids[i]!;
        if (lastDoc[id] !== docId + 1) {
          lastDoc[id] = docId + 1;
          countInDoc[id] = 0;
          docFreq[id]!++;
          if (pairCount === pairTerms.length) {
            pairTerms = grow(pairTerms, pairCount * 2);
            pairFreqs = grow(pairFreqs, pairCount * 2);
          }
          pairTerms[pairCount++] = id;
        }
        countInDoc[id]!++;
        if (isFolded[id]) length++;
      }
      for (let p = firstPair; p < pairCount; p++) pairFreqs[p] = countInDoc[pairTerms[p]!]!;
      docPairEnd[docId] = pairCount;
      index.docLengths[docId] = length;
      totalLength += length;
    }
    index.avgDocLength = documents.length ? Math.max(1, totalLength / documents.length) : 1;
    // Second pass: lay the postings out contiguously, documents in increasing order within each term.
    const termCount = interner.termCount;
    const offsets = new Int32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + docFreq[t]!;
    const fill = offsets.slice(0, termCount);
    const postingDocs = new Int32Array(pairCount);
    const postingFreqs = new Float32Array(pairCount);
    for (let docId = 0, p = 0; docId < documents.length; docId++) {
      for (const end = docPairEnd[docId]!; p < end; p++) {
        const at = fill[pairTerms[p]!]!++;
        postingDocs[at] = docId;
        postingFreqs[at] = pairFreqs[p]!;
      }
    }
    index.termIds = interner.termIds;
    index.postingDocs = postingDocs;
    index.postingFreqs = postingFreqs;
    index.offsets = offsets;
    index.prepareScoring();
    return index;
  }

  private idfOf(termId: number): number {
    const df = this.offsets[termId + 1]! - this.offsets[termId]!;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  /** A term that no passage contains weighs as much as the rarest possible term. */
  get maxIdf(): number {
    return Math.log(1 + (this.size + 0.5) / 0.5);
  }

  private speller: SpellingCorrector | null = null;

  /** Replaces syllables no passage contains with the nearest one that some passage does (typos). */
  correctSpelling(question: string): string {
    if (!this.speller) {
      // Built on first use: start-up does not pay for it.
      const frequency = new Map<string, number>();
      for (const [term, id] of this.termIds) {
        if (term.startsWith('f:') && !term.includes('_')) frequency.set(term.slice(2), this.offsets[id + 1]! - this.offsets[id]!);
      }
      this.speller = new SpellingCorrector(frequency);
    }
    return this.speller.correctText(question);
  }

  /** idf of a folded term ("ngan", "ngan_sach"); a term no passage contains gets maxIdf. */
  foldedIdf(foldedTerm: string): number {
    const id = this.termIds.get('f:' + foldedTerm);
    return id === undefined ? this.maxIdf : this.idfOf(id);
  }

  /**
   * The distinct terms of a question with their idf. Accented terms are used only when the question
   * itself has diacritics: then exact accents add to the folded match instead of replacing it.
   */
  queryTerms(question: string): QueryTerm[] {
    const unique = new Set(terms(question, { accented: hasDiacritics(question) }));
    return [...unique].map((term) => {
      const id = this.termIds.get(term);
      return { term, idf: id === undefined ? 0 : this.idfOf(id) };
    });
  }

  search(question: string, k: number): ScoredPassage[] {
    if (this.size === 0 || k <= 0) return [];
    const k1Plus1 = this.params.k1 + 1;
    const { postingDocs, postingFreqs, offsets, norms, scores, touched } = this;
    let touchedCount = 0;
    for (const term of new Set(terms(question, { accented: hasDiacritics(question) }))) {
      const termId = this.termIds.get(term);
      if (termId === undefined) continue;
      const idf = this.idfOf(termId);
      for (let p = offsets[termId]!, end = offsets[termId + 1]!; p < end; p++) {
        const doc = postingDocs[p]!;
        const tf = postingFreqs[p]!;
        if (scores[doc] === 0) touched[touchedCount++] = doc;
        // Same expression, same order of operations as ever: scores must not move by one bit.
        scores[doc]! += (idf * tf * k1Plus1) / (tf + norms[doc]!);
      }
    }
    const top = topK(scores, touched, touchedCount, k);
    for (let i = 0; i < touchedCount; i++) scores[touched[i]!] = 0;
    return top;
  }

  /** The BM25 length normalisation of every passage, computed once instead of per posting. */
  private prepareScoring(): void {
    const { k1, b } = this.params;
    for (let doc = 0; doc < this.size; doc++) {
      this.norms[doc] = k1 * (1 - b + (b * this.docLengths[doc]!) / this.avgDocLength);
    }
  }

  /** Whether passage `doc` contains `term` (binary search in the term's sorted posting list). */
  contains(doc: number, term: string): boolean {
    const termId = this.termIds.get(term);
    if (termId === undefined) return false;
    let lo = this.offsets[termId]!;
    let hi = this.offsets[termId + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.postingDocs[mid]!;
      if (value === doc) return true;
      if (value < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/** The k best of the touched documents, best first, with a small binary min-heap. */
function topK(scores: Float64Array, touched: Int32Array, count: number, k: number): ScoredPassage[] {
  const heap: ScoredPassage[] = [];
  const less = (a: ScoredPassage, b: ScoredPassage) => a.score < b.score || (a.score === b.score && a.index > b.index);
  for (let i = 0; i < count; i++) {
    const index = touched[i]!;
    const score = scores[index]!;
    if (heap.length < k) {
      heap.push({ index, score });
      for (let c = heap.length - 1; c > 0; ) {
        const parent = (c - 1) >> 1;
        if (!less(heap[c]!, heap[parent]!)) break;
        [heap[c], heap[parent]] = [heap[parent]!, heap[c]!];
        c = parent;
      }
    } else if (less(heap[0]!, { index, score })) {
      heap[0] = { index, score };
      for (let c = 0; ; ) {
        const l = 2 * c + 1;
        const r = l + 1;
        let smallest = c;
        if (l < heap.length && less(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && less(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === c) break;
        [heap[c], heap[smallest]] = [heap[smallest]!, heap[c]!];
        c = smallest;
      }
    }
  }
  return heap.sort((a, b) => b.score - a.score || a.index - b.index);
}

/** A copy of `array` with room for `size` elements (the rest zero). */
function grow(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array.subarray(0, Math.min(array.length, size)));
  return bigger;
}
