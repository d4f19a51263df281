// Faults: the PostgreSQL server going away mid-run or missing at start-up (answers keep flowing, records
// are written once it is back, once each), SIGKILL during a write burst on the embedded store (no
// acknowledged record lost, the file opens), and a damaged embedded file at start-up (set aside, fresh
// database, the bot answers). The server is never stopped for real (other work shares it): the bot
// reaches it through a TCP proxy on loopback that the test closes and reopens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MSG } from '../../src/bot/messages.vi.js';
import { setLogSink } from '../../src/log.js';
import { crashQuestionId } from '../fixtures/record-writer.js';
import {
  ADMIN,
  ask,
  captureLogs,
  citizen,
  logsMatching,
  makeCorpus,
  makeTempDir,
  newMessages,
  startTestBot,
} from '../bot/helpers.js';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.js';
import { pgSkip } from './pg-skip.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE } from '../fixtures/seed-report.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RECORD_OPTIONS = {
  writer: { flushMs: 20, maxRetryMs: 200 },
  startupWaitMs: 1000,
  postgres: { connectTimeoutMs: 1000 },
};

/** A TCP proxy to the PostgreSQL server that can be cut (every connection dropped) and restored. */
class CuttableProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and drops the open ones, as a stopped server does. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function countRows(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(sql)).rows[0].n);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return -1; // no table yet
    throw error;
  } finally {
    await c.end();
  }
}

beforeAll(() => captureLogs());

describe.skipIf(pgSkip !== null)(pgSkip ? `PostgreSQL faults (skipped: ${pgSkip})` : 'PostgreSQL faults', () => {
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let proxiedUrl: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const real = new URL(db.url);
    proxy = new CuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    proxiedUrl = viaProxy.toString();
  });
  afterAll(async () => {
    await proxy?.cut();
    await db?.drop();
  });

  it('the server stopped mid-run: answers keep flowing, /stats says why it has no figures, records are written once it is back', async () => {
    const t = await startTestBot({
      env: { DATABASE_URL: proxiedUrl, RATE_LIMIT_PER_MINUTE: '1000' },
      start: { records: RECORD_OPTIONS },
    });
    try {
      const user = citizen();
      expect((await ask(t.emu, user, BUDGET_QUESTION)).plain_text).toContain(BUDGET_SENTENCE);
      await t.bot.records.writer.flush();
      expect(await countRows(db.url, 'SELECT COUNT(*) AS n FROM questions')).toBe(1);

      await proxy.cut();
      const errorsBefore = t.bot.records.writer.stats.writeErrors;
      for (let i = 0; i < 5; i++)
        expect((await ask(t.emu, user, BUDGET_QUESTION)).plain_text).toContain(BUDGET_SENTENCE);
      await expect.poll(() => t.bot.records.writer.stats.writeErrors, { timeout: 5000 }).toBeGreaterThan(errorsBefore);
      expect(t.bot.records.writer.stats.pending).toBe(5);
      await expect(t.bot.records.ping()).rejects.toThrow();
      t.emu.sendCommand(ADMIN, '/stats');
      const [stats] = await newMessages(t.emu, ADMIN.id, 0, 1, 10_000);
      expect(stats!.plain_text).toContain('Chưa đọc được thống kê');

      await proxy.open();
      await expect.poll(() => countRows(db.url, 'SELECT COUNT(*) AS n FROM questions'), { timeout: 10_000 }).toBe(6);
      expect(t.bot.records.writer.stats).toMatchObject({ pending: 0, dropped: 0, failingSince: null });
      await expect(t.bot.records.ping()).resolves.toBeUndefined();
    } finally {
      await t.stop();
    }
  });

  it('the server unreachable at start-up: the bot starts and answers; the schema and the records arrive when it is up', async () => {
    const fresh = await createTestDatabase();
    const real = new URL(fresh.url);
    const late = new CuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    // Reserve a port, then close it: nothing listens there at start-up.
    await late.open();
    await late.cut();
    const url = new URL(fresh.url);
    url.port = String(late.port);
    try {
      const t = await startTestBot({ env: { DATABASE_URL: url.toString() }, start: { records: RECORD_OPTIONS } });
      try {
        expect(
          logsMatching('record database not reachable at start-up; answers go on, records wait in memory').length,
        ).toBeGreaterThan(0);
        const user = citizen();
        expect((await ask(t.emu, user, BUDGET_QUESTION)).plain_text).toContain(BUDGET_SENTENCE);
        expect((await ask(t.emu, user, 'Thời tiết ngày mai thế nào?')).plain_text).toContain('Xin lỗi');
        expect(await countRows(fresh.url, 'SELECT COUNT(*) AS n FROM questions')).toBe(-1);
        await late.open();
        await expect
          .poll(() => countRows(fresh.url, 'SELECT COUNT(*) AS n FROM questions'), { timeout: 10_000 })
          .toBe(2);
        expect(await countRows(fresh.url, 'SELECT COUNT(*) AS n FROM schema_migrations')).toBe(1);
      } finally {
        await t.stop();
      }
    } finally {
      await late.cut();
      await fresh.drop();
    }
  });
});

