// Command line: index | ask | chat, on the same engine as the bot, so the CLI's answers are the
// bot's answers. stdout carries results only (ask --json: one JSON object per question); everything
// else — progress, logs, warnings — goes to stderr.
import 'dotenv/config';
import { createHash } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { ConfigError, loadSettings, loadSettingsWith, type Settings } from './config.js';
import { Engine, engineOptionsFromSettings, type EngineOptions } from './engine.js';
import { MAX_K, type ProgressEvent } from './engine-api.js';
import type { Answer } from './answer/types.js';
import { setLogFormat, setLogLevel } from './log.js';
import { renderAnswerPlain } from './cli/render-plain.js';
import { describeError } from './errors.js';

const USAGE = `Usage:
  npm run index -- [--corpus DIR] [--index DIR] [--mode hybrid|lexical|vector]
  npm run ask   -- [--corpus DIR] [--index DIR] [--k N] [--json] [--mode M] ["question"]
                   (without a question: one question per line from stdin)
  npm run chat  -- [--corpus DIR] [--index DIR]
(evaluation: npm run eval, see test/eval/run.ts)`;

type Command = 'index' | 'ask' | 'chat';

/** Progress on stderr: a bar redrawn in place on a terminal, a line per 10 % in a log. */
function progressPrinter(): (event: ProgressEvent) => void {
  const tty = process.stderr.isTTY;
  let lastShown = -1;
  return (event) => {
    if (event.stage === 'model') return void process.stderr.write(`model: ${event.message}\n`);
    if (event.stage === 'save') return void process.stderr.write((tty ? '\n' : '') + 'saving index…\n');
    const percent = event.total ? Math.floor((100 * event.done) / event.total) : 100;
    const label = event.stage === 'load' ? 'reading files' : 'embedding passages';
    if (tty) {
      const width = 30;
      const filled = Math.round((width * percent) / 100);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${event.done}/${event.total}`,
      );
      if (event.done === event.total) process.stderr.write('\n');
    } else if (Math.floor(percent / 10) !== Math.floor(lastShown / 10) || event.done === event.total) {
      process.stderr.write(`${label}: ${event.done}/${event.total}\n`);
    }
    lastShown = event.done === event.total ? -1 : percent;
  };
}

/**
 * An index folder for a corpus given on the command line: the default index/ belongs to the bot's
 * corpus, so another corpus gets its own folder beside it instead of overwriting the bot's.
 */
function indexDirFor(corpusDir: string, settings: Settings): string {
  if (path.resolve(corpusDir) === settings.CORPUS_DIR) return settings.INDEX_DIR;
  const abs = path.resolve(corpusDir);
  const slug =
    path
      .basename(abs)
      .replace(/[^\w-]+/g, '-')
      .slice(0, 40) || 'corpus';
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 8);
  return path.join(settings.INDEX_DIR, 'other-corpora', `${slug}-${hash}`);
}

function engineOptions(settings: Settings, values: { corpus?: string; index?: string; mode?: string }): EngineOptions {
  const mode = values.mode ?? settings.SEARCH_MODE;
  if (!['hybrid', 'lexical', 'vector'].includes(mode))
    throw new ConfigError(`--mode must be hybrid, lexical or vector (got "${mode}")`);
  const withMode = loadSettingsWith({ SEARCH_MODE: mode });
  const options = engineOptionsFromSettings(withMode);
  if (values.corpus) options.corpusDir = path.resolve(values.corpus);
  options.indexDir = values.index ? path.resolve(values.index) : indexDirFor(options.corpusDir, settings);
  return options;
}

function toJson(answer: Answer): string {
  return JSON.stringify({
    question: answer.question,
    answered: answer.answered,
    answer: answer.answered ? answer.excerpt : '',
    passages: answer.passages.map(({ passage, score }) => ({
      source: passage.source,
      title: passage.docTitle,
      section: passage.section,
      text: passage.text,
      score: Number(score.toFixed(6)),
    })),
    // Added after the fields above (the contract other tools read): why, where from, how understood.
    citation: answer.citation,
    reason: answer.reason ?? null,
    analysis: answer.analysis ?? null,
    ...(answer.similarity === undefined ? {} : { similarity: Number(answer.similarity.toFixed(4)) }),
  });
}

async function* questionsFrom(positional: string[]): AsyncGenerator<string> {
  if (positional.length > 0) {
    yield positional.join(' ');
    return;
  }
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) yield line;
}

async function main(argv: string[]): Promise<number> {
  // stdout is for results only: libraries that print with console.log must not corrupt `ask --json`.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  const [command, ...rest] = argv;
  if (!command || !['index', 'ask', 'chat'].includes(command)) {
    process.stderr.write(USAGE + '\n');
    return command ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      corpus: { type: 'string' },
      index: { type: 'string' },
      mode: { type: 'string' },
      k: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(USAGE + '\n');
    return 0;
  }
  const settings = loadSettings();
  setLogLevel(settings.LOG_LEVEL);
  setLogFormat(settings.LOG_FORMAT);
  showStacks = settings.LOG_LEVEL === 'debug';

  switch (command as Command) {
    case 'index': {
      const options = engineOptions(settings, values);
      const engine = await Engine.open(options, progressPrinter());
      // open() only rebuilds a stale index; `index` always reports on a fresh build.
      const summary = await engine.reload(progressPrinter());
      process.stderr.write(
        `Indexed ${summary.documents} documents, ${summary.passages} passages in ${summary.seconds.toFixed(1)} s` +
          ` (${summary.reusedEmbeddings} embeddings reused) into ${options.indexDir}\n`,
      );
      for (const s of summary.skipped) process.stderr.write(`  skipped ${s.source}: ${s.reason}\n`);
      return 0;
    }
    case 'ask': {
      const k = values.k === undefined ? undefined : Number(values.k);
      if (k !== undefined && (!Number.isInteger(k) || k < 1 || k > MAX_K))
        throw new ConfigError(`--k must be a whole number from 1 to ${MAX_K}`);
      const engine = await Engine.open(engineOptions(settings, values), progressPrinter());
      for await (const question of questionsFrom(positionals)) {
        if (!values.json && question.trim() === '') continue;
        const answer = await engine.ask(question, { k });
        process.stdout.write(
          (values.json ? toJson(answer) : renderAnswerPlain(answer, engine.status().documents)) + '\n',
        );
      }
      return 0;
    }
    case 'chat': {
      const engine = await Engine.open(engineOptions(settings, values), progressPrinter());
      const status = engine.status();
      process.stdout.write(
        `${status.documents.length} báo cáo, ${status.passages} đoạn. Gõ câu hỏi (Ctrl+D để thoát).\n`,
      );
      const lines = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
      lines.prompt();
      for await (const line of lines) {
        if (line.trim()) process.stdout.write(renderAnswerPlain(await engine.ask(line), status.documents) + '\n');
        lines.prompt();
      }
      return 0;
    }
  }
}

/** LOG_LEVEL=debug, once the settings are read: failures then print their stack trace too. */
let showStacks = false;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A user-facing failure is one readable line; a stack trace is only for LOG_LEVEL=debug.
    process.stderr.write(`error: ${describeError(error)}\n`);
    if (showStacks && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
