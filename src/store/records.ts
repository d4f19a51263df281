// The office's record as the bot uses it: open the store (embedded SQLite under DATA_DIR, or PostgreSQL
// when DATABASE_URL is set), import the old stats file once (legacy-stats.ts), log questions and votes
// through the batched writer under pseudonyms, forget a citizen, purge what is older than
// LOG_RETENTION_DAYS once a day.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Settings } from '../config.js';
import { log } from '../log.js';
import { createPostgresStore, type PostgresOptions } from './postgres.js';
import { loadPseudonymSecret, pseudonymizer, type Pseudonymizer } from './pseudonym.js';
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import type { DownReason, QuestionRecord, RecordStore, Vote } from './types.js';
import { importLegacyStats, readLegacyTotals, type LegacyTotals } from './legacy-stats.js';
import { RecordWriter, type WriterOptions, type WriterStats } from './writer.js';
import { describeError } from '../errors.js';
import { discardingStore } from './discarding.js';
import { withDefaults } from '../defaults.js';

/** The embedded database's file name inside DATA_DIR. */
export const SQLITE_FILE = 'records.sqlite';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Start-up wait for a PostgreSQL server, and the time between retention purges, unless set. */
const TIMING_DEFAULTS = { startupWaitMs: 5000, purgeEveryMs: DAY_MS };
/** A big embedded file's page check waits this long after start-up, so that it does not slow serving. */
const DEFERRED_CHECK_DELAY_MS = 2000;

/** Everything Records.open needs: where the data goes, how long it is kept, and tuning for each backend. */
export interface RecordsOptions {
  dataDir: string;
  databaseUrl?: string;
  retentionDays: number;
  pseudonymSecret?: string;
  /** The old JSON stats file, imported once then renamed `<file>.imported`. */
  statsFile?: string;
  writer?: WriterOptions;
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
  /** Longest wait for a PostgreSQL server at start-up before starting without it (default 5000 ms). */
  startupWaitMs?: number;
  /** Between retention purges (default one day). */
  purgeEveryMs?: number;
}

/** The record's options from the validated settings, so that the bot and the CLI open the same record. */
export function recordsOptionsFromSettings(settings: Settings): RecordsOptions {
  return {
    dataDir: settings.DATA_DIR,
    databaseUrl: settings.DATABASE_URL,
    retentionDays: settings.LOG_RETENTION_DAYS,
    pseudonymSecret: settings.PSEUDONYM_SECRET,
    statsFile: settings.STATS_FILE,
  };
}

/** A snapshot of the record's health for /stats and the logs: backend, writer backlog and any damage found. */
export interface RecordsStatus {
  kind: RecordStore['kind'];
  location: string;
  writer: WriterStats;
  /** A damaged embedded database moved aside at start-up. */
  setAside: string | null;
  /** Damage found by the background check of a big embedded file. */
  damage: string | null;
  retentionDays: number;
}

/** A short random id for an answer; it goes into the callback data of the answer's buttons. */
export function newAnswerId(): string {
  return randomBytes(6).toString('base64url');
}

/** The record as the bot uses it: pseudonymised logging through the batched writer, /forget and the daily purge. */
export class Records {
  private purgeTimer: NodeJS.Timeout | null = null;
  /** What the background page check of a big embedded file found, when it found damage. */
  damage: string | null = null;
  /** Background start-up work (PostgreSQL migrations, legacy import), awaited by close(). */
  private background: Promise<void> = Promise.resolve();

  private constructor(
    readonly store: RecordStore,
    readonly writer: RecordWriter,
    readonly pseudonym: Pseudonymizer,
    readonly retentionDays: number,
    private readonly setAside: string | null,
  ) {}

