// The pure ranking: what one bundle's passages are searched through (SearchIndexes, built once per
// bundle) and the ranking of a question against them. No I/O and no state: the engine calls these on its
// serving snapshot, and the benchmark calls them on indexes it builds itself.
import type { Passage } from '../corpus/types.js';
import { analyseQuestion, type AnalysedQuestion } from '../question/analyse.js';
import type { Thesaurus } from '../question/synonyms.js';
import { foldDiacritics } from '../text/normalize.js';
import { syllables } from '../text/tokenize.js';
import { fuseWeighted } from './hybrid.js';
import { LexicalIndex } from './lexical-index.js';
import { applyPriors, documentFacts, newestYear, type DocumentFacts } from './priors.js';
import type { ScoredPassage, SearchMode } from './types.js';
import type { VectorIndex } from './vector-index.js';

/** Everything a question is ranked against, derived from one bundle's passages and vectors; never mutated. */
export interface SearchIndexes {
  passages: Passage[];
  vectors: number[][] | null;
  vectorIndex: VectorIndex | null;
  lexical: LexicalIndex;
  /** Per passage, its document's year and kind (for the year and district priors). */
  facts: DocumentFacts[];
  corpusYears: Set<number>;
  newestYear: number | null;
  /** Folded names of the places the reports are about ("cam le"), from their titles. */
  placeNames: string[][];
  /** Passage id → its index in `passages` (and `vectors`). */
  indexById: Map<string, number>;
}

/** How a question is ranked: the search mode and the hybrid fusion's settings. */
export interface RankingOptions {
  mode: SearchMode;
  /** Candidates each side brings to the fusion (the engine's default: 50). */
  candidates: number;
  /** Weight of the lexical side in hybrid fusion (the engine's default: 0.5). */
  lexicalWeight: number;
}

/** The fusion's settings when the operator sets none: 50 candidates a side, lexical and vector weighed alike. */
export const DEFAULT_FUSION: Readonly<Pick<RankingOptions, 'candidates' | 'lexicalWeight'>> = {
  candidates: 50,
  lexicalWeight: 0.5,
};

/** Passages ranked before the year and district priors re-order them (more than any k asked). */
export const PRIOR_POOL = 20;

/** Builds the lexical index and the per-passage facts the priors read (the costly part is the lexical index). */
export function buildSearchIndexes(
  passages: Passage[],
  vectors: number[][] | null,
  vectorIndex: VectorIndex | null,
): SearchIndexes {
  const lexical = LexicalIndex.build(passages.map((p) => ({ title: p.docTitle, section: p.section, text: p.text })));
  const bySource = new Map<string, DocumentFacts>();
  const facts = passages.map((p) => {
    let f = bySource.get(p.source);
    if (!f) {
      f = documentFacts(p);
      bySource.set(p.source, f);
    }
    return f;
  });
  const corpusYears = new Set([...bySource.values()].flatMap((f) => (f.year === null ? [] : [f.year])));
  return {
    passages,
    vectors,
    vectorIndex,
    lexical,
    facts,
    corpusYears,
    newestYear: newestYear(bySource.values()),
    placeNames: placeNamesOf(new Set(passages.map((p) => p.docTitle))),
    indexById: new Map(passages.map((p, i) => [p.id, i])),
  };
}

/** "quận Cẩm Lệ", "huyện Hòa Vang", "phường Hòa Xuân" in a title → the name's folded syllables. */
function placeNamesOf(titles: Iterable<string>): string[][] {
  const names = new Map<string, string[]>();
  for (const title of titles) {
    for (const m of title.matchAll(
      /(?:quận|huyện|phường|xã|thị xã|thành phố)\s+((?:\p{Lu}[\p{Ll}\p{M}]*\s*){1,3})/gu,
    )) {
      const words = syllables(m[1]!).map(foldDiacritics);
      if (words.length) names.set(words.join(' '), words);
    }
  }
  return [...names.values()];
}

/** Analyses a question against these indexes: their vocabulary (idf, spelling), newest year and places. */
export function analyseAgainst(
  indexes: SearchIndexes,
  question: string,
  thesaurus: Thesaurus,
  maxChars: number,
): AnalysedQuestion {
  return analyseQuestion(
    question,
    {
      idf: (term) => indexes.lexical.foldedIdf(term),
      occurs: (term) => indexes.lexical.hasFolded(term),
      correctSpelling: (text) => indexes.lexical.correctSpelling(text),
      thesaurus,
      newestYear: indexes.newestYear,
      placeNames: indexes.placeNames,
    },
    maxChars,
  );
}

/**
 * The k best passages (as indexes into `passages`) for an analysed question: lexical, vector or both
 * fused, then a pool of the best re-ordered by the year and district priors.
 */
export function rankPassages(
  indexes: SearchIndexes,
  analysed: AnalysedQuestion,
  k: number,
  queryVector: number[] | null,
  options: RankingOptions,
): ScoredPassage[] {
  const { mode } = options;
  const pool = Math.max(options.candidates, k);
  const wanted = Math.max(k, PRIOR_POOL);
  const lexical =
    mode === 'vector' ? [] : indexes.lexical.searchWeighted(analysed.searchTerms, mode === 'lexical' ? wanted : pool);
  let vector: ScoredPassage[] = [];
  if (mode !== 'lexical' && queryVector && indexes.vectorIndex)
    vector = indexes.vectorIndex.search(queryVector, mode === 'vector' ? wanted : pool);
  let ranked: ScoredPassage[];
  if (mode === 'lexical') ranked = lexical;
  else if (mode === 'vector') ranked = vector;
  else ranked = fuseWeighted(lexical, vector, options.lexicalWeight, wanted);
  ranked = applyPriors(ranked, analysed, (i) => indexes.facts[i]!, indexes.corpusYears);
  return ranked.slice(0, k);
}
