// Several bot processes in webhook mode behind a round-robin HTTP proxy, sharing one PostgreSQL database,
// with the Bot API emulator in its own process. This harness plays Telegram's webhook side itself: it
// posts each user's updates, one after the other, to the proxy, and posts again on anything but 200 (as
// Telegram retries). Mid-run one process is SIGKILLed and started again on the same port. At the end every
// user's chat must hold exactly one reply per question. Half-way a report is added and an admin sends /reload
// (to whichever process the proxy picks): one process builds, its summary reaches the admin's chat while the
// citizens are being answered, and every process serves the new report at the end.
// Then, optionally: one more user floods the bot with questions spread over the copies, which must count
// against one shared rate limit; and each user presses "Xem thêm" (or "Toàn văn đoạn") under a reply of
// theirs. Each copy talks to the emulator through its own tagged api root (`/c/copy<i>.<start>`), so the
// report tells which copy sent the pressed message and which answered the press: most presses reach
// another copy (or the restarted one), which must find the answer in the database. `--restart` restarts
// every copy before the presses, so that none can come from a copy's memory.
//
// Standalone: npx tsx test/cluster/multi-process.ts [--processes 3] [--users 300] [--questions 10] [--kill-at 0.4 (2: no kill)]
//   [--reload-at 0.5 (2: no /reload)] [--arrival-ms 1000 (0: every user's first question at once)]
//   [--press] [--restart] [--flood 0] [--rate-limit 100000]
// (prints a JSON summary); test/cluster/multi-process.test.ts runs a small one.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rm, writeFile } from 'node:fs/promises';
import { MSG } from '../../src/bot/messages.vi.js';
import { RemoteEmulator } from '../emulator/remote.js';
import { UpdateQueue } from '../../src/cluster/update-queue.js';
import { makeCorpus, makeTempDir } from '../bot/helpers.js';
import { createQueueDatabase, probeServer, type QueueDatabase } from './pg-test-db.js';
import { freePort } from '../fixtures/free-port.js';
import { textUpdate } from '../fixtures/text-update.js';
import { BUDGET_QUESTION } from '../fixtures/seed-report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'multi-process-secret-0123456789';
const ADMIN_CHAT = 2_999_999;
/** Chats of the users, and of the one who floods. */
const FIRST_CHAT = 3_000_000;
const FLOOD_CHAT = 4_000_000;
/** The start of MSG.reloadDone: the reload finished and its result reached the admin. */
const RELOAD_DONE = 'Đã nạp lại xong';
const QUESTIONS = [
  BUDGET_QUESTION,
  'Tong gia tri san xuat 6 thang dau nam tang bao nhieu?',
  'Phường Khuê Trung trồng mới bao nhiêu cây xanh năm 2019?',
  'Thời tiết Đà Nẵng ngày mai thế nào?',
  'Quận còn những hạn chế nào cần khắc phục?',
];

