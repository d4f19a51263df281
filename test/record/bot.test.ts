// The record end to end through the bot and the Telegram Bot API emulator, on both stores: the log rows
// of answered and unanswered questions, 👍/👎 and their changes, /stats windows, /export as a CSV that
// parses back to the same rows, /forget, the retention purge, the old stats file's import, buttons after a
// restart, and refusals for non-admins.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDBACK_CALLBACK } from '../../src/bot/composers/feedback.js';
import { MSG } from '../../src/bot/messages.vi.js';
import { CSV_HEADER } from '../../src/store/csv.js';
import type { QuestionRecord } from '../../src/store/types.js';
import { BotApiEmulator, type EmulatedUser, type SentMessage } from '../emulator/bot-api-emulator.js';
import {
  ADMIN,
  ask,
  buttonsOf,
  callbackAnswers,
  captureLogs,
  citizen,
  makeCorpus,
  makeTempDir,
  newMessages,
  quietFor,
  startTestBot,
  type TestBot,
} from '../bot/helpers.js';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.js';
import { pgSkip } from './pg-skip.js';
import { parseCsv } from './csv-parse.js';
import { BUDGET_QUESTION, SEED_FILE } from '../fixtures/seed-report.js';

const UNANSWERABLE = 'Thời tiết ngày mai thế nào?';
const DAY = 24 * 60 * 60 * 1000;
const GROUP = -100777;

/** Fast writer and purge timers, so that tests wait milliseconds, not the production 200 ms / one day. */
const RECORD_OPTIONS = { writer: { flushMs: 20, maxRetryMs: 200 }, purgeEveryMs: 150 };

interface Backend {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  /** Settings for a new bot: its own database (PostgreSQL) or its own DATA_DIR (embedded). */
  env(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: 'sqlite', skip: null, env: async () => ({ env: {}, cleanup: async () => undefined }) },
  {
    name: 'postgres',
    skip: pgSkip,
    env: async () => {
      const db: TestDatabase = await createTestDatabase();
      return { env: { DATABASE_URL: db.url }, cleanup: () => db.drop() };
    },
  },
];

async function downloadDocument(emu: BotApiEmulator, fileId: string): Promise<Buffer> {
  const info = (await (
    await fetch(`${emu.apiRoot}/bot${emu.token}/getFile?file_id=${encodeURIComponent(fileId)}`)
  ).json()) as {
    result: { file_path: string };
  };
  const res = await fetch(`${emu.apiRoot}/file/bot${emu.token}/${info.result.file_path}`);
  return Buffer.from(await res.arrayBuffer());
}

function lineOf(text: string, prefix: string): string {
  return text.split('\n').find((l) => l.startsWith(prefix)) ?? `(no line starting with ${prefix})`;
}

beforeAll(() => captureLogs());

