// Synthetic corpora at a multiple of ALQAC's size, made of real Vietnamese legal sentences so that term
// statistics (a few very common syllables, a long tail) stay realistic. Copy 0 is the real corpus; every
// further copy re-deals, law by law, that law's sentences (shuffled) into passages of the same sizes,
// under headings shuffled within the law, and names the law "<title> (bản tổng hợp r)". The originals keep
// their titles, so the relevance judge still finds only real articles: recall at scale measures whether
// the right article survives 10× or 100× as many look-alike distractors.
import type { Passage } from '../../src/corpus/types.js';
import { splitSentences } from '../../src/text/sentences.js';
import { seededRandom, shuffle } from './stats.js';

export function synthesizePassages(originals: readonly Passage[], factor: number, seed = 42): Passage[] {
  const random = seededRandom(seed);
  const byLaw = new Map<string, Passage[]>();
  for (const p of originals) {
    const list = byLaw.get(p.docTitle);
    if (list) list.push(p);
    else byLaw.set(p.docTitle, [p]);
  }
  const laws = [...byLaw.values()].map((passages) => {
    const sentencesOf = passages.map((p) => splitSentences(p.text));
    return { passages, counts: sentencesOf.map((s) => s.length), sentences: sentencesOf.flat() };
  });
  const out: Passage[] = [...originals];
  for (let copy = 1; copy < factor; copy++) {
    for (const law of laws) {
      const sentences = shuffle([...law.sentences], random);
      const headings = shuffle(
        law.passages.map((p) => p.section),
        random,
      );
      let next = 0;
      law.passages.forEach((original, i) => {
        const count = law.counts[i]!;
        const text = sentences.slice(next, next + count).join('\n');
        next += count;
        const source = `tong-hop-${copy}/${original.source}`;
        out.push({
          id: `${source}#${original.position}`,
          docTitle: `${original.docTitle} (bản tổng hợp ${copy})`,
          date: original.date,
          section: headings[i]!,
          source,
          position: original.position,
          text,
        });
      });
    }
  }
  return out;
}
