// Picks the one or two sentences of a passage that answer the question, short enough for a phone.
import { splitClauses, splitSentences } from '../text/sentences.js';
import { textTerms, type WeightedTerm } from './question-terms.js';

/** Sentences longer than this are cut into their ";" clauses before choosing. */
const LONG_SENTENCE = 260;
/** A best unit shorter than this gets its best neighbour too. */
const SHORT_UNIT = 120;
export const MAX_EXCERPT_CHARS = 500;
/** Two sentences are shown together only up to this length. */
const MAX_PAIR_CHARS = 320;

function units(text: string): string[] {
  return splitSentences(text).flatMap((sentence) => (sentence.length > LONG_SENTENCE ? splitClauses(sentence) : [sentence]));
}

/**
 * Matched terms count 1 each plus their rarity: in a small corpus idf is near zero for words every
 * passage shares, yet within the chosen passage a sentence matching more of the question is better.
 */
function score(unit: string, terms: WeightedTerm[], context: Set<string>): number {
  const unitTerms = textTerms(unit);
  let sum = 0;
  for (const { term, weight } of terms) {
    // What the document's title or the section heading already says does not single out a sentence.
    if (unitTerms.has(term)) sum += (1 + weight) * (context.has(term) ? 0.25 : 1);
  }
  return sum;
}

/** `context`: terms of the passage's document title and section heading. */
export function selectExcerpt(passageText: string, terms: WeightedTerm[], context: Set<string> = new Set()): string {
  const candidates = units(passageText);
  if (candidates.length === 0) return '';
  const scores = candidates.map((unit) => score(unit, terms, context));
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    // Ties go to the shorter unit: the same evidence in fewer words.
    if (scores[i]! > scores[best]! || (scores[i] === scores[best] && candidates[i]!.length < candidates[best]!.length)) best = i;
  }
  let excerpt = candidates[best]!;
  if (excerpt.length < SHORT_UNIT) {
    // A short answer gets the neighbouring sentence when that one is relevant too and both stay short.
    const neighbour = [best - 1, best + 1]
      .filter((i) => i >= 0 && i < candidates.length)
      .filter((i) => scores[i]! >= scores[best]! / 2 && excerpt.length + candidates[i]!.length <= MAX_PAIR_CHARS)
      .sort((a, b) => scores[b]! - scores[a]! || a - b)[0];
    if (neighbour !== undefined) {
      excerpt = neighbour < best ? `${candidates[neighbour]} ${excerpt}` : `${excerpt} ${candidates[neighbour]}`;
    }
  }
  return truncate(excerpt, MAX_EXCERPT_CHARS);
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max - 1);
  let end = cut > max / 2 ? cut : max - 1;
  // Not between the two halves of an emoji: the excerpt is sent to Telegram as UTF-8.
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end).replace(/[\s,;:]+$/, '') + '…';
}
