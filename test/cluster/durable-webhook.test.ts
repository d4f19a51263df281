// Webhook mode with DATABASE_URL against a real PostgreSQL server (skipped, with the reason printed, when
// none answers): two bots share one database behind "Telegram" posting each update to one of them, some
// twice and to both; every question gets exactly one reply, the update is stored before the 200, and
// /healthz and /metrics see the database and the queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { captureLogs, makeCorpus, makeTempDir, startTestBot, type TestBot } from '../bot/helpers.js';
import { createQueueDatabase, postgresUnavailable, type QueueDatabase } from './pg-test-db.js';
import { freePort } from '../fixtures/free-port.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE } from '../fixtures/seed-report.js';
import { textUpdate } from '../fixtures/text-update.js';

const pgSkip = await postgresUnavailable('durable webhook');

const SECRET = 'durable-secret-0123456789';

describe.skipIf(pgSkip !== null)('webhook mode with the durable queue (two bots, one database)', () => {
  let db: QueueDatabase;
  let emu: BotApiEmulator;
  const bots: { t: TestBot; port: number }[] = [];

  beforeAll(async () => {
    captureLogs();
    db = await createQueueDatabase('dw');
    emu = await BotApiEmulator.start();
    for (const name of ['a', 'b']) {
      const dir = await makeTempDir(`durable-${name}-`);
      await makeCorpus(dir);
      const port = await freePort();
      const t = await startTestBot({
        emu,
        dir,
        env: {
          WEBHOOK_URL: 'https://bot.example.test/hook',
          WEBHOOK_SECRET: SECRET,
          WEBHOOK_PORT: String(port),
          DATABASE_URL: db.url,
          RATE_LIMIT_PER_MINUTE: '1000',
        },
      });
      bots.push({ t, port });
    }
  }, 60_000);

  afterAll(async () => {
    for (const { t } of bots) await t.bot.stop();
    await emu?.stop();
    await db?.drop();
  });

  const post = (port: number, body: unknown, secret = SECRET) =>
    fetch(`http://127.0.0.1:${port}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret },
      body: JSON.stringify(body),
    });
  const updateFor = (id: number, user: number, text = BUDGET_QUESTION) => textUpdate(id, user, text);

  it('stores the update before answering 200, refuses a wrong secret and a body that is not an update', async () => {
    expect((await post(bots[0]!.port, updateFor(1, 5001), 'wrong-secret-wrong-secret-x')).status).toBe(401);
    expect((await post(bots[0]!.port, { hello: 'world' })).status).toBe(400);
    expect((await post(bots[0]!.port, updateFor(2, 5001))).status).toBe(200);
    const { rows } = await db.pool.query('SELECT update_id FROM bot_updates WHERE update_id = 2');
    expect(rows).toHaveLength(1);
    const [reply] = await emu.waitForMessages(5001, 1);
    expect(reply!.plain_text).toContain(BUDGET_SENTENCE);
    expect(await db.pool.query('SELECT 1 FROM bot_updates WHERE update_id = 1')).toMatchObject({ rowCount: 0 });
  });

  it('answers every question exactly once when updates are spread over both bots and some delivered twice', async () => {
    const users = Array.from({ length: 30 }, (_, i) => 6000 + i);
    // Users in parallel; a user's two updates one after the other (the second posted once the first is
    // stored), as Telegram delivers a chat's updates.
    const statuses: number[] = [];
    await Promise.all(
      users.map(async (user) => {
        for (let q = 0; q < 2; q++) {
          const u = updateFor(user * 10 + q, user, q === 0 ? BUDGET_QUESTION : 'Thời tiết Đà Nẵng ngày mai thế nào?');
          const deliveries = [post(bots[user % 2]!.port, u)];
          // Every third update also reaches the other bot (a Telegram retry landing elsewhere).
          if (u.update_id % 3 === 0) deliveries.push(post(bots[(user + 1) % 2]!.port, u));
          for (const res of await Promise.all(deliveries)) statuses.push(res.status);
        }
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    await emu.waitFor(() => users.every((u) => emu.messagesTo(u).length >= 2), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const user of users) {
      const messages = emu.messagesTo(user);
      expect(messages, `user ${user}`).toHaveLength(2);
      // In order: the answer to the first question first.
      expect(messages[0]!.plain_text).toContain(BUDGET_SENTENCE);
    }
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS stored, count(replied_at)::int AS replied FROM bot_updates WHERE update_id >= 60000',
    );
    expect(rows[0]).toMatchObject({ stored: users.length * 2, replied: users.length * 2 });
    const openNow = (await db.pool.query('SELECT count(*)::int AS n FROM bot_updates WHERE done_at IS NULL')).rows[0].n;
    expect(openNow).toBe(0);
  });

  it('/healthz reports the database; /metrics the queue', async () => {
    const port = bots[1]!.port;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, database: 'ok' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^bot_update_queue_depth 0$/m);
    // Either bot's worker may have claimed any update (claims are batched): the questions are counted by
    // the process that answered them, so the two bots' counters add up to every question, once.
    const counted = { yes: 0, no: 0 };
    for (const bot of bots) {
      const text = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
      for (const answered of ['yes', 'no'] as const) {
        const line = new RegExp(`^bot_questions_total\\{answered="${answered}"\\} (\\d+)`, 'm').exec(text);
        counted[answered] += Number(line?.[1] ?? 0);
      }
    }
    // Update 2, then 30 users × 2 questions: the budget question is answered, the weather one is not.
    expect(counted).toEqual({ yes: 31, no: 30 });
  });
});
