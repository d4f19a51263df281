// Several bot processes in webhook mode behind a round-robin HTTP proxy, sharing one PostgreSQL database,
// with the Bot API emulator in its own process. This harness plays Telegram's webhook side itself: it
// posts each user's updates, one after the other, to the proxy, and posts again on anything but 200 (as
// Telegram retries). Mid-run one process is SIGKILLed and started again on the same port. At the end every
// user's chat must hold exactly one reply per question.
// Then, optionally: one more user floods the bot with questions spread over the copies, which must count
// against one shared rate limit; and each user presses "Xem thêm" (or "Toàn văn đoạn") under a reply of
// theirs. Each copy talks to the emulator through its own tagged api root (`/c/copy<i>.<start>`), so the
// report tells which copy sent the pressed message and which answered the press: most presses reach
// another copy (or the restarted one), which must find the answer in the database. `--restart` restarts
// every copy before the presses, so that none can come from a copy's memory.
//
// Standalone: npx tsx test/cluster/multi-process.ts [--processes 3] [--users 300] [--questions 10]
//   [--kill-at 0.4 (2: no kill)] [--press] [--restart] [--flood 0] [--rate-limit 100000]
// (prints a JSON summary); test/cluster/multi-process.test.ts runs a small one.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rm } from 'node:fs/promises';
import { MSG } from '../../src/bot/messages.vi.js';
import { RemoteEmulator, type BurstReport } from '../emulator/remote.js';
import { makeCorpus, makeTempDir } from '../bot/helpers.js';
import { createQueueDatabase, probeServer, type QueueDatabase } from './pg-test-db.js';
import { freePort } from '../fixtures/free-port.js';
import { privateTextUpdate } from '../fixtures/telegram-update.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'multi-process-secret-0123456789';
const QUESTIONS = [
  'Mục tiêu thu ngân sách cuối năm của quận là bao nhiêu?',
  'Tong gia tri san xuat 6 thang dau nam tang bao nhieu?',
  'Phường Khuê Trung trồng mới bao nhiêu cây xanh năm 2019?',
  'Thời tiết Đà Nẵng ngày mai thế nào?',
  'Quận còn những hạn chế nào cần khắc phục?',
];
/** Chats of the users, and of the one who floods. */
const FIRST_CHAT = 3_000_000;
const FLOOD_CHAT = 4_000_000;

export interface MultiProcessOptions {
  processes: number;
  users: number;
  questionsPerUser: number;
  /** SIGKILL process 1 after this share of the updates was posted, and start it again (default 0.4). */
  killAt?: number;
  leaseSeconds?: number;
  /** RATE_LIMIT_PER_MINUTE of every copy (default 100000: no limit in the way). */
  rateLimitPerMinute?: number;
  /** After the questions, each user presses a button under a reply of theirs. */
  pressButtons?: boolean;
  /** Restart every copy before the presses. */
  restartBeforePress?: boolean;
  /** One more user sends this many questions at once, spread over the copies (default 0: none). */
  floodQuestions?: number;
}

export interface PressResult {
  /** Users who pressed (those with a reply carrying "Xem thêm" or "Toàn văn đoạn"). */
  pressed: number;
  /** Presses answered properly: the callback answered without a text, and the passage sent. */
  answered: number;
  /** Presses told "this answer expired". */
  expired: number;
  /** Presses answered by another copy than the one (or a start of it) that sent the message. */
  crossProcess: number;
  /** Presses after which the chat got one more message (the passages) within 30 s. */
  passagesSent: number;
  /** From the first press to the last passages. */
  seconds?: number;
}

export interface FloodResult {
  sent: number;
  /** Replies other than the notice. */
  answers: number;
  notices: number;
}

export interface MultiProcessResult {
  processes: number;
  questions: number;
  exactlyOnce: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  failedCalls: number;
  killed: boolean;
  /** Webhook posts that got no 200 and were posted again. */
  retriedPosts: number;
  replyMs: { p50: number; p95: number; p99: number };
  questionsPerSecond: number;
  seconds: number;
  presses?: PressResult;
  flood?: FloodResult;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Round-robin over the backends; a backend that refuses the connection is skipped for the next one. */
function roundRobinProxy(ports: number[]): http.Server {
  let next = 0;
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const port = ports[next++ % ports.length]!;
        const out = http.request(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
          (back) => {
            res.writeHead(back.statusCode ?? 502, back.headers);
            back.pipe(res);
          },
        );
        out.on('error', () =>
          tries + 1 < ports.length ? attempt(tries + 1) : res.headersSent || res.writeHead(502).end(),
        );
        out.end(body);
      };
      attempt(0);
    });
  });
}

async function waitHealthy(port: number, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`bot process on port ${port} exited (${child.exitCode})`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`bot process on port ${port} not healthy in time`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}

/** The bot processes, each on its own port, sharing the database and the emulator. */
class Copies {
  readonly children: (ChildProcess | null)[] = [];
  /** Starts of each copy so far, for the api-root tag. */
  private readonly starts: number[] = [];

