// The opening burst against one freshly started bot, with the Bot API emulator in its own process (as
// Telegram is): every first question of the burst gets exactly one reply, the one the bot renders for it,
// with "typing…", where shown (answers slower than TYPING_DELAY_MS), no later than the reply. No timing is asserted (the machine is shared); the bench
// (test/bench/first-burst.ts, in npm run bench) reports the latencies.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReply } from '../../src/bot/render.js';
import { startBot, type BotHandle } from '../../src/bot/start.js';
import { RemoteEmulator, type BurstReport } from '../emulator/remote.js';
import { summarise } from '../bench/first-burst.js';
import { captureLogs, logsMatching, makeCorpus, makeTempDir, testSettings } from './helpers.js';
import { BUDGET_QUESTION } from '../fixtures/seed-report.js';

const QUESTIONS = [
  BUDGET_QUESTION,
  'Tong gia tri san xuat 6 thang dau nam tang bao nhieu?',
  'Phường Khuê Trung trồng mới bao nhiêu cây xanh năm 2019?',
  'Thời tiết Đà Nẵng ngày mai thế nào?',
  'Quận còn những hạn chế nào cần khắc phục?',
];
const USERS = 60;

describe('the opening burst, emulator in its own process', () => {
  let emu: RemoteEmulator;
  let bot: BotHandle;
  let dir: string;
  let report: BurstReport;
  const asked = new Map<number, string>();

  beforeAll(async () => {
    captureLogs();
    dir = await makeTempDir('first-burst-');
    await makeCorpus(dir);
    emu = await RemoteEmulator.spawn();
    bot = await startBot(testSettings(dir, emu, { RATE_LIMIT_PER_MINUTE: '1000' }), { pollingTimeoutSeconds: 1 });
    const messages = Array.from({ length: USERS }, (_, u) => {
      const from = { id: 800_000 + u, first_name: `Dân ${u}` };
      const text = QUESTIONS[u % QUESTIONS.length]!;
      asked.set(from.id, text);
      return { from, text };
    });
    await emu.burst(messages);
    const waited = await emu.waitForMessages([...asked.keys()], 1, 60_000);
    expect(waited.missing ?? []).toEqual([]);
    // Time for a duplicate, were there one, to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    report = await emu.report();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await emu?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('warmed the engine up before taking updates', () => {
    const warm = logsMatching('warm-up done');
    expect(warm).toHaveLength(1);
    expect(warm[0]!.questions).toBeGreaterThanOrEqual(30);
  });

  it('ran made-up updates through a throwaway copy of the bot, which reached neither Telegram, the record nor the log', async () => {
    const warm = logsMatching('warm-up done');
    expect(warm[0]!.updates).toBeGreaterThanOrEqual(100);
    // Every message the emulator got went to a citizen of the burst.
    expect(report.sends.every((s) => asked.has(s.chat))).toBe(true);
    // One "question" line and one record row per citizen: none for the warm-up's questions.
    expect(logsMatching('question')).toHaveLength(USERS);
    await bot.records.writer.flush();
    expect(await bot.records.store.questionCount()).toBe(USERS);
  });

  it('gives every question of the burst exactly one reply, and no call fails', () => {
    const s = summarise(report, USERS);
    expect(report.queued).toHaveLength(USERS);
    expect(s.missing).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.answeredOnce).toBe(USERS);
    expect(s.failedCalls).toBe(0);
    expect(report.pendingUpdates).toBe(0);
  });

  it("replies to each user with the bot's own rendering of that user's question", async () => {
    const documents = bot.engine.status().documents;
    for (const [chat, question] of asked) {
      const expected = renderReply(await bot.engine.ask(question, { k: 3 }), documents);
      const sent = report.sends.filter((s) => s.chat === chat);
      expect(
        sent.map((s) => s.text),
        question,
      ).toEqual([expected]);
    }
  });

  it('shows "typing…", where it shows it, never after the reply', () => {
    for (const action of report.actions) {
      const reply = report.sends.find((s) => s.chat === action.chat);
      expect(reply, `chat ${action.chat}`).toBeDefined();
      expect(action.at).toBeLessThanOrEqual(reply!.at);
    }
  });
});
