// What the shared state costs per operation on PostgreSQL: storing a button's answer (a realistic
// three-passage answer, as on every answered question), looking it up from another process's store (a
// press that reaches another copy), and one rate-limit count (every update in webhook mode with
// DATABASE_URL). Also the extra time an answered question's handler takes when the INSERT runs alongside
// a reply that itself takes `--reply-ms` (the Telegram round trip). Operations run one at a time, as a
// single user's would; with the bot's pool (synchronous_commit=off) and with a default one. Needs PostgreSQL (see test/fixtures/postgres.ts); a database is created and dropped.
//
// Standalone: npx tsx test/bench/shared-state.ts [--ops 500] [--reply-ms 40]   (prints a JSON summary)
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Answer } from '../../src/answer/types.js';
import { PostgresAnswerStore } from '../../src/cluster/shared-answers.js';
import { PostgresRateLimitCounter } from '../../src/cluster/shared-rate-limit.js';
import { ensureSharedStateSchema, sharedStatePool } from '../../src/cluster/shared-state.js';
import { setLogLevel } from '../../src/log.js';
import { createQueueDatabase, probeServer } from '../cluster/pg-test-db.js';

type Percentiles = { p50: number; p95: number; max: number };

function percentiles(ms: number[]): Percentiles {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]!) };
}

async function timed(n: number, op: (i: number) => Promise<unknown>): Promise<Percentiles> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await op(i);
    ms.push(performance.now() - started);
  }
  return percentiles(ms);
}

/** About the size of a real answer: three passages of a report, citation, excerpt. */
function realisticAnswer(i: number): Answer {
  const text = 'Thu ngân sách trên địa bàn quận 6 tháng đầu năm ước đạt 612 tỷ đồng, bằng 58% dự toán. '.repeat(8);
  const passage = (n: number) => ({
    passage: {
      id: `bao-cao.txt#${n}`,
      docTitle: 'Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ',
      date: '2018-07',
      section: 'I. Kinh tế',
      source: 'bao-cao.txt',
      position: n,
      text,
    },
    score: 0.5,
  });
  return {
    question: `Câu hỏi số ${i}?`,
    answered: true,
    excerpt: text.slice(0, 200),
    citation: { title: 'Báo cáo', section: 'I. Kinh tế', date: '2018-07', source: 'bao-cao.txt' },
    passages: [passage(1), passage(2), passage(3)],
    confidence: 0.8,
  };
}

/** The figures of one pool configuration. */
async function measure(pool: pg.Pool, other: pg.Pool, options: { ops: number; replyMs: number }) {
  const writer = new PostgresAnswerStore(pool);
  const reader = new PostgresAnswerStore(other);
  const ids: string[] = [];
  const insertMs = await timed(options.ops, async (i) => {
    const put = writer.put(realisticAnswer(i), 1000 + (i % 50));
    ids.push(put.id);
    await put.stored;
  });
  const lookupFromOtherProcessMs = await timed(options.ops, (i) => reader.get(ids[i]!, 1000 + (i % 50)));
  const counter = new PostgresRateLimitCounter(pool, { limit: 20 });
  const rateLimitHitMs = await timed(options.ops, (i) => counter.hit(`user-${i % 50}`));
  const reply = () => new Promise((resolve) => setTimeout(resolve, options.replyMs));
  const handlerWithoutInsertMs = await timed(100, () => reply());
  const handlerWithInsertMs = await timed(100, async (i) => {
    const put = writer.put(realisticAnswer(i), 7);
    await reply();
    await put.stored;
  });
  return { insertMs, lookupFromOtherProcessMs, rateLimitHitMs, handlerWithoutInsertMs, handlerWithInsertMs };
}

export async function runSharedStateBench(options: { ops: number; replyMs: number }) {
  const server = await probeServer();
  if (!server.available) return { skipped: server.reason };
  setLogLevel('error');
  const db = await createQueueDatabase('shared_bench');
  const pools = [sharedStatePool(db.url), sharedStatePool(db.url)];
  try {
    await ensureSharedStateSchema(db.pool);
    const flushed = await measure(db.pool, db.pool, options);
    const unflushed = await measure(pools[0]!, pools[1]!, options);
    return {
      ops: options.ops,
      answerBytes: JSON.stringify(realisticAnswer(0)).length,
      replyMs: options.replyMs,
      'synchronous_commit=off (as the bot)': unflushed,
      'synchronous_commit=on': flushed,
    };
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: { ops: { type: 'string', default: '500' }, 'reply-ms': { type: 'string', default: '40' } },
  });
  runSharedStateBench({ ops: Number(values.ops), replyMs: Number(values['reply-ms']) }).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (error: unknown) => {
      process.stderr.write(`shared-state bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