  constructor(
    readonly ports: number[],
    private readonly env: Record<string, string | undefined>,
    private readonly dir: string,
  ) {}

  async start(i: number): Promise<void> {
    this.starts[i] = (this.starts[i] ?? 0) + 1;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')], {
      cwd: this.dir,
      stdio: ['ignore', 'ignore', process.env.MULTI_PROCESS_LOGS ? 'inherit' : 'ignore'],
      env: {
        ...this.env,
        TELEGRAM_API_ROOT: `${this.env.TELEGRAM_API_ROOT}/c/copy${i}.${this.starts[i]}`,
        WEBHOOK_PORT: String(this.ports[i]),
        INDEX_DIR: path.join(this.dir, `index-${i}`),
        STATS_FILE: path.join(this.dir, `index-${i}`, 'stats.json'),
      },
    });
    this.children[i] = child;
    await waitHealthy(this.ports[i]!, child);
  }

  startAll(): Promise<void> {
    return Promise.all(this.ports.map((_, i) => this.start(i))).then(() => undefined);
  }

  /** SIGTERM to every live copy; resolves when they have exited. */
  async stopAll(): Promise<void> {
    const live = this.children.filter((c): c is ChildProcess => c !== null && c.exitCode === null);
    const exited = live.map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const c of live) c.kill('SIGTERM');
    await Promise.all(exited);
  }
}

/** Posts one update to the webhook as Telegram does: again, after 200 ms, until it gets a 200. */
async function postUpdate(proxyPort: number, update: unknown): Promise<number> {
  let retries = 0;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${proxyPort}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify(update),
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return retries;
    retries++;
    await sleep(200);
  }
}

/** Telegram numbers updates in the order they arrive. */
let nextUpdateId = 500_000_001;

function textUpdate(chat: number, text: string) {
  return privateTextUpdate(nextUpdateId++, chat, text);
}

/** Exactly-once accounting and reply latencies of the question phase. */
function countReplies(sentAt: Map<number, number[]>, report: BurstReport, questionsPerUser: number) {
  const byChat = new Map<number, { at: number; text: string }[]>();
  for (const s of report.sends) byChat.set(s.chat, [...(byChat.get(s.chat) ?? []), s]);
  let exactlyOnce = 0;
  let missing = 0;
  let duplicates = 0;
  const latencies: number[] = [];
  for (const [chat, times] of sentAt) {
    const sends = byChat.get(chat) ?? [];
    const n = questionsPerUser;
    if (sends.length === n) exactlyOnce += n;
    else if (sends.length < n) {
      missing += n - sends.length;
      exactlyOnce += sends.length;
    } else {
      duplicates += sends.length - n;
      exactlyOnce += n - (sends.length - n);
    }
    times.forEach((t, i) => {
      if (sends[i]) latencies.push(sends[i]!.at - t);
    });
  }
  latencies.sort((a, b) => a - b);
  const replyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
  return { exactlyOnce, missing, duplicates, replyMs };
}

/**
 * Each user presses "Xem thêm" (or, without it, "Toàn văn đoạn") under their newest reply that has one;
 * a press is answered properly when the callback gets no text and the chat one more message.
 */
async function pressButtons(emu: RemoteEmulator, proxyPort: number, users: number): Promise<PressResult> {
  const sends = (await emu.report()).sends;
  let pressed = 0;
  let passagesSent = 0;
  await Promise.all(
    Array.from({ length: users }, async (_, u) => {
      const chat = FIRST_CHAT + u;
      const before = sends.filter((s) => s.chat === chat).length;
      const query = await emu.press({ id: chat, first_name: 'A' }, chat, ['more:', 'full:']);
      if (!query) return;
      pressed++;
      await postUpdate(proxyPort, { update_id: nextUpdateId++, callback_query: query });
      if ((await emu.waitForMessages([chat], before + 1, 30_000)).ok) passagesSent++;
    }),
  );
  const answers = ((await emu.report()).callbackAnswers ?? []).filter((a) => a.chat !== null);
  return {
    pressed,
    answered: answers.filter((a) => a.text === null).length,
    expired: answers.filter((a) => a.text === MSG.callbackExpired).length,
    crossProcess: answers.filter((a) => a.answeredBy !== a.sentBy).length,
    passagesSent,
  };
}

/** Resolves when every stored update has been handled (the copies have nothing left to do). */
async function queueDrained(db: QueueDatabase, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const open = async () =>
    Number((await db.pool.query('SELECT count(*) AS n FROM bot_updates WHERE done_at IS NULL')).rows[0].n);
  while ((await open()) > 0) {
    if (Date.now() > end) throw new Error('the copies did not finish the stored updates in time');
    await sleep(50);
  }
}

