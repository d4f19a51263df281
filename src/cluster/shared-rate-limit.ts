// The rate limit's counts in PostgreSQL, so that a user's updates count once whichever copy of the bot
// handles them. Same semantics as the in-memory counter (src/bot/middleware/rate-limit.ts): a true
// sliding window. Each user has one row holding the times (ms) of the updates let through within the last
// window — never more than `limit` of them — and the time of the last notice. One statement per batch of
// updates (one per user in it): an UPSERT whose ON CONFLICT branch works on the row locked with its newest version, so two copies
// counting the same user at once are serialised by PostgreSQL and neither overshoots the limit.
// Times come from the process's clock; skew between hosts shifts a window by the skew, no more.
//
// When the database fails, the update passes (fail open: a limit is not worth an unanswered citizen),
// the failure is counted, and logged once until the database answers again.
import { FailureLog } from './failure-log.js';
import { StatementBatcher } from './statement-batcher.js';
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

// $1 keys, $2 times (ms), one per key, $3 window (ms), $4 limit: one row per user, each counted as the
// single-row statement did, EXCLUDED.seen_at standing for that user's time. `kept` is the row's hits still
// inside the window; SET reads the old row, so the verdict column records what this statement decided.
// The batcher never puts one user twice in a statement (ON CONFLICT may touch a row only once).
const NOW = 'EXCLUDED.seen_at';
const KEPT = `ARRAY(SELECT h FROM unnest(r.hits) AS h WHERE h > ${NOW} - $3::bigint)`;
const UNDER_LIMIT = `cardinality(${KEPT}) < $4::int`;
const NOTICE_DUE = `(r.notice_at IS NULL OR ${NOW} - r.notice_at >= $3::bigint)`;
const HIT_SQL = `
  INSERT INTO bot_rate_limits AS r (user_key, hits, notice_at, seen_at, verdict)
  SELECT x.key, ARRAY[x.t], NULL, x.t, 'pass' FROM unnest($1::text[], $2::bigint[]) AS x(key, t)
  ON CONFLICT (user_key) DO UPDATE SET
    hits = CASE WHEN ${UNDER_LIMIT} THEN ${KEPT} || ${NOW} ELSE ${KEPT} END,
    notice_at = CASE WHEN NOT ${UNDER_LIMIT} AND ${NOTICE_DUE} THEN ${NOW} ELSE r.notice_at END,
    verdict = CASE WHEN ${UNDER_LIMIT} THEN 'pass' WHEN ${NOTICE_DUE} THEN 'notice' ELSE 'drop' END,
    seen_at = ${NOW}
  RETURNING user_key, verdict`;

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
  /** Users counted while a statement is on its way go together in the next (statement-batcher.ts). */
  private readonly hits = new StatementBatcher(
    (items: { key: string; t: number }[]) => this.hitMany(items),
    (i) => i.key,
  );

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
      const verdict = await this.hits.add({ key, t });
      this.failures.succeeded();
      this.pruneNowAndThen(t);
      return verdict;
    } catch (error) {
      this.failures.failed('rate-limit', error);
      return 'pass';
    }
  }

  /** One statement for the users counted while the previous statement was on its way. */
  private async hitMany(items: { key: string; t: number }[]): Promise<RateLimitVerdict[]> {
    const result = await this.db.query(HIT_SQL, [
      items.map((i) => i.key),
      items.map((i) => i.t),
      this.windowMs,
      this.options.limit,
    ]);
    const verdicts = new Map(result.rows.map((r) => [String(r.user_key), r.verdict as RateLimitVerdict]));
    return items.map((i) => verdicts.get(i.key) ?? 'pass');
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