describe('embedded store crashes', () => {
  let dir: string;
  beforeAll(async () => {
    setLogSink(() => undefined);
    captureLogs();
    dir = await makeTempDir('record-crash-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the writer child until it acknowledged at least `minAcked`, kills it, returns the last ack seen. */
  function writeThenKill(file: string, round: number, minAcked: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'record-writer.ts'), file, String(round), 'FULL'],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let acked = 0;
      let killed = false;
      let buffer = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const m = /^ack (\d+)$/.exec(line);
          if (m) acked = Number(m[1]);
        }
        // Killed in the middle of the burst, at a point that differs from round to round.
        if (!killed && acked >= minAcked) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') resolve(acked);
        else reject(new Error(`writer child exited ${code}: ${stderr}`));
      });
    });
  }

  it('SIGKILL during a write burst: the file opens and holds every acknowledged record', async () => {
    const file = path.join(dir, 'records.sqlite');
    for (let round = 1; round <= 3; round++) {
      const acked = await writeThenKill(file, round, 1500 * round + 137 * round);
      expect(acked).toBeGreaterThan(0);
      const db = new Database(file);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const ids = new Set(
          (db.prepare('SELECT id FROM questions WHERE id LIKE ?').all(`r${round}-%`) as { id: string }[]).map(
            (r) => r.id,
          ),
        );
        const missing: string[] = [];
        for (let n = 1; n <= acked; n++)
          if (!ids.has(crashQuestionId(round, n))) missing.push(crashQuestionId(round, n));
        expect(missing).toEqual([]);
      } finally {
        db.close();
      }
    }
  }, 120_000);

  it('a damaged record file at start-up: a clear message, the file kept aside, a fresh database, and the bot answers', async () => {
    const botDir = await makeTempDir();
    await makeCorpus(botDir);
    await mkdir(path.join(botDir, 'data'), { recursive: true });
    await writeFile(path.join(botDir, 'data', 'records.sqlite'), Buffer.alloc(8192, 0x42));
    const t = await startTestBot({ dir: botDir, start: { records: RECORD_OPTIONS } });
    try {
      const [line] = logsMatching(
        'the record database could not be read; it was set aside and a fresh one created',
      ).slice(-1);
      expect(line).toMatchObject({ level: 'error' });
      const aside = String(line!.setAside);
      expect(existsSync(aside)).toBe(true);
      expect((await readdir(path.join(botDir, 'data'))).filter((n) => n.includes('.corrupt-'))).toHaveLength(1);
      const user = citizen();
      expect((await ask(t.emu, user, BUDGET_QUESTION)).plain_text).toContain(BUDGET_SENTENCE);
      await t.bot.records.writer.flush();
      expect(await t.bot.records.store.questionCount()).toBe(1);
      t.emu.sendCommand(ADMIN, '/stats');
      const [stats] = await newMessages(t.emu, ADMIN.id, 0);
      expect(stats!.plain_text).toContain('Tệp dữ liệu cũ bị hỏng đã được để riêng');
      expect(stats!.plain_text).not.toContain(MSG.statsUnavailable('').slice(0, 20));
    } finally {
      await t.stop();
      await rm(botDir, { recursive: true, force: true });
    }
  });
});
