// ViQuAD 2.0 dev (../shared/benchmarks/viquad2): does the reply's excerpt quote the answer span? Run as
// part of `npm run eval`, or alone: `npx tsx test/eval/viquad.ts [--folded] [--show-misses N]`.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine.js';
import { foldDiacritics } from '../../src/text/normalize.js';

export interface ViquadScores {
  questions: number;
  excerptHasAnswer: number;
  top1: number;
  top3: number;
  answered: number;
  excerptWords: number;
  /** The same "excerpt has answer", per kind of question (see viquad-kinds.jsonl). */
  byKind: Partial<Record<QuestionKind, { questions: number; excerptHasAnswer: number }>>;
}

/**
 * What a question of the set is, read against its paragraph (test/eval/viquad-kinds.jsonl): ViQuAD 2.0 mixes
 * questions the paragraph answers with adversarial ones it does not ("false premise": one name, date or
 * relation changed; their listed answer is the span of the sentence they were altered from) and ones
 * with no answer at all, which any reply "quotes" (every excerpt contains the empty span).
 */
export type QuestionKind = 'answerable' | 'false-premise' | 'no-answer' | 'unsure';

/** The kind of each question, by its text. */
export async function loadViquadKinds(): Promise<Map<string, QuestionKind>> {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'viquad-kinds.jsonl');
  const lines = (await fs.readFile(file, 'utf8')).trim().split('\n');
  return new Map(
    lines.map((line) => {
      const { question, kind } = JSON.parse(line) as { question: string; kind: QuestionKind };
      return [question, kind];
    }),
  );
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
  kinds: ReadonlyMap<string, QuestionKind> = new Map(),
): Promise<ViquadScores> {
  const byKind: ViquadScores['byKind'] = {};
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
    const quoted = answer.answered && excerpt.includes(span);
    if (quoted) hit++;
    else onMiss?.(q, answer.excerpt);
    const kind = kinds.get(q.question);
    if (kind) {
      const tally = byKind[kind] ?? { questions: 0, excerptHasAnswer: 0 };
      byKind[kind] = tally;
      tally.questions++;
      if (quoted) tally.excerptHasAnswer++;
    }
    const inPassage = answer.passages.map((p) => squash(p.passage.text).includes(span));
    if (inPassage[0]) top1++;
    if (inPassage.some(Boolean)) top3++;
  }
  const n = questions.length;
  for (const tally of Object.values(byKind)) tally.excerptHasAnswer /= tally.questions;
  return {
    questions: n,
    excerptHasAnswer: hit / n,
    top1: top1 / n,
    top3: top3 / n,
    answered: answered / n,
    excerptWords: words / Math.max(1, answered),
    byKind,
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
  const scores = await scoreViquad(
    engine,
    await loadViquad(dir),
    folded,
    (q, excerpt) => {
      if (shown++ < show) console.log(`Q: ${q.question}\nA: ${q.answer}\nE: ${excerpt}\n`);
    },
    await loadViquadKinds(),
  );
  console.log(JSON.stringify(scores));
}
