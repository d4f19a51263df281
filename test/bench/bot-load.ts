// Load test of the whole bot: the Bot API emulator in place of Telegram, the real start-up path and the
// real Engine (lexical search) on a copy of a corpus, and many users asking at once. Each user asks their
// questions one after another, as a person would; users run concurrently. Latency is measured from the
// moment a question is queued at the emulator to the moment the bot's reply reaches it, so it includes
// long polling, the runner, the rate limiter, search, rendering and sendMessage. Replies are observed
// through an API transformer on the bot (when sendMessage returns), not by polling the emulator: 200
// pollers would cost more CPU than the bot itself and measure the harness instead.
//
// Standalone: npx tsx test/bench/bot-load.ts [users] [questionsPerUser]   (default 200 × 5)
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setLogLevel } from '../../src/log.js';
import { startBot, type StartBotOptions } from '../../src/bot/start.js';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { testSettings } from '../bot/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ALQAC_DIR = path.resolve(ROOT, '..', 'shared', 'benchmarks', 'alqac2023');

export interface BotLoadOptions {
  users: number;
  questionsPerUser: number;
  /** 'alqac' (the ALQAC 2023 laws, when ../shared has them; the default) or 'project' (corpus/). */
  corpus?: 'alqac' | 'project';
  /** Longest wait for one reply before it counts as an error (default 30 s). */
  replyTimeoutMs?: number;
  /** Extra start options (the record bench turns question logging off and on through `records`). */
  start?: StartBotOptions;
}

export interface BotLoadResult {
  replies: number;
  expected: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]!);
}

async function questionsFor(corpus: 'alqac' | 'project'): Promise<string[]> {
  const file =
    corpus === 'alqac'
      ? path.join(ALQAC_DIR, 'questions-train.jsonl')
      : path.join(ROOT, 'test', 'eval', 'seed-questions.jsonl');
  const text = await readFile(file, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => String((JSON.parse(line) as { question: string }).question));
}

export async function benchBotLoad(options: BotLoadOptions): Promise<BotLoadResult> {
  const corpus = options.corpus ?? (existsSync(path.join(ALQAC_DIR, 'corpus')) ? 'alqac' : 'project');
  const timeoutMs = options.replyTimeoutMs ?? 30_000;
  const questions = await questionsFor(corpus);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bot-load-'));
  await cp(corpus === 'alqac' ? path.join(ALQAC_DIR, 'corpus') : path.join(ROOT, 'corpus'), path.join(dir, 'corpus'), {
    recursive: true,
  });

  setLogLevel('warn');
  const emu = await BotApiEmulator.start();
  // The bot tests' settings, with the rate limit out of the way: every question must get its reply.
  const settings = testSettings(dir, emu, { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
  const handle = await startBot(settings, { pollingTimeoutSeconds: 10, ...options.start });

  // chat id → the user waiting for their reply.
  const waiting = new Map<number, (text: string) => void>();
  handle.bot.api.config.use(async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (method === 'sendMessage' && result.ok) {
      const chatId = Number((payload as { chat_id: number | string }).chat_id);
      waiting.get(chatId)?.((result.result as { text?: string }).text ?? '');
    }
    return result;
  });
  const replyTo = (chatId: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(chatId);
        reject(new Error('no reply'));
      }, timeoutMs);
      waiting.set(chatId, (text) => {
        clearTimeout(timer);
        waiting.delete(chatId);
        resolve(text);
      });
    });

  const latencies: number[] = [];
  let replies = 0;
  let errors = 0;
  let seconds = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: options.users }, async (_, u) => {
        const user = { id: 500_000 + u, first_name: `User ${u}` };
        for (let q = 0; q < options.questionsPerUser; q++) {
          const question = questions[(u * options.questionsPerUser + q) % questions.length]!;
          const reply = replyTo(user.id);
          const sentAt = performance.now();
          emu.sendText(user, question);
          try {
            const text = await reply;
            latencies.push(performance.now() - sentAt);
            replies += 1;
            // An apology means the engine failed on this question.
            if (text.startsWith('Xin lỗi, hệ thống')) errors += 1;
          } catch {
            errors += 1;
          }
        }
      }),
    );
  } finally {
    seconds = (performance.now() - started) / 1000;
    // Telegram-side failures count too (bad HTML, too long, unanswered callback…).
    errors += emu.failedCalls().length;
    await handle.stop();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  return {
    replies,
    expected: options.users * options.questionsPerUser,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    errors,
    seconds: Math.round(seconds * 100) / 100,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const users = Number(process.argv[2] ?? 200);
  const questionsPerUser = Number(process.argv[3] ?? 5);
  benchBotLoad({ users, questionsPerUser }).then(
    (result) => {
      process.stdout.write(JSON.stringify({ users, questionsPerUser, ...result }, null, 2) + '\n');
    },
    (error: unknown) => {
      process.stderr.write(`bot-load failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
