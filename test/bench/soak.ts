// Soak test of the whole bot: the real start-up path, the real Engine (lexical) on the repository's corpus
// plus two extra reports, the Bot API emulator in place of Telegram, many citizens asking at once while an
// admin reloads the index in between. Checks that every question gets exactly one reply, the right one
// (the HTML the bot renders for that question, compared in order for every user), and that /stats counts
// them all and still does after a restart on the same DATA_DIR. Reports throughput, reply latency, RSS
// (start, end, peak) and heap used after a forced GC.
//
// Standalone: npx tsx test/bench/soak.ts [--users 500] [--questions 10000] [--reloads 5]
// prints a JSON summary and exits 1 if a check failed. test/hardening/soak.test.ts runs a smaller one.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Settings } from '../../src/config.js';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { renderReply } from '../../src/bot/render.js';
import { splitHtml } from '../../src/bot/split-html.js';
import { startBot, type BotHandle } from '../../src/bot/start.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { BotApiEmulator, type EmulatedUser } from '../emulator/bot-api-emulator.js';
import { ADMIN, SECOND_FILE, SECOND_REPORT, testSettings } from '../bot/helpers.js';
import { WATER_REPORT } from '../fixtures/temp-corpus.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SoakOptions {
  users: number;
  /** Questions in total, spread over the users. */
  questions: number;
  /** Admin /reloads, evenly spaced over the run. */
  reloads: number;
  /** Longest wait for one reply before it counts as missing (default 60 s). */
  replyTimeoutMs?: number;
  /**
   * Users join over this long (default 2 s). Hundreds of connections opened in the same instant overflow
   * the emulator's listen backlog, and the kernel's SYN retries (1 s, 3 s, 7 s…) would be measured as
   * reply latency of the bot.
   */
  rampUpMs?: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SoakResult {
  users: number;
  questions: number;
  reloads: number;
  reloadsCompleted: number;
  /** Replies that arrived for a question (first reply per question). */
  replies: number;
  missing: number;
  /** Replies beyond the one each question should get (messages in the users' chats minus questions asked). */
  duplicates: number;
  /** Questions whose chat holds fewer messages than were asked, once the run is over. */
  missingAtEnd: number;
  /** Replies that are not the bot's rendering of the question they answer. */
  wrongReplies: number;
  /** Calls the emulator refused (bad HTML, too long, …). */
  telegramErrors: number;
  /** Log lines at warn or error level, by message. */
  logProblems: Record<string, number>;
  seconds: number;
  questionsPerSecond: number;
  /**
   * From queueing the question at the emulator to the bot's sendMessage returning. `firstQuestion`: each
   * user's first one, which also opens a new HTTP connection from the bot to the emulator (on loopback,
   * during the ramp-up, some of those connections take 1-3 s to establish: a transport effect that a
   * bare grammY Api against the emulator shows too); `later`: all the others.
   */
  latencyMs: { firstQuestion: Percentiles; later: Percentiles };
  rssMb: { start: number; end: number; peak: number };
  /**
   * Heap used after a forced full GC, or null when gc could not be enabled: at the start, at the end, and
   * after the restart (a fresh bot beside the same emulator, which keeps every message and call it saw;
   * end minus afterRestart is what the bot itself held on to after the run).
   */
  heapUsedAfterGcMb: { start: number; end: number; afterRestart: number } | null;
  stats: {
    expected: { asked: number; answered: number };
    beforeRestart: { asked: number; answered: number; shown: string };
    afterRestart: { asked: number; answered: number; shown: string };
    survivedRestart: boolean;
  };
  /** True when every check passed. */
  ok: boolean;
}

