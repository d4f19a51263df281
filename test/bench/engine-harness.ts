// Lets the benchmark time the engine's own ranking and answer code without the parts it must leave out:
//
// - Query embedding. engine.ask embeds the question itself; the issue wants the answer's latency without
//   it (reported apart). A BenchTarget answers from a vector computed (and timed) beforehand.
// - Building at 100× the corpus. Engine.open can only build from corpus files through the model; at scale
//   the bench has synthetic passages and random vectors instead, and builds the indexes from those.
//
// Both go through the pure functions the Engine itself calls on its snapshot (buildSearchIndexes,
// analyseAgainst and rankPassages in src/search/search-indexes.ts, answerQuestion in
// src/answer/answer-question.ts), with the settings an Engine has by default.
import { answerQuestion, rankedPassages } from '../../src/answer/answer-question.js';
import type { Answer, RankedPassage } from '../../src/answer/types.js';
import { MAX_QUESTION_CHARS } from '../../src/engine-api.js';
import { builtInThesaurus } from '../../src/question/synonyms.js';
import { analyseAgainst, DEFAULT_FUSION, type SearchIndexes } from '../../src/search/search-indexes.js';
import type { SearchMode } from '../../src/search/types.js';
import { normalizeLine } from '../../src/text/normalize.js';

/** Passages per answer when the caller does not say (EngineOptions.defaultK's default). */
const DEFAULT_K = 3;

/** The key engine.ask looks a question up by (it normalises and cuts before embedding). */
export function askKey(question: string): string {
  return normalizeLine(question).slice(0, 1000);
}

/** What the benchmark times: an engine's search and answer over fixed indexes, embedding left out. */
export interface BenchTarget {
  /** As engine.search: the question analysed, then ranked in `mode`. */
  search(question: string, k: number, queryVector: number[] | null, mode: SearchMode): RankedPassage[];
  /** As engine.ask once the question is embedded (null: no vector, a lexical answer). */
  answer(question: string, queryVector: number[] | null): Answer;
}

export interface BenchTargetSettings {
  /** The mode an engine over these indexes serves (hybrid or vector with a model, else lexical). */
  mode: SearchMode;
  /** The model's calibrated similarity floor, if any. */
  similarityFloor?: number;
}

/** A BenchTarget over `indexes`, with the built-in thesaurus and an Engine's default settings. */
export function benchTarget(indexes: SearchIndexes, settings: BenchTargetSettings): BenchTarget {
  const thesaurus = builtInThesaurus();
  return {
    search: (question, k, queryVector, mode) =>
      rankedPassages(indexes, analyseAgainst(indexes, question, thesaurus, MAX_QUESTION_CHARS), k, queryVector, {
        ...DEFAULT_FUSION,
        mode,
      }),
    answer: (question, queryVector) =>
      answerQuestion(indexes, question, queryVector, {
        ...DEFAULT_FUSION,
        mode: settings.mode,
        k: DEFAULT_K,
        thesaurus,
        maxQuestionChars: MAX_QUESTION_CHARS,
        similarityFloor: settings.similarityFloor,
      }),
  };
}
