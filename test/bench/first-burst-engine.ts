// The floor under the opening burst: the engine alone answering the burst's questions one after another,
// in this process, with no bot, no Bot API and no emulator. The same corpus, warm-up and questions as
// test/bench/first-burst.ts (--questions distinct), so that the burst's p99 can be read against the
// engine's share of it.
//
// Standalone: npx tsx test/bench/first-burst-engine.ts [--corpus alqac|project] [--users 200]
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_EXAMPLE_QUESTIONS } from '../../src/bot/messages.vi.js';
import { warmUp, warmUpQuestions } from '../../src/bot/warm-up.js';
import { loadSettings } from '../../src/config.js';
import { Engine, engineOptionsFromSettings } from '../../src/engine.js';
import { setLogLevel } from '../../src/log.js';
import { distinctQuestions } from './first-burst.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ALQAC_DIR = path.resolve(ROOT, '..', 'shared', 'benchmarks', 'alqac2023');

const { values } = parseArgs({
  options: { corpus: { type: 'string', default: 'alqac' }, users: { type: 'string', default: '200' } },
});
const alqac = values.corpus === 'alqac';
setLogLevel('warn');
const dir = await mkdtemp(path.join(os.tmpdir(), 'first-burst-engine-'));
try {
  await cp(alqac ? path.join(ALQAC_DIR, 'corpus') : path.join(ROOT, 'corpus'), path.join(dir, 'corpus'), {
    recursive: true,
  });
  const settings = loadSettings(
    {
      TELEGRAM_BOT_TOKEN: '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678',
      CORPUS_DIR: 'corpus',
      INDEX_DIR: 'index',
      STATS_FILE: 'index/stats.json',
      SEARCH_MODE: 'lexical',
    },
    dir,
  );
  const engine = await Engine.open(engineOptionsFromSettings(settings), () => undefined);
  await warmUp(engine, DEFAULT_EXAMPLE_QUESTIONS, { k: settings.ANSWER_PASSAGES });
  const file = alqac
    ? path.join(ALQAC_DIR, 'questions-train.jsonl')
    : path.join(ROOT, 'test/eval/seed-questions.jsonl');
  const base = (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => String((JSON.parse(line) as { question: string }).question));
  const titles = engine.status().documents.map((d) => d.title);
  const questions = distinctQuestions(
    base,
    Number(values.users),
    new Set(warmUpQuestions(DEFAULT_EXAMPLE_QUESTIONS, titles)),
  );
  const loadAverage = Math.round(os.loadavg()[0]! * 100) / 100;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const question of questions) await engine.ask(question, { k: settings.ANSWER_PASSAGES });
  const used = process.cpuUsage(cpu);
  const result = {
    corpus: alqac ? 'alqac' : 'project',
    questions: questions.length,
    ms: Math.round(performance.now() - started),
    cpuMs: Math.round((used.user + used.system) / 1000),
    loadAverage,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
