// The pure answer: given the indexes of a bundle and a question (with its embedding, when a model is
// loaded), the ranked passages and the composed answer. No I/O and no state: the engine calls it on its
// serving snapshot after embedding the question, and the benchmark calls it to time an answer without
// the embedding.
import type { AnalysedQuestion } from '../question/analyse.js';
import type { Thesaurus } from '../question/synonyms.js';
import { yearOfDate } from '../question/time-references.js';
import {
  analyseAgainst,
  PRIOR_POOL,
  rankPassages,
  type RankingOptions,
  type SearchIndexes,
} from '../search/search-indexes.js';
import { cosineSimilarity } from '../search/vector-index.js';
import { aboutTheReport, bylineOf, reportInQuestion } from './about-report.js';
import { composeAnswer } from './compose.js';
import { otherYearPassages } from './other-years.js';
import type { Answer, RankedPassage } from './types.js';

/** How a question is answered: the ranking, the passages shown, the synonyms and the similarity floor. */
export interface AnswerSettings extends RankingOptions {
  /** Passages in the answer (1..50). */
  k: number;
  thesaurus: Thesaurus;
  /** The longest question analysed, in characters; longer ones are cut at a word. */
  maxQuestionChars: number;
  /** The model's calibrated similarity floor (undefined: no gate). */
  similarityFloor?: number;
}

/** The ranking of rankPassages as passages with their scores, best first. */
export function rankedPassages(
  indexes: SearchIndexes,
  analysed: AnalysedQuestion,
  k: number,
  queryVector: number[] | null,
  options: RankingOptions,
): RankedPassage[] {
  return rankPassages(indexes, analysed, k, queryVector, options).map((r) => ({
    passage: indexes.passages[r.index]!,
    score: r.score,
  }));
}

/**
 * Answers a question from the indexes: analysis, ranking (lexically when there is no query vector),
 * the excerpt and citation of the best passage, the similarity gate and the same topic in other years.
 */
export function answerQuestion(
  indexes: SearchIndexes,
  question: string,
  queryVector: number[] | null,
  settings: AnswerSettings,
): Answer {
  const { k } = settings;
  const analysed = analyseAgainst(indexes, question, settings.thesaurus, settings.maxQuestionChars);
  // The answer may come from any of the top five passages; the pool behind them offers other years.
  const mode = queryVector ? settings.mode : 'lexical';
  const pool = rankedPassages(indexes, analysed, Math.max(k, PRIOR_POOL), queryVector, { ...settings, mode });
  const ranked = pool.slice(0, Math.max(k, 5));
  const aboutReport = reportFactAnswer(indexes, analysed, question, pool);
  if (aboutReport) return { ...aboutReport, analysis: summarise(analysed) };
  const answer = gateBySimilarity(
    indexes,
    composeAnswer(analysed, ranked, { reportYears: indexes.corpusYears }),
    queryVector,
    settings.similarityFloor,
  );
  const otherYears = answer.answered ? otherYearPassages(analysed, pool, yearOfDate(answer.citation?.date)) : [];
  return {
    ...answer,
    passages: answer.passages.slice(0, k),
    analysis: summarise(analysed),
    ...(otherYears.length ? { otherYears } : {}),
  };
}

/**
 * A question about the report itself, answered off the best-ranked document: "Ai viết báo cáo này?" by
 * the name it ends with, "Báo cáo này nói về giai đoạn nào?" by its title, which names the period.
 */
function reportFactAnswer(
  indexes: SearchIndexes,
  analysed: AnalysedQuestion,
  question: string,
  pool: RankedPassage[],
): Answer | null {
  const asked = aboutTheReport(analysed);
  if (!asked) return null;
  const source = reportInQuestion(pool, indexes.passages);
  if (!source) return null;
  const signed = asked === 'writer' ? bylineOf(indexes.passages, source) : null;
  if (asked === 'writer' && !signed) return null;
  const passage = signed?.passage ?? indexes.passages.find((p) => p.source === source)!;
  return {
    question,
    answered: true,
    excerpt: signed?.byline ?? passage.docTitle,
    citation: { title: passage.docTitle, section: passage.section, date: passage.date, source: passage.source },
    passages: [{ passage, score: pool.find((r) => r.passage === passage)?.score ?? 0 }],
    confidence: 1,
  };
}

/**
 * With a query vector, the answer carries the question–passage similarity, and is withheld when the
 * model has a calibrated floor and the similarity is below it.
 */
function gateBySimilarity(
  indexes: SearchIndexes,
  answer: Answer,
  queryVector: number[] | null,
  floor: number | undefined,
): Answer {
  const cited = answer.passages[0]?.passage;
  if (!answer.answered || !queryVector || !indexes.vectors || !cited) return answer;
  const vector = indexes.vectors[indexes.indexById.get(cited.id) ?? -1];
  if (!vector) return answer;
  const similarity = cosineSimilarity(queryVector, vector);
  if (floor === undefined || similarity >= floor) return { ...answer, similarity };
  return {
    question: answer.question,
    answered: false,
    excerpt: '',
    citation: null,
    passages: answer.passages,
    reason: 'not-similar',
    similarity,
  };
}

/** The analysis as shown in `ask --json` and logs. */
function summarise(q: AnalysedQuestion): NonNullable<Answer['analysis']> {
  return {
    type: q.form.kind,
    unit: q.form.unit,
    years: q.time.resolvedYears,
    periods: q.time.periods,
    synonyms: q.synonyms.map((s) => s.phrase),
    corrections: q.corrections.map((c) => `${c.from}→${c.to}`),
  };
}
