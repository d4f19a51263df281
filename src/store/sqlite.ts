// The embedded default: SQLite through better-sqlite3, one file under DATA_DIR, write-ahead log, one
// transaction per batch. better-sqlite3 is synchronous: on the bot's thread a commit with synchronous=FULL
// held the event loop up to 105 ms (p95 14 ms) here, time every reply in flight would wait. So the bot's
// store runs on a worker thread (sqlite-worker.mjs), and with the thread free the default is FULL: a
// batch acknowledged as written survives the process being killed (the SIGKILL test) and a power cut.
// Start-up (checks, migrations, the old stats import, the purge) runs on this thread before serving.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { log } from '../log.js';
import type { Driver, Row } from './driver.js';
import type { Statement } from './sql.js';
import { SqlRecordStore } from './store.js';
import type { RecordStore } from './types.js';
import { describeError } from '../errors.js';
import { withDefaults } from '../defaults.js';

/** SQLite's synchronous pragma: how much of a commit is on disk when it returns. */
export type SqliteSync = 'FULL' | 'NORMAL' | 'OFF';

/** How the embedded database is opened: durability, the start-up page check and work to do before serving. */
export interface SqliteOptions {
  /** FULL (default): a committed batch survives a crash and a power cut; NORMAL: a crash only. */
  synchronous?: SqliteSync;
  /** Check the pages at start-up (default true); a damaged file is set aside. */
  check?: boolean;
  /**
   * Files up to this size get the full page check before the bot starts (default 32 MB, ~0.15 s here);
   * bigger ones are checked in the background after start-up, so that start-up stays under a second.
   */
  checkAtStartMaxBytes?: number;
  /** Work to do on the checked, migrated database before the bot serves (old stats import, purge). */
  atStartup?: (store: RecordStore) => Promise<void>;
}

/** How the file is opened and checked unless the caller says (see SqliteOptions). */
const SQLITE_DEFAULTS: { synchronous: SqliteSync; check: boolean; checkAtStartMaxBytes: number } = {
  synchronous: 'FULL',
  check: true,
  checkAtStartMaxBytes: 32 * 1024 * 1024,
};
type OpenSettings = typeof SQLITE_DEFAULTS;

const WORKER_URL = new URL('./sqlite-worker.mjs', import.meta.url);

/** Statements prepared once per distinct SQL text (a few shapes only: see sql.ts). */
const MAX_CACHED_STATEMENTS = 256;

class SqliteDriver implements Driver {
  readonly kind = 'sqlite' as const;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {}

  private prepare(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= MAX_CACHED_STATEMENTS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.prepare(sql).all(...params) as Row[];
  }

  async transaction(statements: Statement[]): Promise<number[]> {
    const run = this.db.transaction((list: Statement[]) =>
      list.map((s) => this.prepare(s.sql).run(...s.params).changes),
    );
    return run.immediate(statements);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { message: string; code?: string } };

/**
 * The driver the bot runs on: the database lives on a worker thread (sqlite-worker.mjs), so that a commit
 * or a WAL checkpoint never holds the bot's thread. A worker that died is started again on the next call.
 */
class SqliteWorkerDriver implements Driver {
  readonly kind = 'sqlite' as const;
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    readonly location: string,
    private readonly synchronous: SqliteSync,
  ) {}

  private start(): Worker {
    // Plain JS: no TypeScript loader (inherited from tsx, it would cost the worker most of a second to start).
    const worker = new Worker(WORKER_URL, {
      workerData: { file: this.location, synchronous: this.synchronous },
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(error);
      }
    };
    worker.on('error', (error) => {
      log.error('the record database worker failed; it restarts on the next write', { error: error.message });
      fail(error);
    });
    worker.on('exit', () => fail(new Error('the record database worker stopped')));
    return worker;
  }

  /** Starts the worker without waiting for it. */
  warm(): void {
    if (!this.closed) this.worker ??= this.start();
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the record database is closed'));
    this.worker ??= this.start();
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ id, ...message });
    });
  }

  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.call<Row[]>({ op: 'query', sql, params });
  }

  transaction(statements: Statement[]): Promise<number[]> {
    return this.call<number[]>({ op: 'transaction', statements });
  }

  check(): Promise<string> {
    return this.call<string>({ op: 'check' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.worker) await this.call({ op: 'close' }).catch(() => undefined);
    this.closed = true;
    await this.worker?.terminate();
    this.worker = null;
  }
}

/** The bot's store on the worker thread, started now so that it is ready by the first flush. */
function handOver(file: string, settings: OpenSettings): { store: SqlRecordStore; driver: SqliteWorkerDriver } {
  const driver = new SqliteWorkerDriver(file, settings.synchronous);
  driver.warm();
  return { store: new SqlRecordStore(driver, { migrated: true }), driver };
}

function openFile(file: string, settings: OpenSettings): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${settings.synchronous}`);
    db.pragma('busy_timeout = 5000');
    // Reading the schema fails at once on a file that is not a database (or has a damaged first page).
    db.pragma('schema_version', { simple: true });
    const size = existsSync(file) ? statSync(file).size : 0;
    if (settings.check && size <= settings.checkAtStartMaxBytes) {
      const result = db.pragma('quick_check(1)', { simple: true });
      if (result !== 'ok') throw new Error(`quick_check: ${String(result)}`);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The embedded store handed to the bot, with what start-up found about the file. */
export interface OpenedSqlite {
  store: SqlRecordStore;
  /** Where a damaged file was moved to, when it was. */
  setAside: string | null;
  /** For a file too big to check before start-up: the page check, to run in the background. */
  deferredCheck: (() => Promise<string>) | null;
}

/**
 * Opens (or creates) the embedded database and runs its migrations. A file SQLite cannot read (not a
 * database, damaged pages, a failed migration) is renamed to `<file>.corrupt-<time>` with its -wal and
 * -shm files, a fresh database takes its place, and the caller hears where the old one went.
 */
export async function openSqliteStore(file: string, options: SqliteOptions = {}): Promise<OpenedSqlite> {
  const settings = withDefaults(SQLITE_DEFAULTS, options);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // Checks and migrations at start-up on this thread (the bot is not serving yet), then the worker.
    const startup = new SqlRecordStore(new SqliteDriver(openFile(file, settings), file));
    try {
      await startup.migrate();
    } catch (error) {
      await startup.close();
      throw error;
    }
    try {
      await options.atStartup?.(startup);
    } finally {
      await startup.close();
    }
    const big = settings.check && statSync(file).size > settings.checkAtStartMaxBytes;
    const { store, driver } = handOver(file, settings);
    return { store, setAside: null, deferredCheck: big ? () => driver.check() : null };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!existsSync(file) || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM')
      throw error;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    }
    log.error('the record database could not be read; it was set aside and a fresh one created', {
      file,
      setAside: aside,
      error: describeError(error),
    });
    const fresh = new SqlRecordStore(new SqliteDriver(openFile(file, settings), file));
    try {
      await fresh.migrate();
      await options.atStartup?.(fresh);
    } finally {
      await fresh.close();
    }
    return { store: handOver(file, settings).store, setAside: aside, deferredCheck: null };
  }
}
