// The record's benchmark (part of `npm run bench`, or alone: npx tsx test/bench/records.ts):
//   1. log write throughput through the batched writer: embedded SQLite (synchronous FULL, the default,
//      and NORMAL for comparison) and PostgreSQL (the local server, a database of its own, dropped after);
//   2. start-up with the database: opening the record (with a 180-day-sized log in it) in a fresh
//      process, beside the lexical engine's own start-up on the project corpus;
//   3. reply latency p50/p95 through the whole bot (Bot API emulator, lexical engine, project corpus) with
//      question logging off (the writer takes nothing) and on, alternating rounds, median of the rounds.
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import { Records, SQLITE_FILE } from '../../src/store/records.js';
import { openSqliteStore, type SqliteSync } from '../../src/store/sqlite.js';
import type { QuestionRecord, RecordStore } from '../../src/store/types.js';
import { RecordWriter } from '../../src/store/writer.js';
import { createTestDatabase, postgresUnavailable } from '../fixtures/postgres.js';
import { benchBotLoad } from './bot-load.js';
import { BUDGET_SENTENCE, SEED_FILE } from '../fixtures/seed-report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

export interface RecordsBenchOptions {
  /** Records written per throughput run (default 50,000). */
  records?: number;
  /** Rows in the log opened at start-up (default 180,000: 1,000 questions a day for 180 days). */
  startupRows?: number;
  users?: number;
  questionsPerUser?: number;
  /** Latency rounds per setting (default 4). Light load (4 users × 50 questions): latency, not queueing. */
  rounds?: number;
}

export interface Throughput {
  store: string;
  records: number;
  seconds: number;
  perSecond: number;
  /** Embedded only: event-loop delay (the bot's thread held) while 300 flushes of 3 rows run, p50/p95/max. */
  holdMs?: { p50: number; p95: number; max: number };
}

export interface RecordsBenchResult {
  throughput: Throughput[];
  postgresSkipped: string | null;
  startup: { rows: number; recordsOpenMs: number; engineOpenMs: number; totalMs: number; fileMB: number };
  latency: {
    logging: 'off' | 'on';
    rounds: { p50Ms: number; p95Ms: number; replies: number; errors: number }[];
    p95Ms: number;
    p50Ms: number;
  }[];
  p95ChangePercent: number;
}

function record(i: number, at = Date.now()): QuestionRecord {
  return {
    id: `b${i}-${Math.random().toString(36).slice(2, 8)}`,
    at,
    user: `pseudonym-${i % 500}`,
    question: `Câu hỏi số ${i}: mục tiêu thu ngân sách cuối năm của quận là bao nhiêu?`,
    answered: i % 4 !== 0,
    source: SEED_FILE,
    section: 'Hội nghị Ban Chấp hành lần thứ XIV (Mở rộng)',
    answer: BUDGET_SENTENCE,
    confidence: 0.83,
    mode: 'lexical',
    latencyMs: 40 + (i % 60),
    chatType: 'private',
  };
}

/** Writes `n` records through the writer as the bot does (add, return; batches in the background). */
async function writeThrough(store: RecordStore, n: number): Promise<number> {
  const writer = new RecordWriter(store, { capacity: n });
  const started = performance.now();
  for (let i = 0; i < n; i++) writer.addQuestion(record(i));
  await writer.close(600_000);
  const seconds = (performance.now() - started) / 1000;
  if (writer.stats.written !== n) throw new Error(`wrote ${writer.stats.written} of ${n}`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Fresh process: import, open the lexical engine, open the record; prints the times as JSON. */
async function startupChild(dataDir: string, indexDir: string): Promise<void> {
  setLogLevel('warn');
  const { Engine } = await import('../../src/engine.js');
  const t0 = performance.now();
  const engine = await Engine.open({
    corpusDir: path.join(ROOT, 'corpus'),
    indexDir,
    searchMode: 'lexical',
    embedder: null,
  });
  const t1 = performance.now();
  const records = await Records.open({ dataDir, retentionDays: 180 });
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ engineOpenMs: t1 - t0, recordsOpenMs: t2 - t1 }) + '\n');
  await records.close();
  await engine.close();
}

