// The shared state of several bot copies against a real PostgreSQL server (a database created and
// dropped per run; skipped with the reason printed when no server answers, a failure under
// REQUIRE_POSTGRES=1): button answers written by one "process" (a store on its own pool) are found by
// another, only in their chat and only until they expire, and the table stays bounded; the shared rate
// limit gives exactly the in-memory limiter's verdicts, also when copies count one user at once; both
// fail open, counted, when the database is unreachable. Clocks are injected; no timing is asserted.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answer/types.js';
import { memoryRateLimitCounter, type RateLimitVerdict } from '../../src/bot/middleware/rate-limit.js';
import { PostgresAnswerStore } from '../../src/cluster/shared-answers.js';
import { PostgresRateLimitCounter } from '../../src/cluster/shared-rate-limit.js';
import { ensureSharedStateSchema, openSharedState } from '../../src/cluster/shared-state.js';
import { setLogLevel } from '../../src/log.js';
import { freePort } from '../fixtures/free-port.js';
import { createQueueDatabase, postgresUnavailable, type QueueDatabase } from './pg-test-db.js';

const pgSkip = await postgresUnavailable('shared state');

const HOUR = 60 * 60 * 1000;

function answer(question: string): Answer {
  return {
    question,
    answered: true,
    excerpt: `Trả lời: ${question}`,
    citation: { title: 'Báo cáo 2019', section: 'I. Kinh tế', date: '2019-07', source: 'bao-cao-2019.txt' },
    passages: [
      {
        passage: {
          id: 'bao-cao-2019.txt#3',
          docTitle: 'Báo cáo 2019',
          date: '2019-07',
          section: 'I. Kinh tế',
          source: 'bao-cao-2019.txt',
          position: 3,
          text: 'Thu ngân sách đạt 1.234 tỷ đồng, bằng 98% dự toán "năm".',
        },
        score: 0.87,
      },
    ],
    confidence: 0.75,
  };
}

/** A pool on a port where nothing listens: every statement fails at once. */
async function deadPool(): Promise<pg.Pool> {
  const port = await freePort();
  return new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 500 });
}

