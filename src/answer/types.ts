import type { Passage } from '../corpus/types.js';

/** One retrieved passage with its fused relevance score (higher is better). */
export interface RankedPassage {
  passage: Passage;
  score: number;
}

/** What the engine answers to a question. No Telegram, no HTML: plain text and data. */
export interface Answer {
  question: string;
  /** false when the reports do not say (abstention) or the question was unusable. */
  answered: boolean;
  /** The excerpt: the one or two most relevant sentences of the best passage ("" when not answered). */
  excerpt: string;
  /** Citation of the best passage, or null when not answered. */
  citation: Citation | null;
  /**
   * Passages best first, up to k; present even when not answered (for logs and `ask --json`). When answered,
   * passages[0] is the one the excerpt and citation come from.
   */
  passages: RankedPassage[];
  /** Share of the question's weighted content terms found in the best passage (0..1). */
  confidence?: number;
  /**
   * Why the question was not answered, when it was not: nothing to search for, nothing found, too little
   * of the question found, no sentence carrying the asked form (a number, a date), or the year asked
   * about is not covered by the reports, or the question's meaning is too far from the passage's (with
   * an embedding model whose similarity floor was calibrated).
   */
  reason?: 'empty' | 'no-match' | 'below-threshold' | 'no-answer-form' | 'year-not-covered' | 'not-similar';
  /** Cosine similarity of the question and the cited passage, when an embedding model is loaded. */
  similarity?: number;
  /** The same topic in reports of other years (one passage each, newest first), for "Xem thêm". */
  otherYears?: RankedPassage[];
  /** How the question was understood. */
  analysis?: QuestionSummary;
}

/** How the question was understood (for `ask --json`, logs and tests). */
export interface QuestionSummary {
  /** What the answer must be: person, quantity, date, place, reason, description, yesno, thing, unknown. */
  type: string;
  /** For quantities: the unit the question names ("%", "money", "người"…), or null. */
  unit: string | null;
  /** Years the question names, resolved ("năm ngoái" → the newest report's year − 1). */
  years: number[];
  periods: string[];
  /** Phrases of the question that brought synonyms into the search. */
  synonyms: string[];
  /** Typo corrections, "from→to". */
  corrections: string[];
}

/** Where an answer comes from, as shown under it: the document, its section and date, and the file. */
export interface Citation {
  title: string;
  section: string | null;
  date: string | null;
  source: string;
}
