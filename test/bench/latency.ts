// Query latency of the engine's code for the ALQAC questions, accented and unaccented: lexical, vector
// and hybrid search (as engine.search) and the whole answer (as engine.ask with embedding reduced to a
// lookup, see engine-harness.ts), plus Recall@5 of each search mode so that speed is never bought with
// quality.
import type { SearchMode } from '../../src/search/types.js';
import { askKey, type BenchTarget } from './engine-harness.js';
import { isRelevant, questionText, VARIANTS, type AlqacQuestion, type Variant } from './alqac.js';
import { summarize, timeEach, type LatencySummary } from './stats.js';

export const SEARCH_MODES: readonly SearchMode[] = ['lexical', 'vector', 'hybrid'];
export type Measured = SearchMode | 'answer';

/** k asked of engine.search, as in the eval (Recall@5 is read from the first five). */
export const SEARCH_K = 10;

export interface VariantLatency {
  latency: LatencySummary;
  /** Recall@5 of this mode's ranking (null for the answer, which returns the top 3). */
  recall5: number | null;
  /** Share of questions answered (not abstained), for the answer only. */
  answered?: number;
}

export type LatencyTable = Partial<Record<Measured, Record<Variant, VariantLatency>>>;

export interface LatencyOptions {
  /** Timed rounds per question; each question's time is the median of its rounds. */
  rounds: number;
  /** Query vector per question, keyed by askKey(question); null measures lexical search and answers only. */
  vectors: ReadonlyMap<string, number[]> | null;
  /** Which to measure (default: all the engine can do). */
  measure?: readonly Measured[];
}

export function measureEngineLatency(
  engine: BenchTarget,
  questions: readonly AlqacQuestion[],
  options: LatencyOptions,
): LatencyTable {
  const measure =
    options.measure ??
    (options.vectors ? [...SEARCH_MODES, 'answer' as const] : ['lexical' as const, 'answer' as const]);
  const table: LatencyTable = {};
  for (const what of measure) {
    const perVariant = {} as Record<Variant, VariantLatency>;
    for (const variant of VARIANTS) {
      const items = questions.map((q) => ({ q, text: questionText(q, variant) }));
      const vectorOf = (text: string): number[] | null => {
        if (!options.vectors) return null;
        const v = options.vectors.get(askKey(text));
        if (!v) throw new Error(`no query vector for ${JSON.stringify(text.slice(0, 60))}`);
        return v;
      };
      if (what === 'answer') {
        // The vector lookup is timed with the answer, as engine.ask's (memoised) embedding was.
        const times = timeEach(items, (item) => engine.answer(item.text, vectorOf(item.text)), options.rounds);
        let answered = 0;
        for (const item of items) if (engine.answer(item.text, vectorOf(item.text)).answered) answered++;
        perVariant[variant] = { latency: summarize(times), recall5: null, answered: answered / items.length };
      } else {
        const mode = what;
        const withVectors = items.map((item) => ({ ...item, vector: vectorOf(item.text) }));
        const times = timeEach(
          withVectors,
          (item) => engine.search(item.text, SEARCH_K, item.vector, mode),
          options.rounds,
        );
        let hits = 0;
        for (const item of withVectors) {
          const ranked = engine.search(item.text, SEARCH_K, item.vector, mode);
          if (ranked.slice(0, 5).some((r) => isRelevant(r.passage, item.q.relevant))) hits++;
        }
        perVariant[variant] = { latency: summarize(times), recall5: hits / items.length };
      }
    }
    table[what] = perVariant;
  }
  return table;
}