function runStartupChild(dataDir: string, indexDir: string): Promise<{ engineOpenMs: number; recordsOpenMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--startup-child', dataDir, indexDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`start-up child exited ${code}`)),
    );
  });
}

export async function benchRecords(options: RecordsBenchOptions = {}): Promise<RecordsBenchResult> {
  setLogSink(() => undefined);
  const n = options.records ?? 50_000;
  const work = await mkdtemp(path.join(os.tmpdir(), 'records-bench-'));
  try {
    // 1. Throughput.
    const throughput: Throughput[] = [];
    for (const sync of ['FULL', 'NORMAL'] as SqliteSync[]) {
      const { store } = await openSqliteStore(path.join(work, `tp-${sync}`, SQLITE_FILE), { synchronous: sync });
      const seconds = await writeThrough(store, n);
      // How long the bot's thread is held while small flushes go on (better-sqlite3 is synchronous; the
      // store runs it on a worker thread): the event loop's delay while 300 flushes of 3 rows run.
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      for (let i = 0; i < 300; i++) {
        const batch = [record(n + 3 * i), record(n + 3 * i + 1), record(n + 3 * i + 2)];
        await store.write({ questions: batch, votes: [] });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      delay.disable();
      const holds = {
        p50: delay.percentile(50) / 1e6 - 1,
        p95: delay.percentile(95) / 1e6 - 1,
        max: delay.max / 1e6 - 1,
      };
      await store.close();
      throughput.push({
        store: `embedded SQLite, synchronous=${sync}${sync === 'FULL' ? ' (default)' : ''}`,
        records: n,
        seconds,
        perSecond: n / seconds,
        holdMs: { p50: Math.max(0, holds.p50), p95: Math.max(0, holds.p95), max: Math.max(0, holds.max) },
      });
    }
    const postgresSkipped = await postgresUnavailable('bench');
    if (postgresSkipped === null) {
      const db = await createTestDatabase();
      try {
        const store = createPostgresStore(db.url);
        await store.migrate();
        const seconds = await writeThrough(store, n);
        await store.close();
        throughput.push({
          store: 'PostgreSQL 127.0.0.1 (pg, 4 connections)',
          records: n,
          seconds,
          perSecond: n / seconds,
        });
      } finally {
        await db.drop();
      }
    }

    // 2. Start-up with a full-sized log.
    const rows = options.startupRows ?? 180_000;
    const dataDir = path.join(work, 'startup-data');
    {
      const { store } = await openSqliteStore(path.join(dataDir, SQLITE_FILE), { synchronous: 'NORMAL' });
      const DAY = 86_400_000;
      const now = Date.now();
      for (let i = 0; i < rows; i += 5000) {
        const batch = Array.from({ length: Math.min(5000, rows - i) }, (_, j) =>
          record(i + j, now - Math.floor(((i + j) / rows) * 179 * DAY)),
        );
        await store.write({ questions: batch, votes: [] });
      }
      await store.close();
    }
    const indexDir = path.join(work, 'index');
    await runStartupChild(dataDir, indexDir); // builds the index once; not counted
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await runStartupChild(dataDir, indexDir));
    const best = runs.sort((a, b) => a.engineOpenMs + a.recordsOpenMs - (b.engineOpenMs + b.recordsOpenMs))[
      Math.floor(runs.length / 2)
    ]!;
    const { statSync } = await import('node:fs');
    const fileMB = statSync(path.join(dataDir, SQLITE_FILE)).size / 2 ** 20;

    // 3. Reply latency with logging off and on, alternating.
    const rounds = options.rounds ?? 4;
    const load = {
      users: options.users ?? 4,
      questionsPerUser: options.questionsPerUser ?? 50,
      corpus: 'project' as const,
    };
    const measured: Record<'off' | 'on', { p50Ms: number; p95Ms: number; replies: number; errors: number }[]> = {
      off: [],
      on: [],
    };
    for (let r = 0; r < rounds; r++) {
      for (const logging of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        // Off: a writer that takes nothing (capacity 0), so no record reaches the database.
        const start = logging === 'off' ? { records: { writer: { capacity: 0 } } } : {};
        const result = await benchBotLoad({ ...load, start });
        setLogSink(() => undefined);
        measured[logging].push({
          p50Ms: result.p50Ms,
          p95Ms: result.p95Ms,
          replies: result.replies,
          errors: result.errors,
        });
      }
    }
    const latency = (['off', 'on'] as const).map((logging) => ({
      logging,
      rounds: measured[logging],
      p50Ms: median(measured[logging].map((m) => m.p50Ms)),
      p95Ms: median(measured[logging].map((m) => m.p95Ms)),
    }));
    const p95ChangePercent = (100 * (latency[1]!.p95Ms - latency[0]!.p95Ms)) / latency[0]!.p95Ms;
    return {
      throughput,
      postgresSkipped,
      startup: {
        rows,
        recordsOpenMs: best.recordsOpenMs,
        engineOpenMs: best.engineOpenMs,
        totalMs: best.engineOpenMs + best.recordsOpenMs,
        fileMB,
      },
      latency,
      p95ChangePercent,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function renderRecords(r: RecordsBenchResult): string {
  const f = (v: number) => Math.round(v).toLocaleString('en-US');
  const lines = [
    '### The record (question log)',
    '',
    '| store | records | seconds | records/s | target | event-loop delay during 3-row flushes p50 / p95 / max ms |',
    '|:--|--:|--:|--:|:--|:--|',
    ...r.throughput.map(
      (t) =>
        `| ${t.store} | ${f(t.records)} | ${t.seconds.toFixed(2)} | ${f(t.perSecond)} | ${t.store.startsWith('embedded') ? (t.perSecond >= 2000 ? '≥ 2,000: yes' : '≥ 2,000: NO') : ''} | ` +
        `${t.holdMs ? `${t.holdMs.p50.toFixed(2)} / ${t.holdMs.p95.toFixed(2)} / ${t.holdMs.max.toFixed(1)}` : '(async driver)'} |`,
    ),
  ];
  if (r.postgresSkipped) lines.push('', `PostgreSQL skipped: ${r.postgresSkipped}`);
  lines.push(
    '',
    `Start-up (fresh process, median of 3): lexical engine ${r.startup.engineOpenMs.toFixed(0)} ms + record with ${f(r.startup.rows)} rows ` +
      `(${r.startup.fileMB.toFixed(0)} MB, page check and migrations) ${r.startup.recordsOpenMs.toFixed(0)} ms = ${r.startup.totalMs.toFixed(0)} ms ` +
      `(≤ 1 s: ${r.startup.totalMs <= 1000 ? 'yes' : 'NO'})`,
    '',
    '| question logging | p50 ms | p95 ms | rounds (p95) |',
    '|:--|--:|--:|:--|',
    ...r.latency.map((l) => `| ${l.logging} | ${l.p50Ms} | ${l.p95Ms} | ${l.rounds.map((x) => x.p95Ms).join(', ')} |`),
    '',
    `p95 change with logging on: ${r.p95ChangePercent >= 0 ? '+' : ''}${r.p95ChangePercent.toFixed(1)}% (target: at most +5 %: ${r.p95ChangePercent <= 5 ? 'yes' : 'NO'}; the rounds show the machine's noise)`,
  );
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv[2] === '--startup-child') {
    await startupChild(process.argv[3]!, process.argv[4]!);
  } else {
    const result = await benchRecords({ records: Number(process.argv[2] ?? 50_000) });
    process.stdout.write(renderRecords(result) + '\n');
    process.stdout.write(JSON.stringify(result) + '\n');
  }
}
