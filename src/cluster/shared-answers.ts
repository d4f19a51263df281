// The answers behind inline buttons in PostgreSQL, so that "Xem thêm" and "Toàn văn đoạn" work whichever
// copy of the bot handles the press, and after a restart. Same semantics as the in-memory cache: only
// the chat the answer was sent to may use it, none older than `maxAgeMs`, at most about `capacity` kept.
// This process's own answers are also kept in memory in front of the table, so a press that reaches the
// copy that answered costs no database round trip, and still works while the database is down.
//
// The INSERT starts when the answer is stored and runs alongside sending the reply; the question's
// handler waits for it before it finishes. With the durable update queue a chat's next update (the press)
// is not taken before that, so no copy can look for an answer that is still being written.
import {
  AnswerCache,
  DEFAULT_ANSWER_MAX_AGE_MS,
  type AnswerStore,
  type CachedAnswer,
  type StoredAnswer,
} from '../bot/answer-cache.js';
import type { Answer } from '../answer/types.js';
import { FailureLog } from './failure-log.js';
import { StatementBatcher } from './statement-batcher.js';
import type { Queryable } from './update-queue.js';

/** The schema, oldest first; each statement is idempotent. */
export const ANSWER_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bot_answers (
     id          TEXT PRIMARY KEY,
     chat_id     BIGINT NOT NULL,
     answer      JSON NOT NULL,
     created_at  TIMESTAMPTZ NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS bot_answers_created ON bot_answers (created_at)`,
];

/** Limits, clock and hooks of the PostgreSQL answer store. */
export interface PostgresAnswerStoreOptions {
  /** Oldest answer still served (default 24 h). */
  maxAgeMs?: number;
  /** Rows kept at most; older ones go at the next prune (default 20,000). */
  capacity?: number;
  /** Least time between two prunes by this process (default one minute). */
  pruneEveryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Tables ready before the first statement (default: nothing to wait for). */
  ready?: () => Promise<void>;
  /** Called for each failed statement (`answer-insert`, `answer-lookup`, `answer-prune`). */
  onDatabaseError?: (op: string) => void;
}

const PRUNE_SQL = `
  DELETE FROM bot_answers
  WHERE created_at < $1
     OR created_at < (SELECT created_at FROM bot_answers ORDER BY created_at DESC OFFSET $2 LIMIT 1)`;

/** An answer on its way into the table. */
interface PendingAnswer {
  id: string;
  chatId: number;
  json: string;
  at: Date;
}

/** Button answers shared by every process that uses the same database. */
export class PostgresAnswerStore implements AnswerStore {
  private readonly local: AnswerCache;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private lastPrune = -Infinity;
  private readonly failures: FailureLog;
  /** Answers stored while an INSERT is on its way go together in the next (statement-batcher.ts). */
  private readonly inserts = new StatementBatcher(
    (rows: PendingAnswer[]) => this.insertMany(rows),
    (r) => r.id,
  );

  constructor(
    private readonly db: Queryable,
    private readonly options: PostgresAnswerStoreOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_ANSWER_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    this.local = new AnswerCache({ maxAgeMs: this.maxAgeMs });
    this.failures = new FailureLog('button answers', options.onDatabaseError);
  }

  put(answer: Answer, chatId: number): StoredAnswer {
    const id = this.local.put(answer, chatId);
    const t = this.now();
    const stored = this.insert(id, answer, chatId, t);
    return { id, stored };
  }

  async get(id: string, chatId: number): Promise<CachedAnswer | null> {
    const mine = this.local.get(id, chatId);
    if (mine) return mine;
    try {
      await this.options.ready?.();
      const { rows } = await this.db.query('SELECT chat_id, answer, created_at FROM bot_answers WHERE id = $1', [id]);
      this.failures.succeeded();
      const row = rows[0];
      if (!row || Number(row.chat_id) !== chatId) return null;
      const createdAt = (row.created_at as Date).getTime();
      if (this.now() - createdAt > this.maxAgeMs) return null;
      return { answer: row.answer as Answer, chatId, createdAt };
    } catch (error) {
      this.failures.failed('answer-lookup', error);
      return null;
    }
  }

  private async insert(id: string, answer: Answer, chatId: number, t: number): Promise<void> {
    try {
      await this.options.ready?.();
      await this.inserts.add({ id, chatId, json: JSON.stringify(answer), at: new Date(t) });
      this.failures.succeeded();
    } catch (error) {
      this.failures.failed('answer-insert', error);
      return;
    }
    this.pruneNowAndThen(t);
  }

  /** One statement for the answers stored while the previous one was on its way. */
  private async insertMany(rows: PendingAnswer[]): Promise<undefined[]> {
    // A clash of two random 48-bit ids is left alone: the first answer keeps its buttons.
    await this.db.query(
      `INSERT INTO bot_answers (id, chat_id, answer, created_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::json[], $4::timestamptz[])
       ON CONFLICT (id) DO NOTHING`,
      [rows.map((r) => r.id), rows.map((r) => r.chatId), rows.map((r) => r.json), rows.map((r) => r.at)],
    );
    return rows.map(() => undefined);
  }

  /** Deletes expired rows and those beyond `capacity`, oldest first; at most once per `pruneEveryMs`. */
  private pruneNowAndThen(t: number): void {
    if (t - this.lastPrune < (this.options.pruneEveryMs ?? 60_000)) return;
    this.lastPrune = t;
    const capacity = this.options.capacity ?? 20_000;
    this.db
      .query(PRUNE_SQL, [new Date(t - this.maxAgeMs), capacity - 1])
      .catch((error: unknown) => this.failures.failed('answer-prune', error));
  }
}
