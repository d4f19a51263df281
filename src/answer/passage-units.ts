// What the answer step reads of a passage, whatever the question: its units (sentences, long ones cut at
// their ";" clauses), each unit's matchable terms and the term forms at each syllable, and the terms of
// the whole passage with its title and heading. Computed once per passage and kept in a bounded cache:
// the same passages come back for question after question, and tokenising them was most of an answer's
// time (ALQAC articles run to dozens of sentences).
import type { Passage } from '../corpus/types.js';
import { splitClauses, splitSentences } from '../text/sentences.js';
import { foldSyllable, phrases } from '../text/tokenize.js';
import { textTerms } from './question-terms.js';

/** Sentences longer than this are cut into their ";" clauses before choosing. */
const LONG_SENTENCE = 260;
/** Passages whose reading is kept (least recently used dropped first). */
const CACHE_CAPACITY = 4000;

/** A passage split into units (sentences, list items) with the terms of each, read once and cached. */
export interface PassageReading {
  units: string[];
  /** Per unit, every form in which its syllables and bigrams match (see textTerms). */
  unitTerms: Set<string>[];
  /** Per unit, per syllable position, the term forms that end there (the syllable and the bigram ending there). */
  unitPositions: Set<string>[][];
  /** The passage's matchable terms, its document title and section heading included. */
  terms: Set<string>;
  /** The title and heading's terms alone: what they say singles out no sentence. */
  contextTerms: Set<string>;
}

const cache = new Map<Passage, PassageReading>();

/** The passage's reading, from the cache when it is there. */
export function readPassage(passage: Passage): PassageReading {
  const cached = cache.get(passage);
  if (cached) {
    // Most recently used last, so the first key is the one to drop.
    cache.delete(passage);
    cache.set(passage, cached);
    return cached;
  }
  const units = splitSentences(passage.text).flatMap((s) => (s.length > LONG_SENTENCE ? splitClauses(s) : [s]));
  const context = `${passage.docTitle}\n${passage.section ?? ''}`;
  const reading: PassageReading = {
    units,
    unitTerms: units.map(textTerms),
    unitPositions: units.map(termPositions),
    terms: textTerms(`${context}\n${passage.text}`),
    contextTerms: textTerms(context),
  };
  cache.set(passage, reading);
  if (cache.size > CACHE_CAPACITY) cache.delete(cache.keys().next().value as Passage);
  return reading;
}

function termPositions(unit: string): Set<string>[] {
  const at: Set<string>[] = [];
  for (const phrase of phrases(unit)) {
    const folded = phrase.map(foldSyllable);
    phrase.forEach((w, i) => {
      const forms = new Set([w, folded[i]!]);
      if (i > 0) {
        forms.add(phrase[i - 1] + '_' + w);
        forms.add(folded[i - 1] + '_' + folded[i]);
      }
      at.push(forms);
    });
  }
  return at;
}
