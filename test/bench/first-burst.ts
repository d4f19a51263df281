// The opening burst: N citizens (default 200) each send their first question in the same instant to a
// freshly started bot (polling, the real start-up path, the real lexical Engine). Reports, per question,
// the time from the emulator queueing it to the bot's sendMessage reaching the emulator, measured in the
// emulator's process: p50/p95/p99/max, how many questions got exactly one reply, and how long the first
// "typing…" took.
//
// --emulator process (default): the Bot API emulator runs in its own process (test/emulator/serve.ts),
//   as Telegram is another machine. --emulator in-process: the emulator shares the bot's event loop, as
//   the soak and bot-load benches do; this is what showed the ~25 s opening stall.
// --no-warm-up: skip the engine warm-up before taking updates.
// --mode webhook: the bot in webhook mode with DATABASE_URL (a fresh PostgreSQL database on the test
//   server): the durable update queue, the record, the shared answers and the central index in the
//   database, as copies behind a load balancer run. The emulator delivers the burst to the webhook as
//   Telegram does (40 connections, each update POSTed until it gets a 200). Default: polling.
// --questions distinct (default): every user asks a different question (the corpus's questions, then
//   phrasings of them: a polite prefix, without diacritics, ...), none of them asked by the warm-up, so
//   that the engine's answer memo cannot carry the burst. --questions repeated: user u asks question
//   u mod n of the question file (34 or 100 distinct), as a burst of /start example buttons would.
//
// Standalone: npx tsx test/bench/first-burst.ts [--users 200] [--emulator process|in-process] [--no-warm-up]
//   [--corpus project|alqac] [--questions distinct|repeated] [--mode polling|webhook]
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../../src/log.js';
import { startBot } from '../../src/bot/start.js';
import { BotApiEmulator, type EmulatedUser } from '../emulator/bot-api-emulator.js';
import { RemoteEmulator, type BurstReport } from '../emulator/remote.js';
import { testSettings } from '../bot/helpers.js';
import { warmUpQuestions } from '../../src/bot/warm-up.js';
import { DEFAULT_EXAMPLE_QUESTIONS } from '../../src/bot/messages.vi.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { createTestDatabase } from '../fixtures/postgres.js';
import { freePort } from '../fixtures/free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ALQAC_DIR = path.resolve(ROOT, '..', 'shared', 'benchmarks', 'alqac2023');

export interface FirstBurstOptions {
  users: number;
  emulator?: 'process' | 'in-process';
  warmUp?: boolean;
  corpus?: 'alqac' | 'project';
  replyTimeoutMs?: number;
  questions?: 'distinct' | 'repeated';
  mode?: 'polling' | 'webhook';
}

export interface FirstBurstResult {
  users: number;
  emulator: 'process' | 'in-process';
  warmUp: boolean;
  corpus: 'alqac' | 'project';
  questions: 'distinct' | 'repeated';
  mode: 'polling' | 'webhook';
  /** Webhook mode: POSTs the emulator repeated because the bot did not answer 200. */
  retriedPosts?: number;
  /** How many different question texts the burst asked. */
  distinctQuestions: number;
  /** Questions that got exactly one reply; questions with none; replies beyond one per question. */
  answeredOnce: number;
  missing: number;
  duplicates: number;
  failedCalls: number;
  replyMs: { p50: number; p95: number; p99: number; max: number };
  firstTypingMs: { p50: number; p99: number };
  seconds: number;
  /** CPU time the bot's process (this one) used from the burst to the last reply, user + system. */
  botCpuMs: number;
  /** The machine's 1-minute load average when the burst started: above 2 on 2 cores, others were busy. */
  loadAverage: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}

async function questionsFor(corpus: 'alqac' | 'project'): Promise<string[]> {
  const file =
    corpus === 'alqac'
      ? path.join(ALQAC_DIR, 'questions-train.jsonl')
      : path.join(ROOT, 'test', 'eval', 'seed-questions.jsonl');
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => String((JSON.parse(line) as { question: string }).question));
}

/** Re-phrasings of a question that a citizen might send; each is a different text for the answer memo. */
const PHRASINGS: ((q: string) => string)[] = [
  (q) => q,
  (q) => `Cho tôi hỏi: ${q}`,
  (q) => foldDiacritics(q),
  (q) => `Xin hỏi, ${q.charAt(0).toLowerCase()}${q.slice(1)}`,
  (q) => `${q} Xin cảm ơn.`,
  (q) => foldDiacritics(`Cho hỏi ${q}`).toLowerCase(),
  (q) => `${q.replace(/[?.!]+\s*$/u, '')} ạ?`,
  (q) => `Tôi muốn biết: ${foldDiacritics(q)}`,
];

