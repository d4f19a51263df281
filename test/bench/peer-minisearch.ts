// The peer: MiniSearch 7.2 with its defaults (BM25 k 1.2, b 0.7, d 0.5; whitespace/punctuation
// tokenizer, lower-casing; OR of the question's terms) over the same passages, fields title + section +
// text, asked the same questions. Compared with our lexical search (engine.search in lexical mode).
import MiniSearch from 'minisearch';
import type { Engine } from '../../src/engine.js';
import type { Passage } from '../../src/corpus/types.js';
import { isRelevant, questionText, VARIANTS, type AlqacQuestion, type Variant } from './alqac.js';
import { summarize, timed, timeEach, type LatencySummary } from './stats.js';

export interface PeerSide {
  buildMs: number;
  latency: Record<Variant, LatencySummary>;
  recall5: Record<Variant, number>;
}

export interface PeerComparison {
  ours: PeerSide;
  minisearch: PeerSide;
}

interface SearchSide {
  search(question: string): { docTitle: string; section: string | null }[];
}

function measureSide(side: SearchSide, questions: readonly AlqacQuestion[], rounds: number, buildMs: number): PeerSide {
  const latency = {} as Record<Variant, LatencySummary>;
  const recall5 = {} as Record<Variant, number>;
  for (const variant of VARIANTS) {
    const items = questions.map((q) => ({ q, text: questionText(q, variant) }));
    latency[variant] = summarize(timeEach(items, (item) => side.search(item.text), rounds));
    let hits = 0;
    for (const item of items)
      if (
        side
          .search(item.text)
          .slice(0, 5)
          .some((p) => isRelevant(p, item.q.relevant))
      )
        hits++;
    recall5[variant] = hits / items.length;
  }
  return { buildMs, latency, recall5 };
}

/** `ourBuildMs`: what building our lexical index over the same passages took (measured by the caller). */
export function compareWithMiniSearch(
  engine: Engine,
  passages: readonly Passage[],
  questions: readonly AlqacQuestion[],
  ourBuildMs: number,
  rounds: number,
): PeerComparison {
  const built = timed(() => {
    const index = new MiniSearch<{ id: number; title: string; section: string; text: string }>({
      fields: ['title', 'section', 'text'],
    });
    index.addAll(passages.map((p, id) => ({ id, title: p.docTitle, section: p.section ?? '', text: p.text })));
    return index;
  });
  const mini = built.value;
  const theirs: SearchSide = {
    search: (question) =>
      mini
        .search(question)
        .slice(0, 10)
        .map((r) => passages[r.id as number]!),
  };
  const ours: SearchSide = {
    search: (question) => engine.search(question, 10, null, 'lexical').map((r) => r.passage),
  };
  // Both sides: a warm-up round, then per-question medians over the same number of rounds.
  return {
    ours: measureSide(ours, questions, rounds, ourBuildMs),
    minisearch: measureSide(theirs, questions, rounds, built.ms),
  };
}
