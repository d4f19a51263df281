// BM25 over Vietnamese syllables and syllable bigrams, in folded and accented forms (see
// text/tokenize.ts; ids from text/term-interner.ts). Built once per bundle; a query touches only the
// posting lists of its own terms and reuses one score buffer, so nothing corpus-sized is allocated per query.
import type { ScoredPassage } from './types.js';
import { hasDiacritics, terms } from '../text/tokenize.js';
import { TermIdBuffer, TermInterner } from '../text/term-interner.js';
import { SpellingCorrector } from './spelling.js';

/** BM25's term-frequency saturation (k1) and length normalisation (b). */
export interface Bm25Params {
  k1: number;
  b: number;
}

/** The textbook BM25 settings, which every index uses unless built with others. */
export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

/** What a passage contributes to the lexical index: its own text plus what it is cited by. */
export interface LexicalDocument {
  title: string;
  section: string | null;
  text: string;
}

/** An index term ("f:…" folded, "a:…" accented) with the weight its idf is multiplied by. */
export interface WeightedIndexTerm {
  term: string;
  weight: number;
}

/** A question's index term with its idf (0 when no passage has it), as shown by queryTerms. */
export interface QueryTerm {
  term: string;
  idf: number;
}

/** The BM25 index of one bundle's passages (see the file header); immutable once built. */
export class LexicalIndex {
  /** Term string → id, through the tables that built the index (no map of term strings is kept). */
  private vocabulary!: TermInterner;
  /** Posting lists, concatenated: docs of term t are postingDocs[offsets[t] .. offsets[t+1]). */
  private postingDocs!: Int32Array;
  private postingFreqs!: Float32Array;
  private offsets!: Int32Array;
  private readonly docLengths: Float32Array;
  private avgDocLength: number;
  /** k1 · (1 − b + b · length / average length) per passage. */
  private readonly norms: Float64Array;
  /** Per term: the largest tf·(k1+1)/(tf+norm) over its postings, so idf times it bounds any contribution. */
  private maxWeight!: Float64Array;
  private readonly scores: Float64Array;
  private readonly touched: Int32Array;
  /** Scratch list of candidate passages for the pruned search. */
  private readonly candidates: Int32Array;

  private constructor(
    readonly size: number,
    private readonly params: Bm25Params,
  ) {
    this.docLengths = new Float32Array(size);
    this.norms = new Float64Array(size);
    this.scores = new Float64Array(size);
    this.touched = new Int32Array(size);
    this.candidates = new Int32Array(size);
    this.avgDocLength = 1;
  }