  /**
   * Opens the record. The embedded store opens (and migrates) before this resolves; a PostgreSQL server
   * that is down does not stop start-up: the migrations and writes are retried by the writer.
   */
  static async open(options: RecordsOptions): Promise<Records> {
    const secret = await loadPseudonymSecret(options.dataDir, options.pseudonymSecret);
    const retentionDays = options.retentionDays;
    const timing = withDefaults(TIMING_DEFAULTS, options);
    // What start-up does once the schema is current: the old stats file's import, then the purge.
    const startupWork = async (target: RecordStore) => {
      if (options.statsFile) {
        await importLegacyStats(target, options.statsFile).catch((error) =>
          log.warn('could not import the old stats file', { file: options.statsFile, error }),
        );
      }
      await purgeOld(target, retentionDays).catch(() => undefined);
    };
    let store: RecordStore;
    let setAside: string | null = null;
    let deferredCheck: (() => Promise<string>) | null = null;
    let background: Promise<void> = Promise.resolve();
    if (options.databaseUrl) {
      const server = createPostgresStore(options.databaseUrl, options.postgres);
      store = server;
      background = (async () => {
        try {
          await server.migrate();
        } catch (error) {
          log.warn('record database not reachable at start-up; answers go on, records wait in memory', {
            store: server.location,
            error: describeError(error),
          });
          return;
        }
        await startupWork(server);
      })();
      // A server gets a few seconds (migrations, import), then the bot starts anyway and the writer
      // keeps retrying.
      await Promise.race([background, new Promise((resolve) => setTimeout(resolve, timing.startupWaitMs).unref())]);
    } else {
      // The embedded store is checked, migrated, imported into and purged before the bot serves.
      ({ store, setAside, deferredCheck } = await openSqliteStore(path.join(options.dataDir, SQLITE_FILE), {
        ...options.sqlite,
        atStartup: startupWork,
      }));
    }
    const writer = new RecordWriter(store, options.writer);
    const records = new Records(store, writer, pseudonymizer(secret), retentionDays, setAside);
    records.background = background;
    if (deferredCheck) {
      const check = deferredCheck;
      // A big file is checked after start-up; damage found then is reported loudly (log and /stats).
      setTimeout(() => {
        void check()
          .then((result) => {
            if (result === 'ok') return;
            records.damage = result;
            log.error(
              'the record database has damaged pages: stop the bot, move DATA_DIR/records.sqlite aside and restart',
              { result },
            );
          })
          .catch((error) => {
            records.damage = describeError(error);
            log.error('the record database could not be checked', { error: records.damage });
          });
      }, DEFERRED_CHECK_DELAY_MS).unref();
    }
    records.purgeTimer = setInterval(() => void records.purge().catch(() => undefined), timing.purgeEveryMs);
    records.purgeTimer.unref();
    log.info('record opened', { store: store.kind, location: store.location, retentionDays: options.retentionDays });
    return records;
  }

  /**
   * A record that keeps nothing (a random pseudonym key, a store that discards every write), for the
   * start-up warm-up's throwaway bot: its made-up questions go through the same code as citizens' but
   * never into the office's statistics.
   */
  static discarding(): Records {
    const store = discardingStore();
    return new Records(store, new RecordWriter(store), pseudonymizer(randomBytes(32)), 1, null);
  }

  /** Queues a question for the log; never waits for the database. */
  logQuestion(telegramUserId: number, row: Omit<QuestionRecord, 'user'>): boolean {
    return this.writer.addQuestion({ ...row, user: this.pseudonym(telegramUserId) });
  }

  vote(telegramUserId: number, answerId: string, vote: Vote, reason: DownReason | null = null): boolean {
    return this.writer.addVote({ answerId, user: this.pseudonym(telegramUserId), vote, reason, at: Date.now() });
  }

  /** Deletes every record of one citizen, waiting ones included. */
  async forget(telegramUserId: number): Promise<{ questions: number; votes: number }> {
    const user = this.pseudonym(telegramUserId);
    let pending = this.writer.discardPending(user);
    await this.writer.settle();
    pending += this.writer.discardPending(user);
    const deleted = await this.store.forget(user);
    log.info('citizen records deleted on request', { user, ...deleted, pending });
    return deleted;
  }

  /** Deletes records older than the retention period; returns how many rows went. */
  purge(now = Date.now()): Promise<number> {
    return purgeOld(this.store, this.retentionDays, now);
  }

  /** Health probe: resolves when the database answers. */
  ping(): Promise<void> {
    return this.store.ping();
  }

  /** The old stats file's counters, when one was imported. */
  legacyTotals(): Promise<LegacyTotals | null> {
    return readLegacyTotals(this.store);
  }

  status(): RecordsStatus {
    return {
      kind: this.store.kind,
      location: this.store.location,
      writer: { ...this.writer.stats },
      setAside: this.setAside,
      damage: this.damage,
      retentionDays: this.retentionDays,
    };
  }

  /** Writes what waits (within `timeoutMs`, by default the writer's) and closes the database. */
  async close(timeoutMs?: number): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.background.catch(() => undefined);
    await this.writer.close(timeoutMs);
    await this.store.close();
  }
}

async function purgeOld(store: RecordStore, retentionDays: number, now = Date.now()): Promise<number> {
  try {
    const removed = await store.purgeBefore(now - retentionDays * DAY_MS);
    if (removed > 0) log.info('old records purged', { removed, retentionDays });
    return removed;
  } catch (error) {
    log.warn('retention purge failed; will try again', { error: describeError(error) });
    throw error;
  }
}