async function rowCount(db: QueueDatabase, table: string): Promise<number> {
  return Number((await db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

describe.skipIf(pgSkip !== null)('shared state of several bot copies (PostgreSQL)', () => {
  let db: QueueDatabase;
  /** A second pool on the same database: another bot process. */
  let otherProcess: pg.Pool;

  beforeAll(async () => {
    setLogLevel('error');
    db = await createQueueDatabase('shared');
    otherProcess = new pg.Pool({ connectionString: db.url, max: 4 });
    // Copies starting together create the tables at once; the advisory lock keeps that from clashing.
    await Promise.all([ensureSharedStateSchema(db.pool), ensureSharedStateSchema(otherProcess)]);
    await ensureSharedStateSchema(db.pool);
  });
  afterAll(async () => {
    await otherProcess?.end();
    await db?.drop();
  });

  describe('button answers', () => {
    it("finds an answer stored by another process, equal to the original, in the answer's chat only", async () => {
      const writer = new PostgresAnswerStore(db.pool);
      const reader = new PostgresAnswerStore(otherProcess);
      const original = answer('Thu ngân sách năm 2019 đạt bao nhiêu?');
      const { id, stored } = writer.put(original, 42);
      expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
      await stored;
      const found = await reader.get(id, 42);
      expect(found?.answer).toEqual(original);
      expect(found?.chatId).toBe(42);
      expect(await reader.get(id, 43)).toBeNull();
      expect(await reader.get('nosuchid', 42)).toBeNull();
      // The writer answers from its own memory, the same answer.
      expect((await writer.get(id, 42))?.answer).toBe(original);
    });

    it('serves an answer up to maxAge and not after', async () => {
      let t = Date.parse('2026-06-01T08:00:00Z');
      const now = () => t;
      const writer = new PostgresAnswerStore(db.pool, { now, maxAgeMs: 24 * HOUR });
      const reader = new PostgresAnswerStore(otherProcess, { now, maxAgeMs: 24 * HOUR });
      const { id, stored } = writer.put(answer('Cây xanh?'), 7);
      await stored;
      t += 24 * HOUR;
      expect((await reader.get(id, 7))?.createdAt).toBe(Date.parse('2026-06-01T08:00:00Z'));
      t += 1;
      expect(await reader.get(id, 7)).toBeNull();
    });

    it('prunes expired rows and keeps at most `capacity` rows, the newest', async () => {
      await db.pool.query('DELETE FROM bot_answers');
      let t = Date.parse('2026-06-02T08:00:00Z');
      const store = new PostgresAnswerStore(db.pool, { now: () => t, capacity: 3, pruneEveryMs: 0, maxAgeMs: HOUR });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const put = store.put(answer(`câu ${i}`), 5);
        ids.push(put.id);
        await put.stored;
        t += 1000;
      }
      // The prune runs after the insert, unawaited; wait until it has.
      await expect.poll(() => rowCount(db, 'bot_answers')).toBe(3);
      const reader = new PostgresAnswerStore(otherProcess, { now: () => t, maxAgeMs: HOUR });
      expect(await reader.get(ids[2]!, 5)).toBeNull();
      expect((await reader.get(ids[5]!, 5))?.answer.question).toBe('câu 5');
      t += 2 * HOUR;
      store.put(answer('mới'), 5);
      await expect.poll(() => rowCount(db, 'bot_answers')).toBe(1);
    });

    it('keeps answering from memory, and counts the failures, when the database is unreachable', async () => {
      const pool = await deadPool();
      const errors: string[] = [];
      const store = new PostgresAnswerStore(pool, { onDatabaseError: (op) => errors.push(op) });
      const { id, stored } = store.put(answer('Khi mất kết nối?'), 9);
      await expect(stored).resolves.toBeUndefined();
      expect((await store.get(id, 9))?.answer.question).toBe('Khi mất kết nối?');
      expect(await store.get('elsewhere', 9)).toBeNull();
      expect(errors).toEqual(['answer-insert', 'answer-lookup']);
      await pool.end();
    });
  });

  describe('rate limit', () => {
    it('gives the in-memory limiter’s verdicts, with two processes counting the same users in turn', async () => {
      let t = 5_000_000;
      const now = () => t;
      const options = { limit: 3, windowMs: 10_000, now };
      const memory = memoryRateLimitCounter(options);
      const processes = [
        new PostgresRateLimitCounter(db.pool, options),
        new PostgresRateLimitCounter(otherProcess, options),
      ];
      // A fixed pseudo-random walk: bursts, pauses shorter and longer than the window, three users.
      let seed = 12345;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const expected: RateLimitVerdict[] = [];
      const got: RateLimitVerdict[] = [];
      for (let i = 0; i < 300; i++) {
        const user = `u${Math.floor(random() * 3)}`;
        t += random() < 0.1 ? Math.floor(random() * 15_000) : Math.floor(random() * 1500);
        expected.push(memory.hit(user) as RateLimitVerdict);
        got.push(await processes[i % 2]!.hit(user));
      }
      expect(got).toEqual(expected);
      expect(new Set(got)).toEqual(new Set(['pass', 'notice', 'drop']));
    });

    it('lets exactly `limit` through, and one notice, when three processes count one user at once', async () => {
      const pools = [db.pool, otherProcess, new pg.Pool({ connectionString: db.url, max: 4 })];
      const counters = pools.map((pool) => new PostgresRateLimitCounter(pool, { limit: 5 }));
      const verdicts = await Promise.all(Array.from({ length: 30 }, (_, i) => counters[i % 3]!.hit('flooder')));
      expect(verdicts.filter((v) => v === 'pass')).toHaveLength(5);
      expect(verdicts.filter((v) => v === 'notice')).toHaveLength(1);
      expect(verdicts.filter((v) => v === 'drop')).toHaveLength(24);
      await pools[2]!.end();
    });

    it('gives each of many users counted at once (one statement for them) the in-memory verdicts', async () => {
      const t = 7_000_000;
      const options = { limit: 2, windowMs: 10_000, now: () => t };
      const memory = memoryRateLimitCounter(options);
      const counter = new PostgresRateLimitCounter(db.pool, options);
      const users = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
      // Every user three times, all asked in one go: the same user never twice in one statement.
      const asked = [...users, ...users, ...users];
      const expected = asked.map((user) => memory.hit(user));
      const got = await Promise.all(asked.map((user) => counter.hit(user)));
      expect(got).toEqual(expected);
      expect(got.slice(0, 80).every((v) => v === 'pass')).toBe(true);
      expect(got.slice(80).every((v) => v === 'notice')).toBe(true);
    });

    it('deletes the rows of users idle for a whole window', async () => {
      await db.pool.query('DELETE FROM bot_rate_limits');
      let t = 9_000_000;
      const counter = new PostgresRateLimitCounter(db.pool, { limit: 2, windowMs: 1000, now: () => t });
      await counter.hit('a');
      await counter.hit('b');
      t += 500;
      await counter.hit('b');
      t += 600; // 'a' idle 1100 ms, 'b' 600 ms: the first hit after a window prunes
      await counter.hit('c');
      await expect
        .poll(async () => (await db.pool.query('SELECT user_key FROM bot_rate_limits ORDER BY 1')).rows)
        .toEqual([{ user_key: 'b' }, { user_key: 'c' }]);
    });

    it('lets updates through, counted, when the database is unreachable', async () => {
      const pool = await deadPool();
      const errors: string[] = [];
      const counter = new PostgresRateLimitCounter(pool, { limit: 1, onDatabaseError: (op) => errors.push(op) });
      expect([await counter.hit('x'), await counter.hit('x'), await counter.hit('x')]).toEqual([
        'pass',
        'pass',
        'pass',
      ]);
      expect(errors).toEqual(['rate-limit', 'rate-limit', 'rate-limit']);
      await pool.end();
    });
  });

  it('openSharedState makes its tables on first use, and shares the rate limit only when asked', async () => {
    const fresh = await createQueueDatabase('shared_open');
    try {
      const polling = openSharedState(fresh.url, { rateLimitPerMinute: 2, sharedRateLimit: false });
      expect(polling.rateLimits).toBeUndefined();
      await polling.close();
      const [a, b] = [1, 2].map(() => openSharedState(fresh.url, { rateLimitPerMinute: 2, sharedRateLimit: true }));
      const put = a!.answers.put(answer('Hỏi?'), 11);
      await put.stored;
      expect((await b!.answers.get(put.id, 11))?.answer.question).toBe('Hỏi?');
      const verdicts = [await a!.rateLimits!.hit('u'), await b!.rateLimits!.hit('u'), await a!.rateLimits!.hit('u')];
      expect(verdicts).toEqual(['pass', 'pass', 'notice']);
      await Promise.all([a!.close(), b!.close()]);
    } finally {
      await fresh.drop();
    }
  });

  it('prepare makes the tables and opens the kept connections before any update', async () => {
    const fresh = await createQueueDatabase('shared_prepare');
    try {
      const shared = openSharedState(fresh.url, { rateLimitPerMinute: 2, sharedRateLimit: true });
      await shared.prepare();
      const { rows } = await fresh.pool.query(
        `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()) AS connections,
                to_regclass('bot_answers') IS NOT NULL AND to_regclass('bot_rate_limits') IS NOT NULL AS tables`,
      );
      // This query's own connection, and the two the shared state keeps.
      expect(rows[0]).toEqual({ connections: 3, tables: true });
      await shared.close();
    } finally {
      await fresh.drop();
    }
  });
});