/** One user sends `count` questions without waiting for replies; the posts go round the copies. */
async function flood(
  emu: RemoteEmulator,
  db: QueueDatabase,
  proxyPort: number,
  count: number,
  limit: number,
): Promise<FloodResult> {
  for (let q = 0; q < count; q++) await postUpdate(proxyPort, textUpdate(FLOOD_CHAT, QUESTIONS[q % 3]!));
  await queueDrained(db);
  const sends = (await emu.report()).sends.filter((s) => s.chat === FLOOD_CHAT);
  const notices = sends.filter((s) => s.text === MSG.rateLimited(limit)).length;
  return { sent: count, answers: sends.length - notices, notices };
}

export async function runMultiProcess(options: MultiProcessOptions): Promise<MultiProcessResult | { skipped: string }> {
  const server = await probeServer();
  if (!server.available) return { skipped: server.reason };
  const db = await createQueueDatabase('mp');
  const emu = await RemoteEmulator.spawn();
  const dir = await makeTempDir('multi-process-');
  const corpus = await makeCorpus(dir);
  const ports = await Promise.all(Array.from({ length: options.processes }, () => freePort()));
  const rateLimit = options.rateLimitPerMinute ?? 100_000;
  const copies = new Copies(
    ports,
    {
      PATH: process.env.PATH,
      TELEGRAM_BOT_TOKEN: emu.token,
      TELEGRAM_API_ROOT: emu.apiRoot,
      WEBHOOK_URL: 'https://bot.example.test/hook',
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: db.url,
      UPDATE_LEASE_SECONDS: String(options.leaseSeconds ?? 3),
      CORPUS_DIR: corpus,
      SEARCH_MODE: 'lexical',
      RATE_LIMIT_PER_MINUTE: String(rateLimit),
      LOG_LEVEL: 'warn',
    },
    dir,
  );
  const proxy = roundRobinProxy(ports);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const proxyPort = (proxy.address() as { port: number }).port;
  try {
    await copies.startAll();
    const asked = await askQuestions(options, copies, emu, proxyPort);
    const report = await emu.report();
    const flooded = options.floodQuestions
      ? await flood(emu, db, proxyPort, options.floodQuestions, rateLimit)
      : undefined;
    let presses: PressResult | undefined;
    if (options.pressButtons) {
      if (options.restartBeforePress) {
        await copies.stopAll();
        await copies.startAll();
      }
      const pressStarted = performance.now();
      presses = await pressButtons(emu, proxyPort, options.users);
      presses.seconds = Math.round((performance.now() - pressStarted) / 100) / 10;
    }
    return {
      processes: options.processes,
      questions: asked.total,
      ...countReplies(asked.sentAt, report, options.questionsPerUser),
      outOfOrder: 0,
      failedCalls: (await emu.report()).failedCalls,
      killed: asked.killed,
      retriedPosts: asked.retriedPosts,
      questionsPerSecond: Math.round(asked.total / asked.seconds),
      seconds: Math.round(asked.seconds * 10) / 10,
      ...(presses ? { presses } : {}),
      ...(flooded ? { flood: flooded } : {}),
    };
  } finally {
    await copies.stopAll();
    proxy.close();
    await emu.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Users arriving over one second each ask their questions, reading each reply before the next. */
async function askQuestions(options: MultiProcessOptions, copies: Copies, emu: RemoteEmulator, proxyPort: number) {
  const total = options.users * options.questionsPerUser;
  let posted = 0;
  let retriedPosts = 0;
  let killed = false;
  let restart: Promise<void> | null = null;
  const sentAt = new Map<number, number[]>();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.users }, async (_, u) => {
      const chat = FIRST_CHAT + u;
      await sleep((u * 1000) / options.users);
      for (let q = 0; q < options.questionsPerUser; q++) {
        const update = textUpdate(chat, QUESTIONS[(u + q) % QUESTIONS.length]!);
        sentAt.set(chat, [...(sentAt.get(chat) ?? []), Date.now()]);
        retriedPosts += await postUpdate(proxyPort, update);
        posted++;
        if (!killed && posted >= total * (options.killAt ?? 0.4) && options.processes > 1) {
          killed = true;
          copies.children[1]!.kill('SIGKILL');
          restart = sleep(500).then(() => copies.start(1));
        }
        await emu.waitForMessages([chat], q + 1, 120_000);
      }
    }),
  );
  await restart;
  const seconds = (performance.now() - started) / 1000;
  await sleep(1000); // late duplicates
  return { total, sentAt, killed, retriedPosts, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      processes: { type: 'string', default: '3' },
      users: { type: 'string', default: '300' },
      questions: { type: 'string', default: '10' },
      'kill-at': { type: 'string', default: '0.4' },
      press: { type: 'boolean', default: false },
      restart: { type: 'boolean', default: false },
      flood: { type: 'string', default: '0' },
      'rate-limit': { type: 'string', default: '100000' },
    },
  });
  runMultiProcess({
    processes: Number(values.processes),
    users: Number(values.users),
    questionsPerUser: Number(values.questions),
    killAt: Number(values['kill-at']),
    pressButtons: values.press,
    restartBeforePress: values.restart,
    floodQuestions: Number(values.flood),
    rateLimitPerMinute: Number(values['rate-limit']),
  }).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error: unknown) => {
      process.stderr.write(`multi-process run failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