/**
 * `count` different questions, none in `avoid` (what the warm-up asked): each of `base` as it is, then
 * each in the next phrasing, and so on.
 */
export function distinctQuestions(base: readonly string[], count: number, avoid: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const phrase of PHRASINGS) {
    for (const q of base) {
      const text = phrase(q).trim();
      if (!avoid.has(text)) out.add(text);
      if (out.size === count) return [...out];
    }
  }
  throw new Error(`only ${out.size} distinct questions from ${base.length}; ${count} wanted`);
}

/** The report's figures, shared by the bench and test/bot/first-burst.test.ts. */
export function summarise(
  report: BurstReport,
  users: number,
): Omit<
  FirstBurstResult,
  | 'users'
  | 'emulator'
  | 'warmUp'
  | 'corpus'
  | 'questions'
  | 'mode'
  | 'retriedPosts'
  | 'distinctQuestions'
  | 'seconds'
  | 'botCpuMs'
  | 'loadAverage'
> {
  const byChat = new Map<number, number[]>();
  for (const s of report.sends) byChat.set(s.chat, [...(byChat.get(s.chat) ?? []), s.at]);
  const latencies: number[] = [];
  const typing: number[] = [];
  let answeredOnce = 0;
  let missing = 0;
  let duplicates = 0;
  for (const q of report.queued) {
    const sends = byChat.get(q.chat) ?? [];
    if (sends.length === 0) missing++;
    else {
      if (sends.length === 1) answeredOnce++;
      duplicates += sends.length - 1;
      latencies.push(sends[0]! - q.queuedAt);
    }
    const action = report.actions.find((a) => a.chat === q.chat);
    if (action) typing.push(action.at - q.queuedAt);
  }
  latencies.sort((a, b) => a - b);
  typing.sort((a, b) => a - b);
  void users;
  return {
    answeredOnce,
    missing,
    duplicates,
    failedCalls: report.failedCalls,
    replyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: Math.round(latencies.at(-1) ?? 0),
    },
    firstTypingMs: { p50: percentile(typing, 50), p99: percentile(typing, 99) },
  };
}

/** The in-process emulator behind the same small interface as RemoteEmulator. */
class LocalEmulator {
  private readonly queued: BurstReport['queued'] = [];
  constructor(private readonly emu: BotApiEmulator) {}
  get apiRoot() {
    return this.emu.apiRoot;
  }
  get token() {
    return this.emu.token;
  }
  async burst(messages: { from: EmulatedUser; text: string }[]) {
    const at = Date.now();
    for (const m of messages)
      this.queued.push({ updateId: this.emu.sendText(m.from, m.text), chat: m.from.id, text: m.text, queuedAt: at });
    return { queuedAt: at };
  }
  async waitForMessages(chats: number[], count: number, timeoutMs: number) {
    try {
      await this.emu.waitFor(() => chats.every((c) => this.emu.messagesTo(c).length >= count), timeoutMs);
      return { ok: true };
    } catch {
      return { ok: false };
    }
  }
  async report(): Promise<BurstReport> {
    return {
      queued: this.queued,
      sends: this.emu
        .callsOf('sendMessage')
        .map((c) => ({ chat: Number(c.params.chat_id), at: c.at, text: String(c.params.text) })),
      actions: this.emu.callsOf('sendChatAction').map((c) => ({ chat: Number(c.params.chat_id), at: c.at })),
      failedCalls: this.emu.failedCalls().length,
      pendingUpdates: this.emu.pendingUpdateCount(),
    };
  }
  stop() {
    return this.emu.stop();
  }
}