describe.each(backends)('the record through the bot, on $name', (backend) => {
  describe.skipIf(backend.skip !== null)(backend.skip ? `skipped: ${backend.skip}` : 'suite', () => {
    let t: TestBot;
    let cleanup: () => Promise<void> = async () => undefined;
    const flush = () => t.bot.records.writer.flush();
    const rowsOf = async (user: EmulatedUser) => {
      await flush();
      const all = await t.bot.records.store.exportRows(0, Date.now() + 1);
      return all.filter((r) => r.user === t.bot.records.pseudonym(user.id));
    };
    async function adminSays(command: string, chat = ADMIN.id, count = 1): Promise<SentMessage[]> {
      const before = t.emu.messagesTo(chat).length;
      t.emu.sendCommand(ADMIN, command, chat);
      return newMessages(t.emu, chat, before, count);
    }
    const direct = (rows: QuestionRecord[]) => t.bot.records.store.write({ questions: rows, votes: [] });
    const row = (partial: Partial<QuestionRecord>): QuestionRecord => ({
      id: `direct-${Math.random().toString(36).slice(2, 10)}`,
      at: Date.now(),
      user: 'someone-else',
      question: 'Câu hỏi',
      answered: true,
      source: SEED_FILE,
      section: null,
      answer: 'Trích đoạn',
      confidence: 0.5,
      mode: 'lexical',
      latencyMs: 10,
      chatType: 'private',
      ...partial,
    });

    beforeAll(async () => {
      const db = await backend.env();
      cleanup = db.cleanup;
      t = await startTestBot({
        env: { RATE_LIMIT_PER_MINUTE: '1000', LOG_RETENTION_DAYS: '30', ...db.env },
        start: { records: RECORD_OPTIONS },
      });
    });
    afterAll(async () => {
      await t?.stop();
      await cleanup();
    });

    it('/stats: today, 7 days and 30 days, with busiest hours, unanswered questions grouped, latest 👎 and its answer', async () => {
      const user = citizen();
      const answer = await ask(t.emu, user, BUDGET_QUESTION);
      await ask(t.emu, user, UNANSWERABLE);
      const [, down] = buttonsOf(answer).filter((d) => d.startsWith(FEEDBACK_CALLBACK.vote));
      t.emu.pressButton(user, answer, down!);
      await newMessages(t.emu, user.id, 2); // the reason prompt
      await direct([
        row({ at: Date.now() - 3 * DAY, answered: true }),
        row({ at: Date.now() - 20 * DAY, answered: false, answer: null, question: 'Giá vé xe buýt là bao nhiêu?' }),
        row({ at: Date.now() - 20 * DAY + 1, answered: false, answer: null, question: 'gia ve xe buyt la bao nhieu' }),
      ]);
      await flush();

      const [stats] = await adminSays('/stats');
      const text = stats!.plain_text!;
      expect(lineOf(text, 'Hôm nay:')).toBe('Hôm nay: 2 câu hỏi · trả lời được 1 (50%) · 👍 0 · 👎 1');
      expect(lineOf(text, '7 ngày:')).toBe('7 ngày: 3 câu hỏi · trả lời được 2 (67%) · 👍 0 · 👎 1');
      expect(lineOf(text, '30 ngày:')).toBe('30 ngày: 5 câu hỏi · trả lời được 2 (40%) · 👍 0 · 👎 1');
      // Now and three days ago fall in the same hour of the day (Vietnam time): 3 questions in it.
      const hour = new Date(Date.now() + 7 * 3_600_000).getUTCHours();
      expect(lineOf(text, 'Giờ hỏi nhiều nhất:')).toMatch(
        new RegExp(`^Giờ hỏi nhiều nhất: ${hour}h–${hour + 1}h \\(3 câu\\)`),
      );
      expect(text).toContain(`${UNANSWERABLE} — 1 lần`);
      // The latest 👎 with the answer that was given.
      expect(text).toContain(`Hỏi: ${BUDGET_QUESTION}`);
      expect(text).toMatch(/Đã trả lời: “Toàn quận phấn đấu/);
      expect(buttonsOf(stats!)).toEqual(['adm:stats:today', 'adm:stats:7', 'adm:stats:30']);

      // The 30-day window's details: the two spellings of one question counted together.
      const before = t.emu.messagesTo(ADMIN.id).length;
      t.emu.pressButton(ADMIN, stats!, 'adm:stats:30');
      const [thirty] = await newMessages(t.emu, ADMIN.id, before);
      expect(thirty!.plain_text).toContain('Chi tiết: 30 ngày');
      expect(thirty!.plain_text).toMatch(/1\. (Giá vé xe buýt là bao nhiêu\?|gia ve xe buyt la bao nhieu) — 2 lần/);
      expect(thirty!.plain_text).toContain(`Lưu trữ: ${backend.name === 'postgres' ? 'PostgreSQL' : 'SQLite (nhúng)'}`);
    });

    it('logs answered and unanswered questions under a pseudonym, with source, section, confidence, mode, latency and chat type', async () => {
      const user: EmulatedUser = { ...citizen('Nguyễn Thị Lan'), username: 'lan_nguyen_1985' };
      await ask(t.emu, user, BUDGET_QUESTION);
      await ask(t.emu, user, UNANSWERABLE);
      const rows = await rowsOf(user);
      expect(rows.map((r) => [r.question, r.answered])).toEqual([
        [BUDGET_QUESTION, true],
        [UNANSWERABLE, false],
      ]);
      expect(rows[0]).toMatchObject({ source: SEED_FILE, mode: 'lexical', chatType: 'private', vote: null });
      expect(typeof rows[0]!.confidence).toBe('number');
      expect(rows[0]!.latencyMs).toBeGreaterThanOrEqual(0);
      expect(rows[1]).toMatchObject({ source: null, section: null });
      // Nothing that identifies the citizen on Telegram.
      const stored = JSON.stringify(rows);
      for (const identity of [String(user.id), 'Nguyễn Thị Lan', 'lan_nguyen_1985'])
        expect(stored).not.toContain(identity);
    });

    it('👍/👎: one vote per citizen per answer, changeable; a 👎 offers three one-tap reasons', async () => {
      const user = citizen();
      const answer = await ask(t.emu, user, BUDGET_QUESTION);
      const feedback = buttonsOf(answer).filter((d) => d.startsWith(FEEDBACK_CALLBACK.vote));
      expect(feedback).toHaveLength(2);
      const labels = ((answer.reply_markup?.inline_keyboard ?? []) as { text: string }[][]).flat().map((b) => b.text);
      expect(labels).toEqual(expect.arrayContaining(['👍', '👎']));
      const [up, down] = feedback;
      const id = up!.split(':')[1]!;

      const q1 = t.emu.pressButton(user, answer, up!);
      await t.emu.waitFor(() => t.emu.callsOf('answerCallbackQuery').some((c) => c.params.callback_query_id === q1));
      expect(t.emu.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === q1)!.params.text).toBe(
        MSG.feedbackThanks,
      );
      expect((await rowsOf(user))[0]).toMatchObject({ vote: 'up', reason: null });
      // Pressing 👍 again changes nothing.
      t.emu.pressButton(user, answer, up!);
      await quietFor(100);
      expect((await rowsOf(user))[0]).toMatchObject({ vote: 'up' });

      t.emu.pressButton(user, answer, down!);
      const [prompt] = await newMessages(t.emu, user.id, 1);
      expect(prompt!.text).toBe(MSG.feedbackAskReason);
      expect(buttonsOf(prompt!)).toEqual([`fbr:${id}:wrong`, `fbr:${id}:off-topic`, `fbr:${id}:unclear`]);
      expect((await rowsOf(user))[0]).toMatchObject({ vote: 'down', reason: null });

      t.emu.pressButton(user, prompt!, `fbr:${id}:off-topic`);
      await t.emu.waitFor(() => t.emu.messagesTo(user.id)[1]!.text !== MSG.feedbackAskReason);
      expect(t.emu.messagesTo(user.id)[1]!.text).toBe(MSG.feedbackReasonThanks('off-topic'));
      expect((await rowsOf(user))[0]).toMatchObject({ vote: 'down', reason: 'off-topic' });
      // The citizen changes their mind once more: back to 👍, the reason goes.
      t.emu.pressButton(user, answer, up!);
      await t.emu.waitFor(() => t.emu.callsOf('answerCallbackQuery').length > 0);
      await expect.poll(async () => (await rowsOf(user))[0]).toMatchObject({ vote: 'up', reason: null });
    });

    it('a "not found" reply has 👍/👎 too; its 👎 is kept against the unanswered question', async () => {
      const user = citizen();
      const reply = await ask(t.emu, user, 'Lịch thu gom rác ở phường Hòa Xuân thế nào?');
      expect(reply.plain_text).toContain('Xin lỗi');
      const down = buttonsOf(reply).find((d) => d.endsWith(':down'))!;
      t.emu.pressButton(user, reply, down);
      await newMessages(t.emu, user.id, 1);
      expect(await rowsOf(user)).toEqual([expect.objectContaining({ answered: false, vote: 'down', reason: null })]);
    });

    it('/export sends a UTF-8 CSV with BOM that parses back to the same rows (Vietnamese, commas, quotes, newlines)', async () => {
      const user = citizen();
      const tricky = 'Giá "vé", xe buýt\nnăm 2024 là bao nhiêu; ở Cẩm Lệ?';
      await ask(t.emu, user, BUDGET_QUESTION);
      await ask(t.emu, user, tricky);
      const expected = await rowsOf(user);
      expect(expected.map((r) => r.question)).toEqual([BUDGET_QUESTION, tricky]);
      const [sent] = await adminSays('/export');
      expect(sent!.document?.file_name).toMatch(/^nhat-ky-cau-hoi_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
      const bytes = await downloadDocument(t.emu, sent!.document!.file_id);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const table = parseCsv(bytes.subarray(3).toString('utf8'));
      expect(table[0]).toEqual([...CSV_HEADER]);
      const pseudonym = t.bot.records.pseudonym(user.id);
      const mine = table.slice(1).filter((r) => r[1] === pseudonym);
      expect(
        mine.map((r) => ({
          at: Date.parse(r[0]!),
          question: r[2],
          answered: r[3],
          source: r[4],
          mode: r[7],
          chat: r[9],
        })),
      ).toEqual(
        expected.map((r) => ({
          at: r.at,
          question: r.question,
          answered: r.answered ? '1' : '0',
          source: r.source ?? '',
          mode: r.mode,
          chat: r.chatType,
        })),
      );
      // Every row of the export: pseudonyms only, no Telegram id.
      expect(table.slice(1).every((r) => !/^\d+$/.test(r[1]!))).toBe(true);
      expect(bytes.toString('utf8')).not.toContain(String(user.id));

      // A range with nothing in it, a bad range, and a group chat.
      const [empty] = await adminSays('/export 2001-01-01 2001-01-31');
      expect(empty!.text).toBe(MSG.exportEmpty('2001-01-01', '2001-01-31'));
      const [usage] = await adminSays('/export 31/02/2024');
      expect(usage!.plain_text).toContain('Cách dùng');
      const [group] = await adminSays('/export', GROUP);
      expect(group!.text).toBe(MSG.exportPrivateOnly);
      expect(t.emu.messagesTo(GROUP).some((m) => m.document)).toBe(false);
    });

    it('/stats and /export are refused to non-admins, in private and in a group', async () => {
      const intruder = citizen('Kẻ lạ');
      for (const chat of [intruder.id, GROUP]) {
        const before = t.emu.messagesTo(chat).length;
        for (const command of ['/stats', '/export', '/export 2024-01-01 2024-12-31', '/stats 30'])
          t.emu.sendCommand(intruder, command, chat);
        const replies = await newMessages(t.emu, chat, before, 4);
        expect(replies.map((m) => m.text)).toEqual(new Array(4).fill(MSG.notAdmin));
        expect(replies.some((m) => m.document)).toBe(false);
      }
      const stats = t.emu.messagesTo(ADMIN.id).at(-1)!;
      const id = t.emu.pressButton(intruder, stats, 'adm:stats:30', { force: true });
      expect((await callbackAnswers(t.emu, [id]))[0]!.text).toBe(MSG.notAdmin);
    });

    it('/privacy says what is kept and for how long; /forget deletes that citizen’s questions and votes only', async () => {
      const lan = citizen();
      const minh = citizen();
      const answer = await ask(t.emu, lan, BUDGET_QUESTION);
      await ask(t.emu, lan, UNANSWERABLE);
      await ask(t.emu, minh, BUDGET_QUESTION);
      t.emu.pressButton(lan, answer, buttonsOf(answer).find((d) => d.endsWith(':up'))!);
      await expect.poll(async () => (await rowsOf(lan))[0]?.vote).toBe('up');

      const privacy = await ask(t.emu, lan, '/privacy');
      expect(privacy.plain_text).toContain('mã ẩn danh');
      expect(privacy.plain_text).toContain('30 ngày'); // LOG_RETENTION_DAYS of this bot
      expect(privacy.plain_text).toContain('/forget');

      const done = await ask(t.emu, lan, '/forget');
      expect(done.text).toBe(MSG.forgetDone(2, 1));
      expect(await rowsOf(lan)).toEqual([]);
      expect(await rowsOf(minh)).toHaveLength(1);
      const again = await ask(t.emu, lan, '/forget');
      expect(again.text).toBe(MSG.forgetDone(0, 0));
    });

    it('records older than LOG_RETENTION_DAYS are purged by the periodic job', async () => {
      const old = row({ at: Date.now() - 31 * DAY, question: 'Câu hỏi quá hạn' });
      const kept = row({ at: Date.now() - 29 * DAY, question: 'Câu hỏi còn hạn' });
      await direct([old, kept]);
      await expect
        .poll(
          async () =>
            (await t.bot.records.store.exportRows(0, Date.now()))
              .map((r) => r.question)
              .filter((q) => q.startsWith('Câu hỏi ')),
          { timeout: 5000 },
        )
        .toEqual(['Câu hỏi còn hạn']);
    });
  });

  describe.skipIf(backend.skip !== null)('upgrade and restart', () => {
    it('imports the old stats file once; the answer buttons keep working after a restart', async () => {
      const db = await backend.env();
      const dir = await makeTempDir();
      await makeCorpus(dir);
      await mkdir(path.join(dir, 'index'), { recursive: true });
      const legacyQuestion = 'Khi nào sửa đường Trường Chinh?';
      await writeFile(
        path.join(dir, 'index', 'stats.json'),
        JSON.stringify({
          version: 1,
          since: '2024-01-02T03:04:05.000Z',
          asked: 1234,
          answered: 1000,
          recentUnanswered: [{ question: legacyQuestion, at: new Date(Date.now() - DAY).toISOString() }],
        }),
      );
      const emu = await BotApiEmulator.start();
      try {
        const env = { ...db.env, RATE_LIMIT_PER_MINUTE: '1000' };
        const first = await startTestBot({ dir, emu, env, start: { records: RECORD_OPTIONS } });
        const user = citizen();
        let answer: SentMessage;
        try {
          expect(await readdir(path.join(dir, 'index'))).toContain('stats.json.imported');
          expect(await readdir(path.join(dir, 'index'))).not.toContain('stats.json');
          answer = await ask(emu, user, BUDGET_QUESTION);
          emu.sendCommand(ADMIN, '/stats 30');
          const [stats] = await newMessages(emu, ADMIN.id, 0);
          expect(stats!.plain_text).toContain('Trước khi có nhật ký');
          expect(stats!.plain_text).toContain('1.234 câu hỏi, trả lời được 1.000');
          expect(stats!.plain_text).toContain(`${legacyQuestion} — 1 lần`);
        } finally {
          await first.bot.stop();
        }

        const second = await startTestBot({ dir, emu, env, start: { records: RECORD_OPTIONS } });
        try {
          // Pressed on the message the first process sent: the vote lands in the record.
          const up = buttonsOf(answer).find((d) => d.endsWith(':up'))!;
          const id = emu.pressButton(user, answer, up);
          expect((await callbackAnswers(emu, [id]))[0]!.text).toBe(MSG.feedbackThanks);
          await second.bot.records.writer.flush();
          const rows = await second.bot.records.store.exportRows(0, Date.now() + 1);
          expect(rows.map((r) => [r.question, r.vote])).toEqual([
            [legacyQuestion, null],
            [BUDGET_QUESTION, 'up'],
          ]);
        } finally {
          await second.bot.stop();
        }
      } finally {
        await emu.stop();
        await rm(dir, { recursive: true, force: true });
        await db.cleanup();
      }
    });
  });
});
