// ViQuAD 2.0 dev (../shared/benchmarks/viquad2): does the reply's excerpt quote the answer span? Run as
// part of `npm run eval`, or alone: `npx tsx test/eval/viquad.ts [--folded] [--show-misses N]`.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine.js';
import { foldDiacritics } from '../../src/text/normalize.js';

export interface ViquadScores {
  questions: number;
  excerptHasAnswer: number;
  top1: number;
  top3: number;
  answered: number;
  excerptWords: number;
}

interface ViquadQuestion {
  question: string;
  answer: string;
  title: string;
}

const squash = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

export async function loadViquad(dir: string): Promise<ViquadQuestion[]> {
  const raw = await fs.readFile(path.join(dir, 'questions-dev.jsonl'), 'utf8');
  return raw
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ViquadQuestion);
}

/** Opens a lexical engine on the viquad corpus, in a temporary index folder. */
export async function openViquadEngine(dir: string): Promise<Engine> {
  const indexDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-viquad-'));
  return Engine.open({ corpusDir: path.join(dir, 'corpus'), indexDir, searchMode: 'lexical', embedder: null });
}

export async function scoreViquad(
  engine: Engine,
  questions: ViquadQuestion[],
  folded: boolean,
  onMiss?: (q: ViquadQuestion, excerpt: string) => void,
): Promise<ViquadScores> {
  let hit = 0;
  let top1 = 0;
  let top3 = 0;
  let answered = 0;
  let words = 0;
  for (const q of questions) {
    const answer = await engine.ask(folded ? foldDiacritics(q.question) : q.question, { k: 3 });
    const span = squash(q.answer);
    const excerpt = squash(answer.excerpt);
    if (answer.answered) {
      answered++;
      words += answer.excerpt.split(/\s+/).filter(Boolean).length;
    }
    if (answer.answered && excerpt.includes(span)) hit++;
    else onMiss?.(q, answer.excerpt);
    const inPassage = answer.passages.map((p) => squash(p.passage.text).includes(span));
    if (inPassage[0]) top1++;
    if (inPassage.some(Boolean)) top3++;
  }
  const n = questions.length;
  return {
    questions: n,
    excerptHasAnswer: hit / n,
    top1: top1 / n,
    top3: top3 / n,
    answered: answered / n,
    excerptWords: words / Math.max(1, answered),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.join('..', 'shared', 'benchmarks', 'viquad2');
  const folded = process.argv.includes('--folded');
  const showAt = process.argv.indexOf('--show-misses');
  const show = showAt > 0 ? Number(process.argv[showAt + 1]) : 0;
  const { setLogLevel } = await import('../../src/log.js');
  setLogLevel('warn');
  const engine = await openViquadEngine(dir);
  let shown = 0;
  const scores = await scoreViquad(engine, await loadViquad(dir), folded, (q, excerpt) => {
    if (shown++ < show) console.log(`Q: ${q.question}\nA: ${q.answer}\nE: ${excerpt}\n`);
  });
  console.log(JSON.stringify(scores));
}