const UNANSWERABLE = [
  'Giá vé xe buýt năm nay là bao nhiêu tiền?',
  'Thời tiết Đà Nẵng ngày mai thế nào?',
  'Kết quả trận bóng đá tối qua ra sao?',
  'Cách nấu phở bò ngon nhất?',
  'Ai vô địch World Cup năm 2018?',
  'Lãi suất tiết kiệm ngân hàng hiện nay là bao nhiêu?',
  'Mua vé máy bay đi Hà Nội ở đâu?',
  'Học phí đại học năm nay tăng bao nhiêu?',
];
const ABOUT_EXTRA_REPORTS = [
  'Phường Khuê Trung trồng mới bao nhiêu cây xanh năm 2019?',
  'Kinh phí trồng và chăm sóc cây xanh là bao nhiêu?',
  'Ai chủ trì ra quân trồng cây tháng 4/2019?',
  'Bao nhiêu phần trăm hộ dân được dùng nước sạch cuối năm 2019?',
  'Lắp đặt bao nhiêu km đường ống nước mới?',
];

async function questionPool(): Promise<string[]> {
  const seed = (await readFile(path.join(ROOT, 'test', 'eval', 'seed-questions.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => String((JSON.parse(line) as { question: string }).question));
  const typed = [...seed, ...ABOUT_EXTRA_REPORTS];
  // Citizens often type without diacritics.
  return [...typed, ...typed.slice(0, 12).map(foldDiacritics), ...UNANSWERABLE];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** The global gc() if node has it, or enabled at run time (equivalent to --expose-gc). */
function findGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

function heapAfterGc(gc: (() => void) | null): number | null {
  if (!gc) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** "30 ngày: 1.234 câu hỏi · trả lời được 1.000" → 1234 or 1000 (vi-VN groups thousands with dots). */
function counter(text: string, label: 'asked' | 'answered'): number {
  const line = text.split('\n').find((l) => l.startsWith('30 ngày:')) ?? '';
  const match = (label === 'asked' ? /: ([\d.]+) câu hỏi/ : /trả lời được ([\d.]+)/).exec(line);
  return match ? Number(match[1]!.replace(/\./g, '')) : Number.NaN;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const replyTimeoutMs = options.replyTimeoutMs ?? 60_000;
  const rampUpMs = options.rampUpMs ?? 2000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'soak-'));
  const corpus = path.join(dir, 'corpus');
  await mkdir(corpus);
  await copyFile(
    path.join(ROOT, 'corpus', 'bao-cao-6-thang-dau-nam-2018-cam-le.txt'),
    path.join(corpus, 'bao-cao-6-thang-dau-nam-2018-cam-le.txt'),
  );
  await writeFile(path.join(corpus, SECOND_FILE), SECOND_REPORT);
  await writeFile(path.join(corpus, 'ke-hoach-nuoc-sach-2019.md'), WATER_REPORT);

  // Keep log lines out of the output, but count every warning and error.
  const logProblems: Record<string, number> = {};
  setLogLevel('warn');
  setLogSink((line) => {
    const record = JSON.parse(line) as { level: string; msg: string };
    const key = `${record.level}: ${record.msg}`;
    logProblems[key] = (logProblems[key] ?? 0) + 1;
  });

  const emu = await BotApiEmulator.start();
  const admin: EmulatedUser = ADMIN;
  const settings: Settings = testSettings(dir, emu, { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
  const start = () => startBot(settings, { pollingTimeoutSeconds: 5, progressThrottleMs: 500 });
  let handle: BotHandle | null = await start();
  const gc = findGc();

  try {
    // What the bot must send for each question: its own rendering, computed once on the same engine.
    const pool = await questionPool();
    const expected = new Map<string, { html: string; answered: boolean }>();
    for (const question of pool) {
      const answer = await handle.engine.ask(question, { k: settings.ANSWER_PASSAGES });
      const parts = splitHtml(renderReply(answer, handle.engine.status().documents));
      if (parts.length !== 1) continue; // one message per reply keeps the count exact
      expected.set(question, { html: parts[0]!, answered: answer.answered });
    }
    const questions = [...expected.keys()];

    // Replies are observed where the bot sends them (polling 500 chats would measure the harness).
    const waiting = new Map<number, (text: string) => void>();
    handle.bot.api.config.use(async (prev, method, payload, signal) => {
      const result = await prev(method, payload, signal);
      if (method === 'sendMessage' && result.ok) {
        const chatId = Number((payload as { chat_id: number | string }).chat_id);
        if (chatId !== admin.id) {
          const resolve = waiting.get(chatId);
          waiting.delete(chatId);
          resolve?.((result.result as { text?: string }).text ?? '');
        }
      }
      return result;
    });

    const samples = { peakRss: process.memoryUsage().rss };
    const sampler = setInterval(() => {
      samples.peakRss = Math.max(samples.peakRss, process.memoryUsage().rss);
    }, 100);
    sampler.unref();
    const heapStart = heapAfterGc(gc);
    const rssStart = process.memoryUsage().rss;

    // The admin reloads when the run passes each of `reloads` evenly spaced marks, one at a time.
    let done = 0;
    let reloadsSent = 0;
    let reloadsCompleted = 0;
    let adminBusy = false;
    const maybeReload = () => {
      if (adminBusy || reloadsSent >= options.reloads) return;
      if (done < ((reloadsSent + 1) * options.questions) / (options.reloads + 1)) return;
      adminBusy = true;
      reloadsSent++;
      const before = emu.messagesTo(admin.id).length;
      emu.sendCommand(admin, '/reload');
      void emu
        .waitFor(
          () =>
            emu
              .messagesTo(admin.id)
              .slice(before)
              .some((m) => /Đã nạp lại xong|Nạp lại không thành công/.test(m.plain_text ?? '')),
          120_000,
        )
        .then(
          () => {
            if (
              emu
                .messagesTo(admin.id)
                .slice(before)
                .some((m) => m.plain_text?.includes('Đã nạp lại xong'))
            )
              reloadsCompleted++;
          },
          () => undefined,
        )
        .finally(() => {
          adminBusy = false;
          maybeReload();
        });
    };

    const latencies: number[] = [];
    const firstLatencies: number[] = [];
    const sentTo = new Map<number, string[]>(); // user id → the questions they asked, in order
    let replies = 0;
    let missing = 0;
    let wrongReplies = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.users }, async (_, u) => {
        await new Promise((resolve) => setTimeout(resolve, (u * rampUpMs) / options.users));
        const user = { id: 700_000 + u, first_name: `Người dân ${u}` };
        const asked: string[] = [];
        sentTo.set(user.id, asked);
        const share = Math.floor(options.questions / options.users) + (u < options.questions % options.users ? 1 : 0);
        for (let q = 0; q < share; q++) {
          const question = questions[(next++ * 7919) % questions.length]!;
          const reply = new Promise<string | null>((resolve) => {
            const timer = setTimeout(() => {
              waiting.delete(user.id);
              resolve(null);
            }, replyTimeoutMs);
            waiting.set(user.id, (text) => {
              clearTimeout(timer);
              resolve(text);
            });
          });
          const sentAt = performance.now();
          asked.push(question);
          emu.sendText(user, question);
          const text = await reply;
          done++;
          maybeReload();
          if (text === null) {
            missing++;
            continue;
          }
          replies++;
          (q === 0 ? firstLatencies : latencies).push(performance.now() - sentAt);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // Every reload asked for has finished before the counts are taken.
    await emu.waitFor(() => !adminBusy && reloadsSent === options.reloads, 120_000).catch(() => undefined);
    // Late duplicates would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 500));

    // What Telegram holds, chat by chat: one message per question, each the bot's rendering of it.
    let duplicates = 0;
    let missingAtEnd = 0;
    for (const [userId, asked] of sentTo) {
      const received = emu.messagesTo(userId);
      duplicates += Math.max(0, received.length - asked.length);
      missingAtEnd += Math.max(0, asked.length - received.length);
      asked.forEach((question, i) => {
        const got = received[i];
        if (got && got.text !== expected.get(question)!.html) wrongReplies++;
      });
    }
    const expectedStats = {
      asked: [...sentTo.values()].reduce((n, asked) => n + asked.length, 0),
      answered: [...sentTo.values()].reduce((n, asked) => n + asked.filter((q) => expected.get(q)!.answered).length, 0),
    };

    clearInterval(sampler);
    const rssEnd = process.memoryUsage().rss;
    const heapEnd = heapAfterGc(gc);

    // /stats now, then after a restart on the same DATA_DIR.
    const readStats = async (bot: BotHandle) => {
      await bot.records.writer.flush();
      const before = emu.messagesTo(admin.id).length;
      emu.sendCommand(admin, '/stats');
      await emu.waitFor(
        () =>
          emu
            .messagesTo(admin.id)
            .slice(before)
            .some((m) => m.plain_text?.includes('Thống kê câu hỏi')),
        30_000,
      );
      const shown = emu
        .messagesTo(admin.id)
        .slice(before)
        .find((m) => m.plain_text?.includes('Thống kê câu hỏi'))!.plain_text!;
      const snapshot = await bot.records.store.window(0, Date.now() + 1);
      // The counter lines only; the details follow them.
      const counters = shown.split('\n').slice(0, 4).join(' · ');
      return { asked: counter(shown, 'asked'), answered: counter(shown, 'answered'), shown: counters, snapshot };
    };
    const beforeRestart = await readStats(handle);
    await handle.stop();
    handle = null;
    handle = await start();
    const afterRestart = await readStats(handle);
    const heapAfterRestart = heapAfterGc(gc);
    const survivedRestart =
      beforeRestart.asked === afterRestart.asked &&
      beforeRestart.answered === afterRestart.answered &&
      JSON.stringify(beforeRestart.snapshot) === JSON.stringify(afterRestart.snapshot);

    const percentiles = (values: number[]): Percentiles => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: percentile(sorted, 100),
      };
    };
    const telegramErrors = emu.failedCalls().length;
    const result: SoakResult = {
      users: options.users,
      questions: options.questions,
      reloads: options.reloads,
      reloadsCompleted,
      replies,
      missing,
      duplicates,
      missingAtEnd,
      wrongReplies,
      telegramErrors,
      logProblems,
      seconds: Math.round(seconds * 100) / 100,
      questionsPerSecond: Math.round(options.questions / seconds),
      latencyMs: { firstQuestion: percentiles(firstLatencies), later: percentiles(latencies) },
      rssMb: { start: mb(rssStart), end: mb(rssEnd), peak: mb(samples.peakRss) },
      heapUsedAfterGcMb:
        heapStart !== null && heapEnd !== null && heapAfterRestart !== null
          ? { start: mb(heapStart), end: mb(heapEnd), afterRestart: mb(heapAfterRestart) }
          : null,
      stats: {
        expected: expectedStats,
        beforeRestart: { asked: beforeRestart.asked, answered: beforeRestart.answered, shown: beforeRestart.shown },
        afterRestart: { asked: afterRestart.asked, answered: afterRestart.answered, shown: afterRestart.shown },
        survivedRestart,
      },
      ok: false,
    };
    result.ok =
      replies === options.questions &&
      missing === 0 &&
      duplicates === 0 &&
      missingAtEnd === 0 &&
      wrongReplies === 0 &&
      telegramErrors === 0 &&
      reloadsCompleted === options.reloads &&
      beforeRestart.asked === expectedStats.asked &&
      beforeRestart.answered === expectedStats.answered &&
      survivedRestart &&
      !Object.keys(logProblems).some((k) => k.startsWith('error'));
    return result;
  } finally {
    await handle?.stop();
    await emu.stop();
    setLogSink((line) => process.stderr.write(line + '\n'));
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '500' },
      questions: { type: 'string', default: '10000' },
      reloads: { type: 'string', default: '5' },
    },
  });
  runSoak({ users: Number(values.users), questions: Number(values.questions), reloads: Number(values.reloads) }).then(
    (result) => {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (!result.ok) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
