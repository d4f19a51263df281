// Two bots in webhook mode sharing a PostgreSQL database (each with its own corpus and index folders), as
// `npm start` runs them: an admin's /reload, received by either, is built once; the admin gets the summary
// in the chat; the other bot serves the new report and counts it in /metrics as a loaded reload; a
// /synonym sent to one bot is used by the other without a build. Skipped
// with the reason printed without a PostgreSQL server (a failure under REQUIRE_POSTGRES=1).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { ADMIN, captureLogs, makeCorpus, makeTempDir, startTestBot, type TestBot } from '../bot/helpers.js';
import { freePort } from '../fixtures/free-port.js';
import { createQueueDatabase, postgresUnavailable, type QueueDatabase } from './pg-test-db.js';

const pgSkip = await postgresUnavailable('central index, two bots');
const SECRET = 'central-bot-secret-0123456789';
const NEW_FILE = 'camera-giao-thong-2020.txt';
const NEW_REPORT =
  '---\ntitle: Báo cáo camera giao thông 2020\n---\nQuận lắp đặt 40 camera giao thông trong năm 2020.\n';

/** The value of one series in Prometheus text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe.skipIf(pgSkip !== null)('central index: two bots, one database', () => {
  let db: QueueDatabase;
  let emu: BotApiEmulator;
  const bots: { t: TestBot; port: number; corpus: string }[] = [];

  beforeAll(async () => {
    captureLogs();
    db = await createQueueDatabase('cbot');
    emu = await BotApiEmulator.start();
    for (const name of ['a', 'b']) {
      const dir = await makeTempDir(`central-${name}-`);
      const corpus = await makeCorpus(dir);
      const port = await freePort();
      const env = {
        WEBHOOK_URL: 'https://bot.example.test/hook',
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_PORT: String(port),
        DATABASE_URL: db.url,
        INDEX_POLL_SECONDS: '1',
      };
      bots.push({ t: await startTestBot({ emu, dir, env }), port, corpus });
    }
  }, 120_000);

  afterAll(async () => {
    for (const { t } of bots) await t.bot.stop();
    await emu?.stop();
    await db?.drop();
  });

  /** The admin's command as Telegram posts it to bot `bot`'s webhook. */
  async function adminCommand(bot: number, updateId: number, text: string) {
    const command = text.split(' ')[0]!;
    const update = {
      update_id: updateId,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: ADMIN.id, type: 'private', first_name: ADMIN.first_name },
        from: { id: ADMIN.id, is_bot: false, first_name: ADMIN.first_name },
        text,
        entities: [{ type: 'bot_command', offset: 0, length: command.length }],
      },
    };
    const posted = await fetch(`http://127.0.0.1:${bots[bot]!.port}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify(update),
    });
    expect(posted.status).toBe(200);
  }

  const metricsOf = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('builds once at start-up: the second bot loaded the first one’s index', async () => {
    const { rows } = await db.pool.query('SELECT count(*) AS n FROM index_bundles');
    expect(Number(rows[0].n)).toBe(1);
    expect(bots[1]!.t.bot.engine.status().documents).toEqual(bots[0]!.t.bot.engine.status().documents);
  });

  it('a /reload handled by either bot is built once; the admin gets the summary; both serve the new report', async () => {
    // An operator copies a report into the corpus folders; the admin sends /reload (to either copy).
    for (const { corpus } of bots) await writeFile(path.join(corpus, NEW_FILE), NEW_REPORT);
    await adminCommand(0, 1, '/reload');
    await emu.waitFor(
      () => emu.messagesTo(ADMIN.id).some((m) => (m.plain_text ?? '').includes('Đã nạp lại xong')),
      30_000,
    );
    for (const { t } of bots) {
      await emu.waitFor(() => t.bot.engine.status().documents.some((d) => d.source === NEW_FILE), 30_000);
      const answer = await t.bot.engine.ask('Quận lắp đặt bao nhiêu camera giao thông năm 2020?');
      expect(answer.citation?.source).toBe(NEW_FILE);
    }
    const texts = await Promise.all(bots.map(({ port }) => metricsOf(port)));
    const total = (series: string) => texts.reduce((sum, text) => sum + sample(text, series), 0);
    expect(total('bot_reloads_total{outcome="ok",source="built"}')).toBe(1);
    expect(total('bot_reloads_total{outcome="ok",source="loaded"}')).toBe(1);
    const { rows } = await db.pool.query('SELECT count(*) AS n FROM index_bundles');
    expect(Number(rows[0].n)).toBe(2);
  });

  it('a /synonym sent to one bot is confirmed and used by the other bot, without a build', async () => {
    // "ngân khố" is in no report nor in the built-in thesaurus; the report says "thu ngân sách … 57%".
    const question = 'ngân khố đạt bao nhiêu';
    const other = bots[1]!.t.bot.engine;
    expect((await other.ask(question)).answered).toBe(false);
    const before = emu.messagesTo(ADMIN.id).length;
    await adminCommand(0, 2, '/synonym ngân khố = ngân sách');
    await emu.waitFor(
      () =>
        emu
          .messagesTo(ADMIN.id)
          .slice(before)
          .some((m) => (m.plain_text ?? m.text ?? '').includes('Đã thêm nhóm từ đồng nghĩa')),
      30_000,
    );
    const deadline = Date.now() + 30_000;
    while (!(await other.ask(question)).excerpt.includes('57%')) {
      if (Date.now() > deadline) throw new Error('the other bot never used the synonym');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { rows } = await db.pool.query('SELECT count(*) AS n FROM index_bundles');
    expect(Number(rows[0].n)).toBe(2); // the bundle of the /reload above: none for the synonym
  });
});
