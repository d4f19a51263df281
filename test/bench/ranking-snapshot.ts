// Guard for performance work on the lexical side: dumps, for all 200 ALQAC questions (accented and
// unaccented), the top-10 lexical ranking with scores, the spelling-corrected question and the answer
// the engine would compose. Run before and after an optimisation and diff the two files: they must match.
//
//   npx tsx test/bench/ranking-snapshot.ts bench-results/ranking-before.json
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { composeAnswer } from '../../src/answer/compose.js';
import { analyseQuestion } from '../../src/question/analyse.js';
import { builtInThesaurus } from '../../src/question/synonyms.js';
import { LexicalIndex } from '../../src/search/lexical-index.js';
import { setLogLevel } from '../../src/log.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { loadAlqac } from './alqac.js';

async function main() {
  setLogLevel('warn');
  const out = process.argv[2] ?? path.join('bench-results', 'ranking-snapshot.json');
  const alqac = await loadAlqac();
  const started = performance.now();
  const index = LexicalIndex.build(
    alqac.passages.map((p) => ({ title: p.docTitle, section: p.section, text: p.text })),
  );
  const buildMs = performance.now() - started;
  const rows: unknown[] = [];
  let prunedMismatches = 0;
  for (const q of alqac.questions) {
    for (const question of [q.question, foldDiacritics(q.question)]) {
      const corrected = index.correctSpelling(question);
      const top = index.search(corrected, 10);
      // The pruned path (taken at larger scale) must agree here too, where search() rarely takes it.
      for (const k of [10, 50]) {
        if (JSON.stringify(index.searchPruned(corrected, k)) !== JSON.stringify(index.searchExhaustive(corrected, k)))
          prunedMismatches++;
      }
      const analysed = analyseQuestion(question, {
        idf: (t) => index.foldedIdf(t),
        correctSpelling: (t) => index.correctSpelling(t),
        thesaurus: builtInThesaurus(),
        newestYear: null,
        placeNames: [],
      });
      const answer = composeAnswer(
        analysed,
        index
          .searchWeighted(analysed.searchTerms, 3)
          .map((r) => ({ passage: alqac.passages[r.index]!, score: r.score })),
      );
      rows.push({
        question,
        corrected,
        top: top.map((r) => [r.index, r.score]),
        queryTerms: index.queryTerms(corrected),
        answer: {
          answered: answer.answered,
          excerpt: answer.excerpt,
          confidence: answer.confidence,
          reason: answer.reason,
        },
      });
    }
  }
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, JSON.stringify(rows, null, 1));
  process.stderr.write(
    `${rows.length} rankings written to ${out} (build ${buildMs.toFixed(0)} ms); pruned ≠ exhaustive: ${prunedMismatches}\n`,
  );
  if (prunedMismatches > 0) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
