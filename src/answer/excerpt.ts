// Picks the one or two sentences of a passage that answer the question, short enough for a phone.
import { splitClauses, splitSentences } from '../text/sentences.js';
import { contentTerms, type WeightedTerm } from './question-terms.js';

/** Sentences longer than this are cut into their ";" clauses before choosing. */
const LONG_SENTENCE = 260;
/** A best unit shorter than this gets its best neighbour too. */
const SHORT_UNIT = 120;
export const MAX_EXCERPT_CHARS = 500;

function units(text: string): string[] {
  return splitSentences(text).flatMap((sentence) => (sentence.length > LONG_SENTENCE ? splitClauses(sentence) : [sentence]));
}

function score(unit: string, terms: WeightedTerm[]): number {
  const unitTerms = contentTerms(unit);
  let sum = 0;
  for (const { term, weight } of terms) if (unitTerms.has(term)) sum += weight;
  return sum;
}

export function selectExcerpt(passageText: string, terms: WeightedTerm[]): string {
  const candidates = units(passageText);
  if (candidates.length === 0) return '';
  const scores = candidates.map((unit) => score(unit, terms));
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    // Ties go to the shorter unit: the same evidence in fewer words.
    if (scores[i]! > scores[best]! || (scores[i] === scores[best] && candidates[i]!.length < candidates[best]!.length)) best = i;
  }
  let excerpt = candidates[best]!;
  if (excerpt.length < SHORT_UNIT) {
    const neighbours = [best - 1, best + 1].filter((i) => i >= 0 && i < candidates.length);
    const neighbour = neighbours.sort((a, b) => scores[b]! - scores[a]! || a - b)[0];
    if (neighbour !== undefined && (scores[neighbour]! > 0 || candidates.length <= 2)) {
      excerpt = neighbour < best ? `${candidates[neighbour]} ${excerpt}` : `${excerpt} ${candidates[neighbour]}`;
    }
  }
  return truncate(excerpt, MAX_EXCERPT_CHARS);
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max - 1);
  return text.slice(0, cut > max / 2 ? cut : max - 1).replace(/[\s,;:]+$/, '') + '…';
}
