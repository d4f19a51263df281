// How many updates the PostgreSQL queue hands out per second: N updates from M chats stored, then W
// workers (in this process, each with its own pool connection set) claim, "run" (nothing) and complete
// them. Reports enqueue/s and claimed+completed/s for a batch size of 1 (one claim per update) and for the
// worker's default behaviour (claim as many as it has room for). Needs PostgreSQL (PG_TEST_URL, default
// postgres://postgres@127.0.0.1:5432/test); a database is created and dropped.
//
// Standalone: npx tsx test/bench/update-queue.ts [--updates 5000] [--chats 500] [--workers 3]
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureUpdateQueueSchema, UpdateQueue } from '../../src/cluster/update-queue.js';
import { UpdateWorker } from '../../src/cluster/update-worker.js';
import { setLogLevel } from '../../src/log.js';
import { createQueueDatabase, probeServer } from '../cluster/pg-test-db.js';

export interface QueueBenchResult {
  updates: number;
  chats: number;
  workers: number;
  enqueuePerSecond: number;
  /** One claim per update, `workers` loops in parallel. */
  singleClaimsPerSecond: number;
  /** UpdateWorker with concurrency 50 (batched claims), `workers` of them. */
  workerUpdatesPerSecond: number;
}

function fakeUpdate(id: number, chat: number) {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      chat: { id: chat, type: 'private' },
      from: { id: chat, is_bot: false, first_name: 'A' },
      text: 'Mục tiêu thu ngân sách là bao nhiêu?',
    },
  };
}

export async function benchUpdateQueue(options: {
  updates: number;
  chats: number;
  workers: number;
}): Promise<QueueBenchResult | { skipped: string }> {
  const server = await probeServer();
  if (!server.available) return { skipped: server.reason };
  setLogLevel('error');
  const db = await createQueueDatabase('uqbench');
  const pools: pg.Pool[] = [];
  try {
    await ensureUpdateQueueSchema(db.pool);
    const queue = new UpdateQueue(db.pool);
    const fill = async (offset: number) => {
      const started = performance.now();
      let next = 0;
      // 20 concurrent webhook calls, as a proxy would send them.
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < options.updates) {
            const i = next++;
            await queue.enqueue(fakeUpdate(offset + i, 1 + (i % options.chats)));
          }
        }),
      );
      return options.updates / ((performance.now() - started) / 1000);
    };
    const open = async () =>
      Number((await db.pool.query('SELECT count(*) FROM bot_updates WHERE done_at IS NULL')).rows[0].count);

    const enqueuePerSecond = await fill(1);
    // One claim of one update at a time per loop.
    const workerQueues = Array.from({ length: options.workers }, () => {
      const pool = new pg.Pool({ connectionString: db.url, max: 10 });
      pools.push(pool);
      return new UpdateQueue(pool);
    });
    let started = performance.now();
    await Promise.all(
      workerQueues.map(async (q, w) => {
        for (;;) {
          const [claimed] = await q.claim(`single-${w}`, 30_000, 1);
          if (!claimed) {
            if ((await open()) === 0) return;
            continue;
          }
          await q.complete(claimed.updateId, `single-${w}`);
        }
      }),
    );
    const singleClaimsPerSecond = options.updates / ((performance.now() - started) / 1000);

    await fill(10_000_000);
    const workers = workerQueues.map(
      (q, w) =>
        new UpdateWorker({
          queue: q,
          owner: `worker-${w}`,
          concurrency: 50,
          pollMs: 10,
          handle: async () => undefined,
        }),
    );
    started = performance.now();
    for (const w of workers) w.start();
    while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const workerUpdatesPerSecond = options.updates / ((performance.now() - started) / 1000);
    await Promise.all(workers.map((w) => w.stop()));
    const round = (n: number) => Math.round(n);
    return {
      ...options,
      enqueuePerSecond: round(enqueuePerSecond),
      singleClaimsPerSecond: round(singleClaimsPerSecond),
      workerUpdatesPerSecond: round(workerUpdatesPerSecond),
    };
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      updates: { type: 'string', default: '5000' },
      chats: { type: 'string', default: '500' },
      workers: { type: 'string', default: '3' },
    },
  });
  benchUpdateQueue({
    updates: Number(values.updates),
    chats: Number(values.chats),
    workers: Number(values.workers),
  }).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error: unknown) => {
      process.stderr.write(`update-queue bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