  static build(documents: LexicalDocument[], params: Bm25Params = DEFAULT_BM25): LexicalIndex {
    const index = new LexicalIndex(documents.length, params);
    // First pass: each document's distinct terms with their frequencies, as (termId, freq) pairs in
    // order of first occurrence, appended to one flat buffer. Terms are interned to ids while the text
    // is scanned (see TermInterner), so no string is built or hashed per term occurrence.
    const interner = new TermInterner();
    const occurrences = new TermIdBuffer();
    let pairs = new Int32Array(1 << 17); // [termId, freq] per (document, distinct term)
    let pairCount = 0;
    const docPairEnd = new Int32Array(documents.length);
    // Per term, side by side (one cache line per lookup): the last document it was seen in (+1, so 0 =
    // never), its count there, how many documents contain it, and 1 if it is a folded term.
    const LAST = 0;
    const COUNT = 1;
    const DF = 2;
    const FOLDED = 3;
    let state = new Int32Array(4 << 12);
    let knownTerms = 0;
    let totalLength = 0;
    for (let docId = 0; docId < documents.length; docId++) {
      const doc = documents[docId]!;
      occurrences.clear();
      interner.intern(`${doc.title}\n${doc.section ?? ''}\n${doc.text}`, true, occurrences);
      if (interner.termCount > knownTerms) {
        if (4 * interner.termCount > state.length)
          state = grow(state, Math.max(4 * interner.termCount, 2 * state.length));
        const flags = interner.foldedFlags();
        for (; knownTerms < interner.termCount; knownTerms++) state[4 * knownTerms + FOLDED] = flags[knownTerms]!;
      }
      if (2 * (pairCount + occurrences.length) > pairs.length)
        pairs = grow(pairs, Math.max(2 * pairs.length, 2 * (pairCount + occurrences.length)));
      const firstPair = pairCount;
      const stamp = docId + 1;
      let length = 0;
      const ids = occurrences.data;
      for (let i = 0; i < occurrences.length; i++) {
        const at = 4 * ids[i]!;
        if (state[at + LAST] !== stamp) {
          state[at + LAST] = stamp;
          state[at + COUNT] = 0;
          state[at + DF]!++;
          pairs[2 * pairCount++] = ids[i]!;
        }
        state[at + COUNT]!++;
        length += state[at + FOLDED]!;
      }
      for (let p = firstPair; p < pairCount; p++) pairs[2 * p + 1] = state[4 * pairs[2 * p]! + COUNT]!;
      docPairEnd[docId] = pairCount;
      index.docLengths[docId] = length;
      totalLength += length;
    }
    index.avgDocLength = documents.length ? Math.max(1, totalLength / documents.length) : 1;
    // Second pass: lay the postings out contiguously, documents in increasing order within each term.
    const termCount = interner.termCount;
    const offsets = new Int32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + state[4 * t + DF]!;
    const fill = offsets.slice(0, termCount);
    const postingDocs = new Int32Array(pairCount);
    const postingFreqs = new Float32Array(pairCount);
    for (let docId = 0, p = 0; docId < documents.length; docId++) {
      for (const end = docPairEnd[docId]!; p < end; p++) {
        const at = fill[pairs[2 * p]!]!++;
        postingDocs[at] = docId;
        postingFreqs[at] = pairs[2 * p + 1]!;
      }
    }
    index.vocabulary = interner;
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
      this.vocabulary.forEachFoldedSyllable((folded, id) =>
        frequency.set(folded, this.offsets[id + 1]! - this.offsets[id]!),
      );
      this.speller = new SpellingCorrector(frequency);
    }
    return this.speller.correctText(question);
  }

  /** Whether some passage contains the folded term. */
  hasFolded(foldedTerm: string): boolean {
    return this.vocabulary.lookup('f:' + foldedTerm) >= 0;
  }

  /** idf of a folded term ("ngan", "ngan_sach"); a term no passage contains gets maxIdf. */
  foldedIdf(foldedTerm: string): number {
    const id = this.vocabulary.lookup('f:' + foldedTerm);
    return id < 0 ? this.maxIdf : this.idfOf(id);
  }

  /**
   * The distinct terms of a question with their idf. Accented terms are used only when the question
   * itself has diacritics: then exact accents add to the folded match instead of replacing it.
   */
  queryTerms(question: string): QueryTerm[] {
    const unique = new Set(terms(question, { accented: hasDiacritics(question) }));
    return [...unique].map((term) => {
      const id = this.vocabulary.lookup(term);
      return { term, idf: id < 0 ? 0 : this.idfOf(id) };
    });
  }

  /** The question's distinct indexed terms, in the order terms() yields them, with idf and list length. */
  private resolve(question: string): ResolvedQuery {
    const unique = new Set(terms(question, { accented: hasDiacritics(question) }));
    return this.resolveWeighted([...unique].map((term) => ({ term, weight: 1 })));
  }

  /** Weighted index terms → ids and idf × weight (a weight of 1 leaves idf untouched, bit for bit). */
  private resolveWeighted(query: readonly WeightedIndexTerm[]): ResolvedQuery {
    const ids: number[] = [];
    const idfs: number[] = [];
    let postings = 0;
    for (const { term, weight } of query) {
      const termId = this.vocabulary.lookup(term);
      if (termId < 0 || !(weight > 0)) continue;
      ids.push(termId);
      idfs.push(weight === 1 ? this.idfOf(termId) : this.idfOf(termId) * weight);
      postings += this.offsets[termId + 1]! - this.offsets[termId]!;
    }
    return { ids, idfs, postings };
  }

  /**
   * The k best passages for an analysed question's weighted terms (its own words at 1, synonyms
   * lower), in index form ("f:ngan_sach", "a:ngân_sách"); best first.
   */
  searchWeighted(query: readonly WeightedIndexTerm[], k: number): ScoredPassage[] {
    if (this.size === 0 || k <= 0) return [];
    const resolved = this.resolveWeighted(query);
    return resolved.postings >= PRUNE_MIN_POSTINGS ? this.topPruned(resolved, k) : this.topExhaustive(resolved, k);
  }

  /** The k best passages by BM25, best first (ties: lower index first). */
  search(question: string, k: number): ScoredPassage[] {
    if (this.size === 0 || k <= 0) return [];
    const query = this.resolve(question);
    // Both paths return exactly the same list; pruning only pays once the posting lists are long.
    return query.postings >= PRUNE_MIN_POSTINGS ? this.topPruned(query, k) : this.topExhaustive(query, k);
  }

  /** search() scoring every posting of every query term; the reference the pruned path must equal. */
  searchExhaustive(question: string, k: number): ScoredPassage[] {
    if (this.size === 0 || k <= 0) return [];
    return this.topExhaustive(this.resolve(question), k);
  }

  /** search() always through the pruned path, whatever the list lengths (for tests and benchmarks). */
  searchPruned(question: string, k: number): ScoredPassage[] {
    if (this.size === 0 || k <= 0) return [];
    return this.topPruned(this.resolve(question), k);
  }

  private topExhaustive(query: ResolvedQuery, k: number): ScoredPassage[] {
    let touchedCount = 0;
    for (let t = 0; t < query.ids.length; t++)
      touchedCount = this.addWholeList(query.ids[t]!, query.idfs[t]!, touchedCount);
    const top = topK(this.scores, this.touched, touchedCount, k);
    for (let i = 0; i < touchedCount; i++) this.scores[this.touched[i]!] = 0;
    return top;
  }

  /**
   * Adds a term's contribution to every passage in its posting list, listing newly touched passages after
   * the first `touchedCount` in `touched`; returns the new count. A passage's score is the sum of its
   * terms' contributions in the order they are added, each by bm25(): scores must never move by one bit
   * (rankings and fusion depend on ties).
   */
  private addWholeList(termId: number, idf: number, touchedCount: number): number {
    const k1Plus1 = this.params.k1 + 1;
    const { postingDocs, postingFreqs, offsets, norms, scores, touched } = this;
    let count = touchedCount;
    for (let p = offsets[termId]!, end = offsets[termId + 1]!; p < end; p++) {
      const doc = postingDocs[p]!;
      const tf = postingFreqs[p]!;
      if (scores[doc] === 0) touched[count++] = doc;
      scores[doc]! += bm25(idf, tf, k1Plus1, norms[doc]!);
    }
    return count;
  }

  /**
   * Exact top-k with upper-bound pruning (the MaxScore idea). At 100× ALQAC a few very common terms
   * ("của", "và", "người") have posting lists covering most passages and dominate the work, yet each adds
   * little. Terms are taken in decreasing order of their largest possible contribution (idf × the term's
   * largest BM25 weight); once the k-th best partial score exceeds what all remaining terms together could
   * still add, no passage untouched so far can reach the top k. From then on the remaining lists only add
   * to the surviving candidates (galloping search into a long list, or streaming a short one), and
   * candidates that can no longer reach the k-th best are dropped as the bounds tighten. The finalists
   * are then rescored in the original query-term order with the exhaustive expression, so scores, ties
   * and order are bit for bit those of topExhaustive. Every bound comparison keeps a relative SLACK far
   * above the rounding error of summing in another order.
   */
  private topPruned(query: ResolvedQuery, k: number): ScoredPassage[] {
    if (query.ids.length === 0) return [];
    const plan = this.pruningPlan(query);
    const read = this.readWholeLists(query, plan, k);
    let pool: Int32Array;
    let poolCount: number;
    if (read.next >= query.ids.length) {
      pool = this.touched; // every list was read whole: every touched passage competes
      poolCount = read.touchedCount;
    } else {
      pool = this.candidates;
      poolCount = this.scoreCandidates(query, plan, read, k);
    }
    const finalists = this.finalistsOf(pool, poolCount, read.touchedCount, k);
    return this.rescoreExactly(query, finalists, k);
  }

  /** The query's terms in decreasing order of their bound, and what the terms from each position on can add. */
  private pruningPlan(query: ResolvedQuery): PruningPlan {
    const m = query.ids.length;
    const bounds = query.ids.map((id, t) => query.idfs[t]! * this.maxWeight[id]!);
    const order = bounds.map((_, t) => t).sort((a, b) => bounds[b]! - bounds[a]! || a - b);
    const restFrom = new Float64Array(m + 1);
    for (let j = m - 1; j >= 0; j--) restFrom[j] = restFrom[j + 1]! + bounds[order[j]!]!;
    return { order, restFrom };
  }

  /**
   * Phase 1 of the pruned search: whole posting lists, in bound order, into the shared score buffer, until
   * a lower bound of the final k-th best score (theta) exceeds what the remaining terms could still add.
   */
  private readWholeLists(query: ResolvedQuery, plan: PruningPlan, k: number): WholeListsRead {
    const { order, restFrom } = plan;
    const m = order.length;
    let touchedCount = 0;
    let theta = -Infinity;
    let completedAt = -1;
    let j = 0;
    while (j < m) {
      const t = order[j]!;
      touchedCount = this.addWholeList(query.ids[t]!, query.idfs[t]!, touchedCount);
      j++;
      if (j < m && touchedCount >= k) {
        const next = this.listLength(query.ids[order[j]!]!);
        // Two lower bounds of the final k-th best score, each tried only before a list longer than
        // the check costs: the k-th best partial score among the first-touched passages (those of the
        // rarest terms, where the best usually are), and the leaders' completed scores.
        const sample = Math.min(touchedCount, THETA_SAMPLE);
        if (next > sample && sample >= k) theta = Math.max(theta, kthLargest(this.scores, this.touched, sample, k));
        if (theta * (1 - SLACK) <= restFrom[j]! * (1 + SLACK) && next > COMPLETION_COST * (m - j)) {
          theta = Math.max(theta, this.completedKth(query, order, j, touchedCount, k));
          completedAt = j;
        }
        if (theta * (1 - SLACK) > restFrom[j]! * (1 + SLACK)) break;
      }
    }
    return { next: j, touchedCount, theta, completedAt };
  }

  /**
   * Phase 2 of the pruned search: the touched passages that can still reach the top k become the
   * candidates (in `candidates`), and the remaining terms add only to them. Returns how many remain.
   */
  private scoreCandidates(query: ResolvedQuery, plan: PruningPlan, read: WholeListsRead, k: number): number {
    const { order, restFrom } = plan;
    const pool = this.candidates;
    let j = read.next;
    let theta = read.theta;
    // The best passages so far, completed over the remaining lists: the k-th best of their full scores
    // bounds the final k-th best from below far more tightly than any partial score does.
    if (read.completedAt !== j) theta = Math.max(theta, this.completedKth(query, order, j, read.touchedCount, k));
    let poolCount = this.keepReachable(this.touched, read.touchedCount, pool, restFrom[j]!, theta);
    let sorted = false;
    for (; j < order.length; j++) {
      const termId = query.ids[order[j]!]!;
      const idf = query.idfs[order[j]!]!;
      const length = this.listLength(termId);
      // Before a list at least as long as the pool, shrink the pool (a pass over it costs less).
      if (poolCount > k && length >= poolCount)
        poolCount = this.keepReachable(pool, poolCount, pool, restFrom[j]!, theta);
      if (length > GALLOP_RATIO * poolCount) {
        // A list much longer than the pool: find each candidate in it (candidates in passage order).
        if (!sorted) {
          pool.subarray(0, poolCount).sort();
          sorted = true;
        }
        this.addToCandidatesGalloping(termId, idf, pool, poolCount);
      } else this.addToCandidatesStreaming(termId, idf);
    }
    return poolCount;
  }

  /**
   * Copies to `into` the passages of from[0..count) whose score plus `rest` (what the remaining terms can
   * add) may still reach `theta`, and zeroes the others' scores (0 reads as "not a candidate"; `touched`
   * still lists them for the reset). `into` may be `from`. Returns how many were kept.
   */
  private keepReachable(from: Int32Array, count: number, into: Int32Array, rest: number, theta: number): number {
    const scores = this.scores;
    const reach = rest * (1 + SLACK);
    const floor = theta * (1 - SLACK);
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const doc = from[i]!;
      if (scores[doc]! + reach >= floor) into[kept++] = doc;
      else scores[doc] = 0;
    }
    return kept;
  }

  /** Adds a term to the candidates pool[0..poolCount) (sorted by passage), galloping through its list. */
  private addToCandidatesGalloping(termId: number, idf: number, pool: Int32Array, poolCount: number): void {
    const k1Plus1 = this.params.k1 + 1;
    const { postingDocs, postingFreqs, norms, scores } = this;
    const end = this.offsets[termId + 1]!;
    let p = this.offsets[termId]!;
    for (let c = 0; c < poolCount && p < end; c++) {
      const doc = pool[c]!;
      p = gallop(postingDocs, p, end, doc);
      if (p < end && postingDocs[p] === doc) {
        const tf = postingFreqs[p]!;
        scores[doc]! += bm25(idf, tf, k1Plus1, norms[doc]!);
      }
    }
  }

  /** Adds a term to the candidates (the passages with a non-zero score), streaming its whole list. */
  private addToCandidatesStreaming(termId: number, idf: number): void {
    const k1Plus1 = this.params.k1 + 1;
    const { postingDocs, postingFreqs, norms, scores } = this;
    for (let p = this.offsets[termId]!, end = this.offsets[termId + 1]!; p < end; p++) {
      const doc = postingDocs[p]!;
      const score = scores[doc]!;
      if (score !== 0) {
        const tf = postingFreqs[p]!;
        scores[doc] = score + bm25(idf, tf, k1Plus1, norms[doc]!);
      }
    }
  }

  /**
   * The pool's passages within SLACK of the k-th best (reordered) score, so that exact ties are kept, in
   * passage order. Clears the score buffer of every touched passage.
   */
  private finalistsOf(pool: Int32Array, poolCount: number, touchedCount: number, k: number): number[] {
    const { scores, touched } = this;
    const kth = poolCount > k ? kthLargest(scores, pool, poolCount, k) : -Infinity;
    const finalists: number[] = [];
    for (let i = 0; i < poolCount; i++) {
      const doc = pool[i]!;
      if (scores[doc]! >= kth - Math.abs(kth) * SLACK) finalists.push(doc);
    }
    for (let i = 0; i < touchedCount; i++) scores[touched[i]!] = 0;
    return finalists.sort((a, b) => a - b);
  }

  /** The k best finalists, rescored exactly as topExhaustive scores: terms in query order, same expression. */
  private rescoreExactly(query: ResolvedQuery, finalists: number[], k: number): ScoredPassage[] {
    const scores = this.scores;
    const exact = new Float64Array(finalists.length);
    for (let t = 0; t < query.ids.length; t++) this.addToSums(query.ids[t]!, query.idfs[t]!, finalists, exact);
    const ids = Int32Array.from(finalists);
    for (let f = 0; f < finalists.length; f++) scores[finalists[f]!] = exact[f]!;
    const top = topK(scores, ids, ids.length, k);
    for (let f = 0; f < finalists.length; f++) scores[finalists[f]!] = 0;
    return top;
  }

  /** Adds a term's contribution to sums[i] for each passage docs[i] (docs ascending), galloping through its list. */
  private addToSums(termId: number, idf: number, docs: readonly number[], sums: Float64Array): void {
    const k1Plus1 = this.params.k1 + 1;
    const { postingDocs, postingFreqs, norms } = this;
    const end = this.offsets[termId + 1]!;
    let p = this.offsets[termId]!;
    for (let i = 0; i < docs.length && p < end; i++) {
      const doc = docs[i]!;
      p = gallop(postingDocs, p, end, doc);
      if (p < end && postingDocs[p] === doc) {
        const tf = postingFreqs[p]!;
        sums[i]! += bm25(idf, tf, k1Plus1, norms[doc]!);
      }
    }
  }

  private listLength(termId: number): number {
    return this.offsets[termId + 1]! - this.offsets[termId]!;
  }

  /**
   * For the pruned search, after terms order[0..j) were read whole: takes the LEADERS best passages by
   * partial score, adds the remaining terms' contributions to them (galloping search into each remaining
   * list) and returns the k-th best of those full scores, a lower bound of the final k-th best score.
   */
  private completedKth(query: ResolvedQuery, order: number[], j: number, touchedCount: number, k: number): number {
    const { scores, touched } = this;
    const want = Math.min(touchedCount, Math.max(LEADERS, k));
    const cut = kthLargest(scores, touched, touchedCount, want);
    const leaders: number[] = [];
    for (let i = 0; i < touchedCount && leaders.length < want; i++)
      if (scores[touched[i]!]! >= cut) leaders.push(touched[i]!);
    leaders.sort((a, b) => a - b);
    const full = Float64Array.from(leaders, (doc) => scores[doc]!);
    for (let l = j; l < order.length; l++) this.addToSums(query.ids[order[l]!]!, query.idfs[order[l]!]!, leaders, full);
    if (leaders.length < k) return -Infinity;
    full.sort();
    return full[full.length - k]!;
  }

  /** The BM25 length normalisation of every passage, and every term's largest weight (for pruning). */
  private prepareScoring(): void {
    const { k1, b } = this.params;
    const k1Plus1 = k1 + 1;
    for (let doc = 0; doc < this.size; doc++) {
      this.norms[doc] = k1 * (1 - b + (b * this.docLengths[doc]!) / this.avgDocLength);
    }
    const termCount = this.offsets.length - 1;
    this.maxWeight = new Float64Array(termCount);
    for (let t = 0; t < termCount; t++) {
      let max = 0;
      for (let p = this.offsets[t]!, end = this.offsets[t + 1]!; p < end; p++) {
        const tf = this.postingFreqs[p]!;
        const weight = bm25(1, tf, k1Plus1, this.norms[this.postingDocs[p]!]!); // 1 · tf is tf, bit for bit
        if (weight > max) max = weight;
      }
      this.maxWeight[t] = max;
    }
  }

  /** Whether passage `doc` contains `term` (binary search in the term's sorted posting list). */
  contains(doc: number, term: string): boolean {
    const termId = this.vocabulary.lookup(term);
    if (termId < 0) return false;
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

/** The pruned search's order of terms (by decreasing bound) and restFrom[j], what terms order[j..] can still add. */
interface PruningPlan {
  order: number[];
  restFrom: Float64Array;
}

/** Where the pruned search's first phase stopped: terms order[0..next) were read whole. */
interface WholeListsRead {
  next: number;
  touchedCount: number;
  /** A lower bound of the final k-th best score. */
  theta: number;
  /** The position before which completedKth last ran (-1: never). */
  completedAt: number;
}

interface ResolvedQuery {
  ids: number[];
  idfs: number[];
  /** Total length of the terms' posting lists. */
  postings: number;
}

/** Below this many postings per query the exhaustive loop is already fast (well under a millisecond). */
const PRUNE_MIN_POSTINGS = 200_000;
/**
 * Relative margin on every pruning decision. Summing a passage's contributions in another order changes
 * its score by ~1e-13 (relative) at most for any realistic question, and a bound idf × max weight differs
 * from the largest contribution by a few ulps; 1e-9 keeps every pruned passage strictly out of the exact
 * top k and every passage tied with the k-th among the finalists.
 */
const SLACK = 1e-9;

/** In the pruned search, a list longer than this many times the candidates is galloped, not streamed. */
const GALLOP_RATIO = 16;
/** How many of the first-touched passages the pruned search estimates the k-th best score from. */
const THETA_SAMPLE = 4096;
/** How many of the best partial scorers the pruned search completes to bound the k-th best score. */
const LEADERS = 256;
/** Completing the leaders is tried before a list longer than this many postings per remaining term. */
const COMPLETION_COST = LEADERS * 8;

/**
 * One term's BM25 contribution to a passage: idf × tf·(k1+1) / (tf + norm). Every score is summed from
 * this one expression, so the pruned and exhaustive paths agree bit for bit (V8 inlines it).
 */
function bm25(idf: number, tf: number, k1Plus1: number, norm: number): number {
  return (idf * tf * k1Plus1) / (tf + norm);
}

/** First index in [from, end) whose doc is ≥ doc (docs ascending), by exponential then binary search. */
function gallop(docs: Int32Array, from: number, end: number, doc: number): number {
  if (from >= end || docs[from]! >= doc) return from;
  let lo = from; // docs[lo] < doc
  let step = 1;
  let hi = lo + step;
  while (hi < end && docs[hi]! < doc) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > end) hi = end;
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid]! < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Reused by kthLargest: k slots, and k is small (50 for hybrid search).
let kthHeap = new Float64Array(64);

/** The k-th largest of scores[docs[0..count)] (count ≥ k), with a min-heap of the k largest. */
function kthLargest(scores: Float64Array, docs: Int32Array, count: number, k: number): number {
  if (kthHeap.length < k) kthHeap = new Float64Array(k);
  const heap = kthHeap;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const value = scores[docs[i]!]!;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (heap[parent]! <= value) break;
        heap[c] = heap[parent]!;
        c = parent;
      }
      heap[c] = value;
    } else if (value > heap[0]!) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const r = l + 1;
        const smaller = r < k && heap[r]! < heap[l]! ? r : l;
        if (heap[smaller]! >= value) break;
        heap[c] = heap[smaller]!;
        c = smaller;
      }
      heap[c] = value;
    }
  }
  return heap[0]!;
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
