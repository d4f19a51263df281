// Shared set-up for the bot's end-to-end tests: a temp corpus (the real Cẩm Lệ report plus a second small
// report), the Bot API emulator, and the real start-up path (startBot) with the real Engine.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSettings, type Settings } from '../../src/config.js';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { startBot, type BotHandle, type StartBotOptions } from '../../src/bot/start.js';
import { BotApiEmulator, type EmulatedUser, type SentMessage } from '../emulator/bot-api-emulator.js';
import { SEED_FILE, SEED_PATH } from '../fixtures/seed-report.js';
import { makeTempDir } from '../fixtures/temp-dir.js';

export const CAM_LE_TITLE = 'Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ';

export const SECOND_FILE = 'ke-hoach-cay-xanh-2019-khue-trung.md';
export const SECOND_TITLE = 'Kế hoạch phát triển cây xanh năm 2019, phường Khuê Trung';
/** A small second report, so that "Xem thêm" and /help have more than one document to show. */
export const SECOND_REPORT = `---
title: ${SECOND_TITLE}
date: 3/2019
---

# Mục tiêu

Năm 2019, phường Khuê Trung trồng mới 350 cây xanh trên các tuyến đường và trong khuôn viên trường học. Mỗi tổ dân phố nhận chăm sóc ít nhất 10 cây.

# Kinh phí

Kinh phí trồng và chăm sóc cây xanh là 1,2 tỷ đồng, từ ngân sách phường và đóng góp của người dân & doanh nghiệp.

# Tổ chức thực hiện

Ủy ban nhân dân phường giao Đoàn Thanh niên chủ trì ra quân trồng cây vào tháng 4/2019.
`;

export const ADMIN: EmulatedUser = { id: 9001, first_name: 'Cán bộ', username: 'vanphong' };

let nextUser = 1000;
/** A fresh citizen per test, so rate-limit windows never leak between tests. */
export function citizen(name = 'Lan'): EmulatedUser {
  return { id: nextUser++, first_name: name };
}

export const logLines: string[] = [];
/** Keeps test output quiet and lets tests assert on structured log lines. */
export function captureLogs(): void {
  setLogLevel('debug');
  setLogSink((line) => {
    logLines.push(line);
    if (process.env.BOT_TEST_LOGS) process.stderr.write(line + '\n');
  });
}

export function logsMatching(msg: string): Record<string, unknown>[] {
  return logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === msg);
}

export { makeTempDir };

/** A callback query's answer as the bot gave it (grammY posts it as JSON, so the fields keep their types). */
export interface CallbackAnswer {
  id: string;
  text?: string;
  show_alert?: boolean;
}

/**
 * Waits until the bot has answered each callback query in `ids` (pressed buttons), then returns each
 * answer in order; a query answered more than once fails the test.
 */
export async function callbackAnswers(emu: BotApiEmulator, ids: string[]): Promise<CallbackAnswer[]> {
  const callsFor = (id: string) => emu.callsOf('answerCallbackQuery').filter((c) => c.params.callback_query_id === id);
  await emu.waitFor(() => ids.every((id) => callsFor(id).length > 0));
  return ids.map((id) => {
    const calls = callsFor(id);
    // A plain error, not vitest's expect: the benchmarks import these helpers outside vitest.
    if (calls.length !== 1) throw new Error(`callback ${id} answered ${calls.length} times, not exactly once`);
    const { text, show_alert } = calls[0]!.params as { text?: string; show_alert?: boolean };
    return { id, text, show_alert };
  });
}

/** corpus/ with the real Cẩm Lệ report and the second report. */
export async function makeCorpus(dir: string, options: { second?: boolean } = {}): Promise<string> {
  const corpus = path.join(dir, 'corpus');
  await mkdir(corpus, { recursive: true });
  await copyFile(SEED_PATH, path.join(corpus, SEED_FILE));
  if (options.second !== false) await writeFile(path.join(corpus, SECOND_FILE), SECOND_REPORT);
  return corpus;
}

export function testSettings(
  dir: string,
  emulator: Pick<BotApiEmulator, 'token' | 'apiRoot'>,
  env: Record<string, string> = {},
): Settings {
  return loadSettings(
    {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      ADMIN_IDS: String(ADMIN.id),
      CORPUS_DIR: 'corpus',
      INDEX_DIR: 'index',
      STATS_FILE: 'index/stats.json',
      SEARCH_MODE: 'lexical',
      RATE_LIMIT_PER_MINUTE: '10',
      LOG_LEVEL: 'debug',
      ...env,
    },
    dir,
  );
}

export interface TestBot {
  emu: BotApiEmulator;
  bot: BotHandle;
  settings: Settings;
  dir: string;
  /** Stops the bot, then the emulator; removes the temp folder. */
  stop(): Promise<void>;
}

export async function startTestBot(
  options: { env?: Record<string, string>; dir?: string; emu?: BotApiEmulator; start?: StartBotOptions } = {},
): Promise<TestBot> {
  const dir = options.dir ?? (await makeTempDir());
  if (!options.dir) await makeCorpus(dir);
  const emu = options.emu ?? (await BotApiEmulator.start());
  const settings = testSettings(dir, emu, options.env);
  let bot: BotHandle;
  try {
    bot = await startBot(settings, { pollingTimeoutSeconds: 1, progressThrottleMs: 200, ...options.start });
  } catch (error) {
    if (!options.emu) await emu.stop();
    if (!options.dir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    emu,
    bot,
    settings,
    dir,
    async stop() {
      await bot.stop();
      if (!options.emu) await emu.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The message's buttons' callback data, flattened. */
export function buttonsOf(message: SentMessage): string[] {
  const rows = (message.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][];
  return rows.flat().map((b) => b.callback_data ?? '');
}

/** Waits until `chatId` has received `count` more messages than `before`, and returns the new ones. */
export async function newMessages(
  emu: BotApiEmulator,
  chatId: number,
  before: number,
  count = 1,
  timeoutMs = 10_000,
): Promise<SentMessage[]> {
  const all = await emu.waitForMessages(chatId, before + count, timeoutMs);
  return all.slice(before);
}

/** Asks a question and returns the bot's first reply. */
export async function ask(emu: BotApiEmulator, user: EmulatedUser, text: string): Promise<SentMessage> {
  const before = emu.messagesTo(user.id).length;
  emu.sendText(user, text);
  return (await newMessages(emu, user.id, before))[0]!;
}

/** No further message arrives within `ms` (for "nothing else happens" checks). */
export async function quietFor(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
