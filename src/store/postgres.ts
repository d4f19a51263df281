// PostgreSQL, when DATABASE_URL is set: several bot processes can share one record. A server that is down
// or slow never blocks an answer: calls fail fast (connection and statement timeouts) and the writer keeps
// the records and retries.
import pg from 'pg';
import type { Driver, Row } from './driver.js';
import type { Statement } from './sql.js';
import { SqlRecordStore } from './store.js';
import { withDefaults } from '../defaults.js';
import { logLostConnections } from './pool-errors.js';

/** Limits that keep a slow or unreachable server from holding up the bot; each has a default. */
export interface PostgresOptions {
  /** Give up connecting after this long (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Cancel a statement that runs longer (default 15000 ms). */
  statementTimeoutMs?: number;
  /** Connections in the pool (default 4). */
  maxConnections?: number;
}

/** The pool's limits unless set: fail fast rather than hold an answer up. */
const POOL_DEFAULTS = { connectTimeoutMs: 3000, statementTimeoutMs: 15_000, maxConnections: 4 };
/** The client gives up on a query this long after the server should have cancelled it. */
const QUERY_TIMEOUT_MARGIN_MS = 2000;

/** `?` → `$1, $2, …` (the shared SQL has no `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** BIGINT (COUNT, SUM, times) as JavaScript numbers: every value here is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The URL without its password, for logs and /stats. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

class PostgresDriver implements Driver {
  readonly kind = 'postgres' as const;
  readonly location: string;

  constructor(
    private readonly pool: pg.Pool,
    url: string,
  ) {
    this.location = redactUrl(url);
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(numberPlaceholders(sql), params);
    return result.rows as Row[];
  }

  async transaction(statements: Statement[], options: { lockKey?: number } = {}): Promise<number[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      if (options.lockKey !== undefined) await client.query('SELECT pg_advisory_xact_lock($1)', [options.lockKey]);
      const changed: number[] = [];
      for (const s of statements) changed.push((await client.query(numberPlaceholders(s.sql), s.params)).rowCount ?? 0);
      await client.query('COMMIT');
      return changed;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Creates the store without touching the server: a server that is down at start-up must not stop the bot. */
export function createPostgresStore(url: string, options: PostgresOptions = {}): SqlRecordStore {
  const limits = withDefaults(POOL_DEFAULTS, options);
  const pool = new pg.Pool({
    connectionString: url,
    max: limits.maxConnections,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    query_timeout: limits.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    idleTimeoutMillis: 30_000,
    types,
  });
  logLostConnections(pool, 'record database');
  return new SqlRecordStore(new PostgresDriver(pool, url));
}
