// The rate limit's counts in PostgreSQL, so that a user's updates count once whichever copy of the bot
// handles them. Same semantics as the in-memory counter (src/bot/middleware/rate-limit.ts): a true
// sliding window. Each user has one row holding the times (ms) of the updates let through within the last
// window — never more than `limit` of them — and the time of the last notice. One statement per update:
// an UPSERT whose ON CONFLICT branch works on the row locked with its newest version, so two copies
// counting the same user at once are serialised by PostgreSQL and neither overshoots the limit.
// Times come from the process's clock; skew between hosts shifts a window by the skew, no more.
//
// When the database fails, the update passes (fail open: a limit is not worth an unanswered citizen),
// the failure is counted, and logged once until the database answers again.
import { FailureLog } from './failure-log.js';
import { DEFAULT_WINDOW_MS, type RateLimitCounter, type RateLimitVerdict } from '../bot/middleware/rate-limit.js';
import type { Queryable } from './update-queue.js';

/** The schema, oldest first; each statement is idempotent. */
export const RATE_LIMIT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bot_rate_limits (
     user_key   TEXT PRIMARY KEY,
     hits       BIGINT[] NOT NULL,
     notice_at  BIGINT,
     seen_at    BIGINT NOT NULL,
     verdict    TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS bot_rate_limits_seen ON bot_rate_limits (seen_at)`,
];

// $1 key, $2 now (ms), $3 window (ms), $4 limit. `kept` is the row's hits still inside the window; SET
// reads the old row, so the verdict column records what this statement decided.
const KEPT = 'ARRAY(SELECT h FROM unnest(r.hits) AS h WHERE h > $2::bigint - $3::bigint)';
const UNDER_LIMIT = `cardinality(${KEPT}) < $4::int`;
const NOTICE_DUE = '(r.notice_at IS NULL OR $2::bigint - r.notice_at >= $3::bigint)';
const HIT_SQL = `
  INSERT INTO bot_rate_limits AS r (user_key, hits, notice_at, seen_at, verdict)
  VALUES ($1, ARRAY[$2::bigint], NULL, $2::bigint, 'pass')
  ON CONFLICT (user_key) DO UPDATE SET
    hits = CASE WHEN ${UNDER_LIMIT} THEN ${KEPT} || $2::bigint ELSE ${KEPT} END,
    notice_at = CASE WHEN NOT ${UNDER_LIMIT} AND ${NOTICE_DUE} THEN $2::bigint ELSE r.notice_at END,
    verdict = CASE WHEN ${UNDER_LIMIT} THEN 'pass' WHEN ${NOTICE_DUE} THEN 'notice' ELSE 'drop' END,
    seen_at = $2::bigint
  RETURNING verdict`;

/** The limit, window, clock and hooks of the PostgreSQL rate-limit counter. */
export interface PostgresRateLimitOptions {
  /** Updates allowed per user within a window. */
  limit: number;
  /** Length of the sliding window (default one minute). */
  windowMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Tables ready before the first count (default: nothing to wait for). */
  ready?: () => Promise<void>;
  /** Called for each failed statement with a short operation name (`rate-limit`, `rate-limit-prune`). */
  onDatabaseError?: (op: string) => void;
}

/** A rate-limit counter shared by every process that uses the same database. */
export class PostgresRateLimitCounter implements RateLimitCounter {
  private readonly windowMs: number;
  private readonly now: () => number;
  private lastPrune: number;
  private readonly failures: FailureLog;

  constructor(
    private readonly db: Queryable,
    private readonly options: PostgresRateLimitOptions,
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.now = options.now ?? Date.now;
    this.lastPrune = this.now();
    this.failures = new FailureLog('rate limit (letting updates through)', options.onDatabaseError);
  }

  async hit(key: string): Promise<RateLimitVerdict> {
    const t = this.now();
    try {
      await this.options.ready?.();
      const result = await this.db.query(HIT_SQL, [key, t, this.windowMs, this.options.limit]);
      this.failures.succeeded();
      this.pruneNowAndThen(t);
      return result.rows[0].verdict as RateLimitVerdict;
    } catch (error) {
      this.failures.failed('rate-limit', error);
      return 'pass';
    }
  }

  /** Deletes the rows of users idle for a whole window (they count as new), at most once per window. */
  private pruneNowAndThen(t: number): void {
    if (t - this.lastPrune < this.windowMs) return;
    this.lastPrune = t;
    this.db
      .query('DELETE FROM bot_rate_limits WHERE seen_at <= $1', [t - this.windowMs])
      .catch((error: unknown) => this.failures.failed('rate-limit-prune', error));
  }
}
