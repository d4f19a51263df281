// The durable update queue against a real PostgreSQL server (a database created and dropped per run;
// skipped, with the reason printed, when no server answers): an update stored twice is stored once; a
// worker that "dies" holding a lease loses the update to another worker once the lease runs out; an
// update re-claimed after its reply went out is not run again; a chat's updates run in order; several
// workers share a backlog with every update run exactly once. Leases are short here (hundreds of ms);
// nothing asserts how long anything took.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatOf,
  ensureUpdateQueueSchema,
  UpdateQueue,
  UPDATE_QUEUE_MIGRATIONS,
} from '../../src/cluster/update-queue.js';
import { queuedRunOf, UpdateWorker } from '../../src/cluster/update-worker.js';
import { setLogLevel } from '../../src/log.js';
import { createQueueDatabase, postgresUnavailable, type QueueDatabase } from './pg-test-db.js';

const pgSkip = await postgresUnavailable('update queue');

let nextId = 1;
function update(chat: number, text = 'câu hỏi') {
  const id = nextId++;
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      chat: { id: chat, type: 'private' },
      from: { id: chat, is_bot: false, first_name: 'A' },
      text,
    },
  };
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(20);
  }
}

describe.skipIf(pgSkip !== null)('durable update queue (PostgreSQL)', () => {
  let db: QueueDatabase;
  let queue: UpdateQueue;

  beforeAll(async () => {
    setLogLevel('error');
    db = await createQueueDatabase();
    // Copies starting together create the tables at once; the advisory lock keeps that from clashing.
    const otherProcesses = [1, 2, 3].map(() => new pg.Pool({ connectionString: db.url, max: 1 }));
    try {
      await Promise.all([db.pool, ...otherProcesses].map((pool) => ensureUpdateQueueSchema(pool)));
    } finally {
      await Promise.all(otherProcesses.map((pool) => pool.end()));
    }
    // Idempotent: the migrations can run again at every start.
    await ensureUpdateQueueSchema(db.pool);
    queue = new UpdateQueue(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const open = async () =>
    Number((await db.pool.query('SELECT count(*) FROM bot_updates WHERE done_at IS NULL')).rows[0].count);
  const clear = () => db.pool.query('DELETE FROM bot_updates');

  it('exports its schema as an ordered list of SQL statements', () => {
    expect(UPDATE_QUEUE_MIGRATIONS.length).toBeGreaterThan(0);
    expect(UPDATE_QUEUE_MIGRATIONS[0]).toMatch(/CREATE TABLE IF NOT EXISTS bot_updates/);
  });

  it('stores an update delivered twice (same update_id) once', async () => {
    await clear();
    const u = update(10);
    expect(await queue.enqueue(u)).toBe(true);
    const resent = { ...u, message: { ...u.message, text: 'resent' } };
    expect(await queue.enqueue(resent)).toBe(false);
    const { rows } = await db.pool.query('SELECT payload FROM bot_updates WHERE update_id = $1', [u.update_id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload.message.text).toBe('câu hỏi');
    expect(chatOf(u)).toBe(10);
    expect(await queue.state()).toMatchObject({ depth: 1 });
  });

  it('stores, confirms, marks and finishes many updates asked for at once, each with its own answer', async () => {
    await clear();
    const updates = Array.from({ length: 30 }, (_, i) => update(500 + i));
    // The same update delivered twice within one burst is new once.
    const stored = await Promise.all([...updates, updates[0]!].map((u) => queue.enqueue(u)));
    expect(stored.filter(Boolean)).toHaveLength(30);
    expect(stored.at(-1)).toBe(false);
    const claimed = await queue.claim('w1', 60_000, 100);
    expect(claimed.map((c) => c.updateId)).toEqual(updates.map((u) => u.update_id));
    const ids = claimed.map((c) => c.updateId);
    // Another worker's confirmation fails for each, the holder's succeeds for each.
    expect(await Promise.all(ids.map((id) => queue.confirmLease(id, 'w2', 60_000)))).toEqual(ids.map(() => false));
    expect(await Promise.all(ids.map((id) => queue.confirmLease(id, 'w1', 60_000)))).toEqual(ids.map(() => true));
    // Marked twice at once: one of the two says it marked.
    const marks = await Promise.all(ids.flatMap((id) => [queue.markReplied(id), queue.markReplied(id)]));
    expect(marks.filter(Boolean)).toHaveLength(30);
    // Only the holder finishes them; an error is kept per update.
    expect(await Promise.all(ids.map((id) => queue.complete(id, 'w2')))).toEqual(ids.map(() => false));
    const done = await Promise.all(ids.map((id, i) => queue.complete(id, 'w1', i === 0 ? 'boom' : undefined)));
    expect(done).toEqual(ids.map(() => true));
    const { rows } = await db.pool.query(
      'SELECT update_id, last_error, replied_at IS NOT NULL AS replied, reply_attempts FROM bot_updates WHERE done_at IS NOT NULL ORDER BY update_id',
    );
    expect(rows).toHaveLength(30);
    expect(rows.map((r) => r.last_error)).toEqual(['boom', ...ids.slice(1).map(() => null)]);
    expect(rows.every((r) => r.replied && r.reply_attempts === 1)).toBe(true);
    expect(await open()).toBe(0);
  });

  it('a worker that dies holding a lease: nobody else gets the update until the lease runs out, then another worker does', async () => {
    await clear();
    const u = update(11);
    await queue.enqueue(u);
    const [claimedByDead] = await queue.claim('dead-worker', 400, 10);
    expect(claimedByDead).toMatchObject({ updateId: u.update_id, attempts: 1, repliedAt: null });
    // While the lease holds, nobody else can claim it.
    expect(await queue.claim('other', 400, 10)).toEqual([]);
    // The dead worker never completes; after its lease runs out another worker claims it.
    let again: Awaited<ReturnType<UpdateQueue['claim']>> = [];
    await until(async () => {
      again = await queue.claim('survivor', 5000, 10);
      return again.length > 0;
    }, 'the expired lease to be claimed again');
    expect(again[0]).toMatchObject({ updateId: u.update_id, attempts: 2 });
    expect(again[0]!.update).toEqual(u);
    // The dead worker, were it to wake up, can no longer finish what it lost.
    expect(await queue.complete(u.update_id, 'dead-worker')).toBe(false);
    expect(await queue.complete(u.update_id, 'survivor')).toBe(true);
    expect(await open()).toBe(0);
  });

  it('an update whose reply went out before its worker died is finished, not run again', async () => {
    await clear();
    const u = update(12);
    await queue.enqueue(u);
    await queue.claim('dies-after-replying', 300, 10);
    expect(await queue.markReplied(u.update_id)).toBe(true);
    expect(await queue.markReplied(u.update_id)).toBe(false);
    const ran: number[] = [];
    const worker = new UpdateWorker({
      queue,
      owner: 'survivor',
      leaseMs: 2000,
      pollMs: 50,
      handle: async (c) => void ran.push(c.updateId),
    });
    worker.start();
    try {
      await until(async () => (await open()) === 0, 'the re-claimed update to be finished');
    } finally {
      await worker.stop();
    }
    expect(ran).toEqual([]);
    const { rows } = await db.pool.query('SELECT attempts, done_at, replied_at FROM bot_updates WHERE update_id = $1', [
      u.update_id,
    ]);
    expect(rows[0].attempts).toBe(2);
    expect(rows[0].done_at).not.toBeNull();
  });

  it('counts a reply sent again after a run died while sending it, and says so when claiming it', async () => {
    await clear();
    const u = update(14);
    await queue.enqueue(u);
    await queue.claim('dies-while-sending', 200, 10);
    // Confirmed for its first reply, then killed before the reply was marked: it may or may not have gone out.
    expect(await queue.confirmLease(u.update_id, 'dies-while-sending', 200)).toBe(true);
    expect(await queue.interruptedReplies()).toBe(0);
    let again: Awaited<ReturnType<UpdateQueue['claim']>> = [];
    await until(async () => {
      again = await queue.claim('survivor', 5000, 10);
      return again.length > 0;
    }, 'the lease to run out and be taken');
    expect(again[0]).toMatchObject({ updateId: u.update_id, repliedAt: null, replyAttempts: 1 });
    expect(await queue.confirmLease(u.update_id, 'survivor', 5000)).toBe(true);
    expect(await queue.interruptedReplies()).toBe(1);
  });

  it('a worker that stalled past its lease may not reply once another worker holds the update', async () => {
    await clear();
    const u = update(13);
    await queue.enqueue(u);
    await queue.claim('stalled', 200, 10);
    let taken: Awaited<ReturnType<UpdateQueue['claim']>> = [];
    await until(async () => {
      taken = await queue.claim('taker', 5000, 10);
      return taken.length > 0;
    }, 'the lease to run out and be taken');
    expect(await queue.confirmLease(u.update_id, 'stalled', 5000)).toBe(false);
    expect(await queue.confirmLease(u.update_id, 'taker', 5000)).toBe(true);
    await queue.markReplied(u.update_id);
    // Answered: nobody confirms a first reply any more.
    expect(await queue.confirmLease(u.update_id, 'taker', 5000)).toBe(false);
  });

  it("runs one chat's updates in order, one at a time, across workers", async () => {
    await clear();
    const a1 = update(20);
    const a2 = update(20);
    const b1 = update(21);
    for (const u of [a1, a2, b1]) await queue.enqueue(u);
    const first = await queue.claim('w1', 5000, 10);
    expect(first.map((c) => c.updateId)).toEqual([a1.update_id, b1.update_id]);
    // a2 waits for a1 even for another worker.
    expect(await queue.claim('w2', 5000, 10)).toEqual([]);
    await queue.complete(a1.update_id, 'w1');
    expect((await queue.claim('w2', 5000, 10)).map((c) => c.updateId)).toEqual([a2.update_id]);
  });

  it('three workers share a backlog: every update run exactly once, in order within each chat', async () => {
    await clear();
    const chats = 40;
    const perChat = 5;
    const expected = new Map<number, number[]>();
    for (let i = 0; i < perChat; i++) {
      for (let c = 0; c < chats; c++) {
        const u = update(1000 + c);
        expected.set(1000 + c, [...(expected.get(1000 + c) ?? []), u.update_id]);
        await queue.enqueue(u);
      }
    }
    const runs: { worker: string; update: number; chat: number }[] = [];
    const workers = ['w1', 'w2', 'w3'].map(
      (owner) =>
        new UpdateWorker({
          queue,
          owner,
          concurrency: 8,
          leaseMs: 5000,
          pollMs: 20,
          handle: async (c) => {
            expect(queuedRunOf(c.update)?.updateId).toBe(c.updateId);
            await sleep(Math.random() * 5);
            runs.push({ worker: owner, update: c.updateId, chat: chatOf(c.update)! });
          },
        }),
    );
    for (const w of workers) w.start();
    try {
      await until(async () => (await open()) === 0, 'the backlog to be run');
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect(runs).toHaveLength(chats * perChat);
    expect(new Set(runs.map((r) => r.update)).size).toBe(chats * perChat);
    for (const [chat, ids] of expected) expect(runs.filter((r) => r.chat === chat).map((r) => r.update)).toEqual(ids);
    // The work was shared (each worker ran some).
    for (const w of ['w1', 'w2', 'w3']) expect(runs.some((r) => r.worker === w)).toBe(true);
  });

  it('keeps the lease of a long update alive, so no other worker takes it meanwhile', async () => {
    await clear();
    const u = update(30);
    await queue.enqueue(u);
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new UpdateWorker({
      queue,
      owner: 'slow',
      leaseMs: 300,
      pollMs: 20,
      handle: async () => {
        ran.push('slow');
        await gate;
      },
    });
    slow.start();
    await until(() => ran.length === 1, 'the slow worker to start');
    const other = new UpdateWorker({
      queue,
      owner: 'other',
      leaseMs: 300,
      pollMs: 20,
      handle: async () => void ran.push('other'),
    });
    other.start();
    // Several lease lengths pass while the slow one runs; its renewals keep the update its own.
    await sleep(1200);
    release();
    try {
      await until(async () => (await open()) === 0, 'the slow update to finish');
    } finally {
      await Promise.all([slow.stop(), other.stop()]);
    }
    expect(ran).toEqual(['slow']);
  });

  it('gives an update up after too many attempts, and prunes finished updates', async () => {
    await clear();
    const u = update(40);
    await queue.enqueue(u);
    await db.pool.query('UPDATE bot_updates SET attempts = 5 WHERE update_id = $1', [u.update_id]);
    const ran: number[] = [];
    const worker = new UpdateWorker({
      queue,
      owner: 'w',
      pollMs: 20,
      maxAttempts: 5,
      handle: async (c) => void ran.push(c.updateId),
    });
    worker.start();
    try {
      await until(async () => (await open()) === 0, 'the update to be given up');
    } finally {
      await worker.stop();
    }
    expect(ran).toEqual([]);
    const { rows } = await db.pool.query('SELECT last_error FROM bot_updates WHERE update_id = $1', [u.update_id]);
    expect(rows[0].last_error).toMatch(/given up/);
    expect(await queue.prune(0)).toBeGreaterThanOrEqual(1);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM bot_updates')).rows[0].n).toBe(0);
  });
});
