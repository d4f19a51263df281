// Our own labelled sets (see test/eval/README.md): citizen questions on the seed report, questions it
// does not answer, and year questions over the seed plus a synthetic 2019 report. Run as part of
// `npm run eval`, or alone: `npx tsx test/eval/citizen-sets.ts [--show-misses]`.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EmbedderSettings, type EngineOptions } from '../../src/engine.js';
import type { Answer } from '../../src/answer/types.js';
import { SEED_FILE } from '../fixtures/seed-report.js';

export const SEED_REPORT_FILE = path.join('corpus', SEED_FILE);

const EVAL_DIR = path.join('test', 'eval');
export const SYNTHETIC_2019 = path.join(EVAL_DIR, 'fixtures', 'bao-cao-6-thang-dau-nam-2019-cam-le-synthetic.txt');
const SEED_REPORT = SEED_REPORT_FILE;

interface Expected {
  question: string;
  expect: string[];
}

export interface SetScores {
  /** Answerable questions answered with an excerpt holding one of the expected phrases. */
  correct: number;
  /** Answerable questions not answered (false abstention). */
  falseAbstention: number;
  /** Answerable questions answered with an excerpt holding none of the phrases. */
  wrongExcerpt: number;
  questions: number;
}

export interface CitizenScores {
  citizen: SetScores;
  /** Share of the unanswerable questions the bot declined (1 − false-answer rate). */
  unanswerable: AbstentionScores;
  years: SetScores;
  /** The same for questions neither the seed nor the 2019 report answers, on both. */
  unanswerableYears: AbstentionScores;
}

export interface AbstentionScores {
  abstained: number;
  falseAnswer: number;
  questions: number;
}

const squash = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/**
 * An engine on a temporary corpus holding the given report files: lexical, or hybrid with `embedder`;
 * `extra` overrides other options.
 */
export async function engineOn(
  files: string[],
  embedder: EmbedderSettings | null = null,
  extra: Partial<EngineOptions> = {},
): Promise<Engine> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-citizen-'));
  const corpusDir = path.join(root, 'corpus');
  await fs.mkdir(corpusDir);
  for (const f of files) await fs.copyFile(f, path.join(corpusDir, path.basename(f)));
  return Engine.open({
    corpusDir,
    indexDir: path.join(root, 'index'),
    searchMode: embedder ? 'hybrid' : 'lexical',
    embedder,
    ...extra,
  });
}

function judge(answer: Answer, expect: string[]): 'correct' | 'abstained' | 'wrong' {
  if (!answer.answered) return 'abstained';
  const excerpt = squash(answer.excerpt);
  return expect.some((e) => excerpt.includes(squash(e))) ? 'correct' : 'wrong';
}

async function scoreSet(
  engine: Engine,
  items: Expected[],
  onMiss?: (item: Expected, answer: Answer) => void,
): Promise<SetScores> {
  const scores: SetScores = { correct: 0, falseAbstention: 0, wrongExcerpt: 0, questions: items.length };
  for (const item of items) {
    const answer = await engine.ask(item.question);
    const verdict = judge(answer, item.expect);
    if (verdict === 'correct') scores.correct++;
    else {
      if (verdict === 'abstained') scores.falseAbstention++;
      else scores.wrongExcerpt++;
      onMiss?.(item, answer);
    }
  }
  return scores;
}

/**
 * The question–passage similarities an engine with a model gives on the seed sets: for the citizen
 * questions it answers right, and for the unanswerable questions it answers all the same. The floor
 * between them is what the similarity gate is calibrated on. Open the engine with `similarityGate: false`
 * so that a floor measured earlier withholds nothing.
 */
export async function similaritiesOnSeedSets(
  engine: Engine,
): Promise<{ answerable: number[]; unanswerable: number[] }> {
  const answerable: number[] = [];
  for (const item of await readJsonl<Expected>(path.join(EVAL_DIR, 'citizen-questions.jsonl'))) {
    const answer = await engine.ask(item.question);
    if (answer.similarity !== undefined && judge(answer, item.expect) === 'correct') answerable.push(answer.similarity);
  }
  const unanswerable: number[] = [];
  for (const { question } of await readJsonl<{ question: string }>(
    path.join(EVAL_DIR, 'unanswerable-questions.jsonl'),
  )) {
    const answer = await engine.ask(question);
    if (answer.similarity !== undefined) unanswerable.push(answer.similarity);
  }
  return { answerable, unanswerable };
}

export async function scoreCitizenSets(
  onMiss?: (set: string, question: string, answer: Answer) => void,
): Promise<CitizenScores> {
  const seedOnly = await engineOn([SEED_REPORT]);
  const citizen = await scoreSet(
    seedOnly,
    await readJsonl<Expected>(path.join(EVAL_DIR, 'citizen-questions.jsonl')),
    (i, a) => onMiss?.('citizen', i.question, a),
  );
  const unanswerable = await scoreAbstentions(seedOnly, 'unanswerable-questions.jsonl', (q, a) =>
    onMiss?.('unanswerable', q, a),
  );
  await seedOnly.close();
  const twoYears = await engineOn([SEED_REPORT, SYNTHETIC_2019]);
  const years = await scoreSet(
    twoYears,
    await readJsonl<Expected>(path.join(EVAL_DIR, 'year-questions.jsonl')),
    (i, a) => onMiss?.('year', i.question, a),
  );
  const unanswerableYears = await scoreAbstentions(twoYears, 'year-unanswerable-questions.jsonl', (q, a) =>
    onMiss?.('year-unanswerable', q, a),
  );
  await twoYears.close();
  return { citizen, unanswerable, years, unanswerableYears };
}

/** How many of a file's unanswerable questions the engine declines. */
async function scoreAbstentions(
  engine: Engine,
  file: string,
  onMiss?: (question: string, answer: Answer) => void,
): Promise<AbstentionScores> {
  const items = await readJsonl<{ question: string }>(path.join(EVAL_DIR, file));
  let abstained = 0;
  for (const { question } of items) {
    const answer = await engine.ask(question);
    if (!answer.answered) abstained++;
    else onMiss?.(question, answer);
  }
  const n = items.length;
  return { abstained: abstained / n, falseAnswer: (n - abstained) / n, questions: n };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { setLogLevel } = await import('../../src/log.js');
  setLogLevel('warn');
  const show = process.argv.includes('--show-misses');
  const scores = await scoreCitizenSets((set, question, answer) => {
    if (show)
      console.log(
        `[${set}] ${question}\n   → ${answer.answered ? answer.excerpt.slice(0, 160) : `(${answer.reason}, conf ${answer.confidence?.toFixed(2)})`} ${JSON.stringify(answer.analysis)}`,
      );
  });
  console.log(JSON.stringify(scores));
}