export async function benchFirstBurst(options: FirstBurstOptions): Promise<FirstBurstResult> {
  const corpus = options.corpus ?? (existsSync(path.join(ALQAC_DIR, 'corpus')) ? 'alqac' : 'project');
  const mode = options.emulator ?? 'process';
  const warmUp = options.warmUp ?? true;
  const questions = await questionsFor(corpus);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'first-burst-'));
  await cp(corpus === 'alqac' ? path.join(ALQAC_DIR, 'corpus') : path.join(ROOT, 'corpus'), path.join(dir, 'corpus'), {
    recursive: true,
  });
  setLogLevel((process.env.FIRST_BURST_LOG_LEVEL as 'info' | undefined) ?? 'warn');
  const webhook = options.mode === 'webhook' ? await webhookSettings() : null;
  const emu =
    mode === 'process' || webhook ? await RemoteEmulator.spawn() : new LocalEmulator(await BotApiEmulator.start());
  const settings = testSettings(dir, emu, {
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: process.env.FIRST_BURST_LOG_LEVEL ?? 'warn',
    ...webhook?.env,
  });
  const handle = await startBot(settings, { pollingTimeoutSeconds: 10, warmUp });
  const which = options.questions ?? 'distinct';
  const warmed = new Set(
    warmUpQuestions(
      settings.EXAMPLE_QUESTIONS ?? DEFAULT_EXAMPLE_QUESTIONS,
      handle.engine.status().documents.map((d) => d.title),
    ),
  );
  const asked =
    which === 'distinct'
      ? distinctQuestions(questions, options.users, warmed)
      : Array.from({ length: options.users }, (_, u) => questions[u % questions.length]!);
  // FIRST_BURST_PROFILE=file.cpuprofile: a CPU profile of the bot's process during the burst only.
  const profiler = process.env.FIRST_BURST_PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await new Promise<void>((resolve) =>
      profiler.post('Profiler.enable', () => profiler.post('Profiler.start', () => resolve())),
    );
  }
  // The control client (Node's fetch) shares the bot's process: its cold first calls (~0.3 s of CPU in a
  // profile of the burst) were counted as the bot's and delayed its first answers. Warm it first.
  for (let i = 0; i < 5; i++) await emu.waitForMessages([], 0, 1000);
  const loadAverage = Math.round(os.loadavg()[0]! * 100) / 100;
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const users = Array.from(
      { length: options.users },
      (_, u): EmulatedUser => ({ id: 700_000 + u, first_name: `User ${u}` }),
    );
    const messages = users.map((from, u) => ({ from, text: asked[u]! }));
    let retriedPosts: number | undefined;
    if (webhook) {
      const url = `http://127.0.0.1:${handle.webhookPort}${new URL(webhook.env.WEBHOOK_URL).pathname}`;
      ({ retriedPosts } = await (emu as RemoteEmulator).webhookBurst(url, webhook.env.WEBHOOK_SECRET, messages));
    } else {
      await emu.burst(messages);
    }
    await emu.waitForMessages(
      users.map((u) => u.id),
      1,
      options.replyTimeoutMs ?? 60_000,
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const botCpuMs = Math.round((used.user + used.system) / 1000);
    if (profiler) {
      const profile = await new Promise<unknown>((resolve, reject) =>
        profiler.post('Profiler.stop', (error, result) => (error ? reject(error) : resolve(result.profile))),
      );
      await writeFile(process.env.FIRST_BURST_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    // A moment for a duplicate, if any, to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await emu.report();
    // FIRST_BURST_REPORT=file.json: the emulator's raw report (queued, sends, chat actions) for a timeline.
    if (process.env.FIRST_BURST_REPORT) await writeFile(process.env.FIRST_BURST_REPORT, JSON.stringify(report));
    return {
      users: options.users,
      emulator: mode,
      warmUp,
      corpus,
      questions: which,
      mode: webhook ? 'webhook' : 'polling',
      ...(retriedPosts === undefined ? {} : { retriedPosts }),
      distinctQuestions: new Set(asked).size,
      ...summarise(report, options.users),
      seconds: Math.round(seconds * 100) / 100,
      botCpuMs,
      loadAverage,
    };
  } finally {
    await handle.stop();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
    await webhook?.database.drop();
  }
}

/** Webhook mode's settings: a fresh database on the test server for the queue, the record and the index. */
async function webhookSettings() {
  const database = await createTestDatabase('burst');
  const env = {
    WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
    WEBHOOK_SECRET: 'first-burst-webhook-secret-0123456789',
    WEBHOOK_PORT: String(await freePort()),
    DATABASE_URL: database.url,
  };
  return { database, env };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '200' },
      emulator: { type: 'string', default: 'process' },
      'no-warm-up': { type: 'boolean', default: false },
      corpus: { type: 'string' },
      questions: { type: 'string', default: 'distinct' },
      mode: { type: 'string', default: 'polling' },
    },
  });
  benchFirstBurst({
    users: Number(values.users),
    emulator: values.emulator === 'in-process' ? 'in-process' : 'process',
    warmUp: !values['no-warm-up'],
    corpus: values.corpus as 'alqac' | 'project' | undefined,
    questions: values.questions === 'repeated' ? 'repeated' : 'distinct',
    mode: values.mode === 'webhook' ? 'webhook' : 'polling',
  }).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error: unknown) => {
      process.stderr.write(`first-burst failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
