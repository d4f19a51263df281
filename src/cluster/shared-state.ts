// What several copies of the bot must agree on besides the update queue, in the same PostgreSQL database
// (DATABASE_URL): the answers behind inline buttons, and — when copies share the load (webhook mode) —
// each user's rate-limit count. No other shared service. Opening does not touch the server: the tables
// are made on first use, so a database that is down at start-up does not stop the bot (buttons then
// fall back to this process's memory, and the rate limit lets updates through, until it answers).
import pg from 'pg';
import type { AnswerStore } from '../bot/answer-cache.js';
import type { RateLimitCounter } from '../bot/middleware/rate-limit.js';
import { ANSWER_MIGRATIONS, PostgresAnswerStore } from './shared-answers.js';
import { PostgresRateLimitCounter, RATE_LIMIT_MIGRATIONS } from './shared-rate-limit.js';
import { createSchemaUnderLock } from './transaction.js';
import { logLostConnections } from '../store/pool-errors.js';
import { openConnections } from '../store/warm-pool.js';

/** Any fixed number: copies starting together make the tables one after the other. */
const SCHEMA_LOCK_KEY = 7_364_120_511;

/** How the shared state is opened (from the settings). */
export interface SharedStateOptions {
  /** RATE_LIMIT_PER_MINUTE. */
  rateLimitPerMinute: number;
  /** Count the rate limit in the database too (only worth it when several copies take updates). */
  sharedRateLimit: boolean;
  /** Called for each failed statement with a short operation name (for bot_database_errors_total). */
  onDatabaseError?: (op: string) => void;
  /** A statement slower than this fails (default 2000 ms): a slow database must not hold the replies. */
  statementTimeoutMs?: number;
}

/** The database-backed stores the bot uses instead of its in-memory ones. */
export interface SharedState {
  answers: AnswerStore;
  /** Present when `sharedRateLimit` was asked for. */
  rateLimits?: RateLimitCounter;
  /**
   * Makes the tables and opens the pool's kept connections now rather than at the first updates; rejects
   * when the database does not answer (the bot serves anyway, and the first statement tries again).
   */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

/** Creates the tables (idempotent), under an advisory lock so that concurrent CREATEs do not clash. */
export async function ensureSharedStateSchema(pool: pg.Pool): Promise<void> {
  await createSchemaUnderLock(pool, [SCHEMA_LOCK_KEY], [...ANSWER_MIGRATIONS, ...RATE_LIMIT_MIGRATIONS]);
}

/** Connections kept open: one statement of each kind (answers, rate limit) can be on its way at once. */
const KEPT_CONNECTIONS = 2;

/** The pool the shared state uses: small, with short timeouts, without waiting for disk flushes. */
export function sharedStatePool(url: string, statementTimeoutMs = 2000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    min: KEPT_CONNECTIONS,
    connectionTimeoutMillis: statementTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 500,
    idleTimeoutMillis: 30_000,
    // A count or a button's answer lost in a database crash costs nothing worth a disk flush per
    // statement; without the flush each statement takes a fraction of the time (README).
    options: '-c synchronous_commit=off',
  });
  logLostConnections(pool, 'shared state');
  return pool;
}

/** The shared state in the database at `url`; see the file comment. */
export function openSharedState(url: string, options: SharedStateOptions): SharedState {
  const pool = sharedStatePool(url, options.statementTimeoutMs);
  // Made once; a failure is forgotten so that the next statement tries again.
  let schema: Promise<void> | null = null;
  const ready = () => {
    schema ??= ensureSharedStateSchema(pool).catch((error: unknown) => {
      schema = null;
      throw error;
    });
    return schema;
  };
  const onDatabaseError = options.onDatabaseError;
  return {
    answers: new PostgresAnswerStore(pool, { ready, onDatabaseError }),
    rateLimits: options.sharedRateLimit
      ? new PostgresRateLimitCounter(pool, { limit: options.rateLimitPerMinute, ready, onDatabaseError })
      : undefined,
    prepare: async () => {
      await ready();
      await openConnections(pool, KEPT_CONNECTIONS);
    },
    close: () => pool.end(),
  };
}