export interface MultiProcessOptions {
  processes: number;
  users: number;
  questionsPerUser: number;
  /** SIGKILL process 1 after this share of the updates was posted, and start it again (default 0.4). */
  killAt?: number;
  /** An admin sends /reload after this share of the updates was posted (default 0.5; above 1: never). */
  reloadAt?: number;
  leaseSeconds?: number;
  /** RATE_LIMIT_PER_MINUTE of every copy (default 100000: no limit in the way). */
  rateLimitPerMinute?: number;
  /** After the questions, each user presses a button under a reply of theirs. */
  pressButtons?: boolean;
  /** Restart every copy before the presses. */
  restartBeforePress?: boolean;
  /** One more user sends this many questions at once, spread over the copies (default 0: none). */
  floodQuestions?: number;
  /** Users' first questions are spread over this time (default 1000 ms; 0: all at once, a burst). */
  arrivalMs?: number;
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
  /**
   * Replies sent again because a run was stopped (SIGKILL) while sending one (UpdateQueue
   * interruptedReplies): the most duplicates the kill can explain.
   */
  interruptedReplies: number;
  outOfOrder: number;
  failedCalls: number;
  killed: boolean;
  /** The admin's mid-run /reload, when one was sent. */
  reload?: MidRunReload;
  presses?: PressResult;
  flood?: FloodResult;
  /** Webhook posts that got no 200 and were posted again. */
  retriedPosts: number;
  replyMs: { p50: number; p95: number; p99: number };
  questionsPerSecond: number;
  seconds: number;
  /** The machine's 1-minute load average at the start: above 2 on 2 cores, others were busy too. */
  loadAverage: number;
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

/** Posts one update to the webhook behind the proxy until it is stored (200), as Telegram retries; returns the retries. */
async function postUntilStored(proxyPort: number, update: unknown): Promise<number> {
  for (let retries = 0; ; retries++) {
    const status = await fetch(`http://127.0.0.1:${proxyPort}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify(update),
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return retries;
    await sleep(200);
  }
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

/** What the mid-run /reload gave. */
export interface MidRunReload {
  /** Its result ("Đã nạp lại xong") reached the admin's chat. */
  replied: boolean;
  /** Documents served by each process just before the report was added. */
  before: number[];
  /** Documents served by each process, read from /healthz once all serve the same number (or after 30 s). */
  documents: number[];
}

/** Adds a report to the corpus folder and posts /reload from the admin; returns what each process served before. */
async function addReportAndReload(corpus: string, ports: number[], proxyPort: number, id: number) {
  const before = await documentsServed(ports); // process 1 may be restarting: waits for it
  await writeFile(
    path.join(corpus, 'bao-cao-giua-lan-chay.txt'),
    '---\ntitle: Báo cáo bổ sung giữa lần chạy\n---\nQuận lắp thêm 40 camera giao thông trong năm 2020.\n',
  );
  const retries = await postUntilStored(proxyPort, textUpdate(id, ADMIN_CHAT, '/reload'));
  return { before, retries };
}

/** The documents each process serves (-1: not answering), once they agree (or after 30 s, as they are then). */
async function documentsServed(ports: number[]): Promise<number[]> {
  const documentsOf = (port: number) =>
    fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.json() as Promise<{ index?: { documents?: number } }>)
      .then((health) => health.index?.documents ?? -1)
      .catch(() => -1);
  const end = Date.now() + 30_000;
  let documents = await Promise.all(ports.map(documentsOf));
  while ((new Set(documents).size > 1 || documents.includes(-1)) && Date.now() < end) {
    await sleep(200);
    documents = await Promise.all(ports.map(documentsOf));
  }
  return documents;
}

/**
 * Per chat, the replies against the questions asked: answered exactly once, missing, duplicates, and each
 * question's latency (its reply's arrival at the emulator minus its post) as p50/p95/p99.
 */
function tally(sentAt: Map<number, number[]>, sends: { chat: number; at: number }[], perUser: number) {
  const byChat = new Map<number, { at: number }[]>();
  for (const s of sends) byChat.set(s.chat, [...(byChat.get(s.chat) ?? []), s]);
  let exactlyOnce = 0;
  let missing = 0;
  let duplicates = 0;
  const latencies: number[] = [];
  for (const [chat, times] of sentAt) {
    const replies = byChat.get(chat) ?? [];
    if (replies.length === perUser) exactlyOnce += perUser;
    else if (replies.length < perUser) {
      missing += perUser - replies.length;
      exactlyOnce += replies.length;
    } else {
      duplicates += replies.length - perUser;
      exactlyOnce += perUser - (replies.length - perUser);
    }
    times.forEach((t, i) => {
      if (replies[i]) latencies.push(replies[i]!.at - t);
    });
  }
  latencies.sort((a, b) => a - b);
  const replyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
  return { exactlyOnce, missing, duplicates, replyMs };
}

/** SIGTERM to the bot processes still running; resolves when they have exited. */
async function stopAll(children: (ChildProcess | null)[]): Promise<void> {
  const running = children.filter((c): c is ChildProcess => c !== null && c.exitCode === null);
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(running.map((c) => new Promise((resolve) => c.once('exit', resolve))));
}

/** Telegram numbers updates in the order they arrive. */
let nextUpdateId = 500_000_001;

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
      await postUntilStored(proxyPort, { update_id: nextUpdateId++, callback_query: query });
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
  for (let q = 0; q < count; q++)
    await postUntilStored(proxyPort, textUpdate(nextUpdateId++, FLOOD_CHAT, QUESTIONS[q % 3]!));
  await queueDrained(db);
  const sends = (await emu.report()).sends.filter((s) => s.chat === FLOOD_CHAT);
  const notices = sends.filter((s) => s.text === MSG.rateLimited(limit)).length;
  return { sent: count, answers: sends.length - notices, notices };
}

/** One bot process (`src/main.ts`) in webhook mode on `port`, with its own index folder. */
function spawnBot(
  i: number,
  port: number,
  with_: {
    dir: string;
    corpus: string;
    databaseUrl: string;
    emu: RemoteEmulator;
    leaseSeconds?: number;
    rateLimitPerMinute: number;
    /** How many times copy i was started, this one included: tags its api root for the emulator. */
    start: number;
  },
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')], {
    cwd: with_.dir,
    stdio: ['ignore', 'ignore', process.env.MULTI_PROCESS_LOGS ? 'inherit' : 'ignore'],
    env: {
      PATH: process.env.PATH,
      TELEGRAM_BOT_TOKEN: with_.emu.token,
      TELEGRAM_API_ROOT: `${with_.emu.apiRoot}/c/copy${i}.${with_.start}`,
      WEBHOOK_URL: 'https://bot.example.test/hook',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_PORT: String(port),
      ADMIN_IDS: String(ADMIN_CHAT),
      INDEX_POLL_SECONDS: '2',
      DATABASE_URL: with_.databaseUrl,
      UPDATE_LEASE_SECONDS: String(with_.leaseSeconds ?? 3),
      CORPUS_DIR: with_.corpus,
      INDEX_DIR: path.join(with_.dir, `index-${i}`),
      STATS_FILE: path.join(with_.dir, `index-${i}`, 'stats.json'),
      SEARCH_MODE: 'lexical',
      RATE_LIMIT_PER_MINUTE: String(with_.rateLimitPerMinute),
      LOG_LEVEL: 'warn',
    },
  });
}

export async function runMultiProcess(options: MultiProcessOptions): Promise<MultiProcessResult | { skipped: string }> {
  const server = await probeServer();
  if (!server.available) return { skipped: server.reason };
  const db = await createQueueDatabase('mp');
  const emu = await RemoteEmulator.spawn();
  const dir = await makeTempDir('multi-process-');
  const corpus = await makeCorpus(dir);
  const ports = await Promise.all(Array.from({ length: options.processes }, () => freePort()));
  const children: (ChildProcess | null)[] = [];
  const starts: number[] = [];
  const rateLimitPerMinute = options.rateLimitPerMinute ?? 100_000;
  const start = async (i: number) => {
    starts[i] = (starts[i] ?? 0) + 1;
    const { leaseSeconds } = options;
    const child = spawnBot(i, ports[i]!, {
      dir,
      corpus,
      databaseUrl: db.url,
      emu,
      leaseSeconds,
      rateLimitPerMinute,
      start: starts[i],
    });
    children[i] = child;
    await waitHealthy(ports[i]!, child);
  };
  const proxy = roundRobinProxy(ports);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  const proxyPort = (proxy.address() as { port: number }).port;
  try {
    await Promise.all(ports.map((_, i) => start(i)));
    const total = options.users * options.questionsPerUser;
    let posted = 0;
    let retriedPosts = 0;
    let killed = false;
    let restart: Promise<void> | null = null;
    let reload: ReturnType<typeof addReportAndReload> | null = null;
    const sentAt = new Map<number, number[]>();
    const loadAverage = Math.round(os.loadavg()[0]! * 100) / 100;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.users }, async (_, u) => {
        const chat = FIRST_CHAT + u;
        await sleep((u * (options.arrivalMs ?? 1000)) / options.users);
        for (let q = 0; q < options.questionsPerUser; q++) {
          // Telegram numbers updates in the order they arrive.
          const update = textUpdate(nextUpdateId++, chat, QUESTIONS[(u + q) % QUESTIONS.length]!);
          sentAt.set(chat, [...(sentAt.get(chat) ?? []), Date.now()]);
          retriedPosts += await postUntilStored(proxyPort, update);
          posted++;
          if (!killed && posted >= total * (options.killAt ?? 0.4) && options.processes > 1) {
            killed = true;
            children[1]!.kill('SIGKILL');
            restart = sleep(500).then(() => start(1));
          }
          if (!reload && posted >= total * (options.reloadAt ?? 0.5))
            reload = addReportAndReload(corpus, ports, proxyPort, nextUpdateId++);
          // A person reads the answer before asking again.
          await emu.waitForMessages([chat], q + 1, 120_000);
        }
      }),
    );
    await restart;
    const seconds = (performance.now() - started) / 1000;
    // Assigned in the users' callbacks, which the compiler does not follow.
    const reloaded = await (reload as ReturnType<typeof addReportAndReload> | null);
    if (reloaded) {
      retriedPosts += reloaded.retries;
      // The reload's status message, then its result.
      await emu.waitForMessages([ADMIN_CHAT], 2, 120_000);
    }
    await sleep(1000); // late duplicates
    const report = await emu.report();
    const interruptedReplies = await new UpdateQueue(db.pool).interruptedReplies();
    const flooded = options.floodQuestions
      ? await flood(emu, db, proxyPort, options.floodQuestions, rateLimitPerMinute)
      : undefined;
    let presses: PressResult | undefined;
    if (options.pressButtons) {
      if (options.restartBeforePress) {
        await stopAll(children);
        await Promise.all(ports.map((_, i) => start(i)));
      }
      const pressStarted = performance.now();
      presses = await pressButtons(emu, proxyPort, options.users);
      presses.seconds = Math.round((performance.now() - pressStarted) / 100) / 10;
    }
    return {
      processes: options.processes,
      questions: total,
      ...tally(sentAt, report.sends, options.questionsPerUser),
      interruptedReplies,
      outOfOrder: 0,
      failedCalls: report.failedCalls,
      killed,
      ...(reloaded && {
        reload: {
          replied: report.sends.some((s) => s.chat === ADMIN_CHAT && s.text.includes(RELOAD_DONE)),
          before: reloaded.before,
          documents: await documentsServed(ports),
        },
      }),
      retriedPosts,
      questionsPerSecond: Math.round(total / seconds),
      seconds: Math.round(seconds * 10) / 10,
      loadAverage,
      ...(presses ? { presses } : {}),
      ...(flooded ? { flood: flooded } : {}),
    };
  } finally {
    await stopAll(children);
    proxy.close();
    await emu.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      processes: { type: 'string', default: '3' },
      users: { type: 'string', default: '300' },
      questions: { type: 'string', default: '10' },
      'kill-at': { type: 'string', default: '0.4' },
      'reload-at': { type: 'string', default: '0.5' },
      'arrival-ms': { type: 'string', default: '1000' },
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
    reloadAt: Number(values['reload-at']),
    arrivalMs: Number(values['arrival-ms']),
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
