// What the answer step reads of a passage, whatever the question: its units (sentences, long ones cut at
// their ";" clauses), each unit's matchable terms and the term forms at each syllable, and the terms of
// the whole passage with its title and heading. Computed once per passage and kept in a bounded cache:
// the same passages come back for question after question, and tokenising them was most of an answer's
// time (ALQAC articles run to dozens of sentences).
import type { Passage } from '../corpus/types.js';
import { splitClauses, splitSentences } from '../text/sentences.js';
import { formsOf, termForms, textTerms } from './question-terms.js';
import { formMatch } from './answer-forms.js';
import { type Intent, sentenceIntent } from '../question/intent.js';
import type { AnswerForm } from '../question/question-type.js';

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
  unitPositions: string[][][];
  /** The passage's matchable terms, its document title and section heading included. */
  terms: Set<string>;
  /** The title and heading's terms alone: what they say singles out no sentence. */
  contextTerms: Set<string>;
  /** Per unit, what it states (target, achievement), filled as questions ask (see unitIntent). */
  intents: (Intent | undefined)[];
  /** Per answer form ("quantity %"), per unit, how well it carries it, filled as questions ask (see unitForm). */
  forms: Map<string, (number | undefined)[]>;
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
  const positions = units.map(termForms);
  const reading: PassageReading = {
    units,
    unitTerms: positions.map(formsOf),
    unitPositions: positions,
    terms: textTerms(`${context}\n${passage.text}`),
    contextTerms: textTerms(context),
    intents: [],
    forms: new Map(),
  };
  cache.set(passage, reading);
  if (cache.size > CACHE_CAPACITY) cache.delete(cache.keys().next().value as Passage);
  return reading;
}

/** What unit `u` states, computed once per passage read (the same units come back question after question). */
export function unitIntent(reading: PassageReading, u: number): Intent {
  const known = reading.intents[u];
  if (known !== undefined) return known;
  const stated = sentenceIntent(reading.units[u]!);
  reading.intents[u] = stated;
  return stated;
}

/** How well unit `u` carries `form` (formMatch), computed once per passage read and form. */
export function unitForm(reading: PassageReading, u: number, form: AnswerForm): number {
  const key = `${form.kind} ${form.unit ?? ''} ${form.given?.join(' ') ?? ''}`;
  let cached = reading.forms.get(key);
  if (!cached) {
    cached = [];
    reading.forms.set(key, cached);
  }
  const known = cached[u];
  if (known !== undefined) return known;
  const match = formMatch(reading.units[u]!, form);
  cached[u] = match;
  return match;
}
