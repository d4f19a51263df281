// A durable queue of Telegram updates in PostgreSQL, so that any process can take any update and an
// update whose process died is not lost. A process receiving a webhook call INSERTs the update once (by
// update_id: Telegram's retries and a second delivery are no-ops) before answering Telegram's HTTP call;
// workers in every process claim updates with `FOR UPDATE SKIP LOCKED` and a lease; an update whose lease
// ran out (its worker died, or hung) is claimed again. A chat's updates are taken in order: only the
// oldest unfinished update of a chat can be claimed, so two processes never answer one chat at once.
//
// Exactly one reply: just before the first reply to an update goes out, the worker checks that it still
// holds the lease (and extends it); a worker that lost its lease (it stalled, and another claimed the
// update) sends nothing. It marks `replied_at` as soon as Telegram accepted that reply; an update claimed
// again with `replied_at` set is finished without running it again. The window left: a process killed
// after Telegram accepted a reply and before the mark is written (Telegram's response on its way back,
// then one database write) makes the update run again, so that question is answered twice rather than
// not at all. sendMessage is not idempotent and Telegram cannot be asked what a bot sent, so a run that
// died inside that call cannot tell whether the reply went out: it is sent again (a lost answer is worse
// than a repeated one). Each confirmation before a first reply is counted (`reply_attempts`), so such
// runs are known: `interruptedReplies()` bounds the duplicates a SIGKILL can have caused.
//
// Storing, confirming, marking and finishing are batched across updates (one statement for all those
// asked for while the previous one was on its way), so the mark may wait for one statement ahead of it:
// the window above is then two database writes instead of one.
//
// Written against a minimal `{ query(text, params) }` (a pg Pool, a pg Client, or a test double), and
// with its schema as an ordered list of migrations for the store's migration runner.

import type pg from 'pg';
import { LOCK_NAMESPACE } from './central-corpus.js';
import { StatementBatcher } from './statement-batcher.js';
import { createSchemaUnderLock } from './transaction.js';

/** What the queue needs from a database connection (pg's Pool and Client both fit). */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the SQL selects; each caller reads its own columns.
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

/**
 * The schema, oldest first; each statement is idempotent, so `ensureUpdateQueueSchema` can run them all
 * at every start until the store's migration runner applies them by index.
 */
export const UPDATE_QUEUE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS bot_updates (
     update_id    BIGINT PRIMARY KEY,
     chat_id      BIGINT,
     payload      JSONB NOT NULL,
     received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
     lease_owner  TEXT,
     lease_until  TIMESTAMPTZ,
     attempts     INTEGER NOT NULL DEFAULT 0,
     replied_at   TIMESTAMPTZ,
     done_at      TIMESTAMPTZ,
     last_error   TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS bot_updates_open ON bot_updates (update_id) WHERE done_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS bot_updates_open_chat ON bot_updates (chat_id, update_id) WHERE done_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS bot_updates_done ON bot_updates (done_at) WHERE done_at IS NOT NULL`,
  `ALTER TABLE bot_updates ADD COLUMN IF NOT EXISTS reply_attempts INTEGER NOT NULL DEFAULT 0`,
];

/** The schema's advisory lock, second key beside LOCK_NAMESPACE (see central-corpus.ts). */
const QUEUE_SCHEMA_LOCK = 4;

/**
 * Runs every migration (idempotent); stands in for the store's migration runner until they are merged.
 * Under an advisory lock: copies starting together otherwise race in CREATE TABLE IF NOT EXISTS, and the
 * loser fails on PostgreSQL's catalog ("duplicate key value violates … pg_type_typname_nsp_index").
 */
export async function ensureUpdateQueueSchema(pool: pg.Pool): Promise<void> {
  await createSchemaUnderLock(pool, [LOCK_NAMESPACE, QUEUE_SCHEMA_LOCK], UPDATE_QUEUE_MIGRATIONS);
}

/** An update a worker claimed from the queue, with what it needs to decide whether to run it. */
export interface ClaimedUpdate {
  updateId: number;
  // biome-ignore lint/suspicious/noExplicitAny: the update as Telegram sent it, stored as JSON and handed back to grammY.
  update: any;
  /** Times it was claimed, this claim included (above 1: a worker before this one did not finish it). */
  attempts: number;
  /** Set when a reply for it was already accepted by Telegram: do not run it again. */
  repliedAt: Date | null;
  /**
   * Runs that got as far as sending the first reply. Above 0 without `repliedAt`: a run stopped while its
   * reply was being sent, which may or may not have reached the user.
   */
  replyAttempts: number;
}

function keyOfUpdate(update: { update_id: number }): string {
  return String(update.update_id);
}

function keyOfHeld(item: Held): string {
  return String(item.updateId);
}

/** For each id, whether the statement's RETURNING rows hold it (the statement changed that update). */
function inRows(rows: { update_id: unknown }[], ids: number[]): boolean[] {
  const changed = new Set(rows.map((r) => Number(r.update_id)));
  return ids.map((id) => changed.has(id));
}

/** The chat an update belongs to (for per-chat order), or null. */
// biome-ignore lint/suspicious/noExplicitAny: any update shape; only optional chat ids are read.
export function chatOf(update: any): number | null {
  const id =
    update?.message?.chat?.id ??
    update?.callback_query?.message?.chat?.id ??
    update?.my_chat_member?.chat?.id ??
    update?.edited_message?.chat?.id;
  return typeof id === 'number' ? id : null;
}

/** An update's id with the worker holding it, for the statements that only its lease holder may run. */
interface Held {
  updateId: number;
  owner: string;
}

/**
 * The durable update queue's operations (enqueue, claim, lease, finish, prune). Storing, confirming,
 * marking and finishing updates are each one statement for many updates: those asked for while one such
 * statement is on its way go out together in the next (statement-batcher.ts), so a burst costs a few
 * round trips per kind instead of one per update, and each caller still gets its own update's answer.
 */
export class UpdateQueue {
  private readonly stored = new StatementBatcher(
    (updates: { update_id: number }[]) => this.insertMany(updates),
    keyOfUpdate,
  );
  private readonly confirmed = new StatementBatcher(
    (items: (Held & { leaseMs: number })[]) => this.confirmMany(items),
    keyOfHeld,
  );
  private readonly marked = new StatementBatcher((ids: number[]) => this.markMany(ids), String);
  private readonly completed = new StatementBatcher(
    (items: (Held & { error: string | null })[]) => this.completeMany(items),
    keyOfHeld,
  );

  constructor(private readonly db: Queryable) {}

  /** Stores the update unless one with its update_id is already there; true when it was new. */
  enqueue(update: { update_id: number }): Promise<boolean> {
    return this.stored.add(update);
  }

  private async insertMany(updates: { update_id: number }[]): Promise<boolean[]> {
    const result = await this.db.query(
      `INSERT INTO bot_updates (update_id, chat_id, payload)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::jsonb[])
       ON CONFLICT (update_id) DO NOTHING RETURNING update_id`,
      [updates.map((u) => u.update_id), updates.map(chatOf), updates.map((u) => JSON.stringify(u))],
    );
    return inRows(
      result.rows,
      updates.map((u) => u.update_id),
    );
  }

  /**
   * Claims up to `limit` updates for `owner` for `leaseMs`: unfinished ones nobody holds (or whose lease
   * ran out), each the oldest unfinished update of its chat, oldest first. Rows other workers are claiming
   * at this moment are skipped, not waited for.
   */
  async claim(owner: string, leaseMs: number, limit: number): Promise<ClaimedUpdate[]> {
    const result = await this.db.query(
      `UPDATE bot_updates u
          SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000), attempts = u.attempts + 1
        WHERE u.update_id IN (
          SELECT c.update_id FROM bot_updates c
           WHERE c.done_at IS NULL
             AND (c.lease_until IS NULL OR c.lease_until < now())
             AND (c.chat_id IS NULL OR NOT EXISTS (
                   SELECT 1 FROM bot_updates o
                    WHERE o.chat_id = c.chat_id AND o.done_at IS NULL AND o.update_id < c.update_id))
           ORDER BY c.update_id
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
        RETURNING u.update_id, u.payload, u.attempts, u.replied_at, u.reply_attempts`,
      [owner, leaseMs, limit],
    );
    return result.rows
      .map((r) => ({
        updateId: Number(r.update_id),
        update: r.payload,
        attempts: Number(r.attempts),
        repliedAt: r.replied_at ?? null,
        replyAttempts: Number(r.reply_attempts ?? 0),
      }))
      .sort((a, b) => a.updateId - b.updateId);
  }

  /** Extends the leases `owner` still holds; returns the update ids it holds no longer. */
  async extend(owner: string, updateIds: number[], leaseMs: number): Promise<number[]> {
    if (updateIds.length === 0) return [];
    const result = await this.db.query(
      `UPDATE bot_updates SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE update_id = ANY($2::bigint[]) AND lease_owner = $1 AND done_at IS NULL
        RETURNING update_id`,
      [owner, updateIds, leaseMs],
    );
    const kept = new Set(result.rows.map((r) => Number(r.update_id)));
    return updateIds.filter((id) => !kept.has(id));
  }

  /**
   * Just before the first reply goes out: true, with the lease extended and the reply attempt counted,
   * when `owner` still holds the update and it was not answered; false when the lease was lost (another
   * worker may be answering it).
   */
  confirmLease(updateId: number, owner: string, leaseMs: number): Promise<boolean> {
    return this.confirmed.add({ updateId, owner, leaseMs });
  }

  private async confirmMany(items: (Held & { leaseMs: number })[]): Promise<boolean[]> {
    const result = await this.db.query(
      `UPDATE bot_updates u
          SET lease_until = GREATEST(u.lease_until, now() + make_interval(secs => x.lease_ms / 1000)),
              reply_attempts = u.reply_attempts + 1
         FROM unnest($1::bigint[], $2::text[], $3::double precision[]) AS x(id, owner, lease_ms)
        WHERE u.update_id = x.id AND u.lease_owner = x.owner AND u.replied_at IS NULL AND u.done_at IS NULL
        RETURNING u.update_id`,
      [items.map((i) => i.updateId), items.map((i) => i.owner), items.map((i) => i.leaseMs)],
    );
    return inRows(
      result.rows,
      items.map((i) => i.updateId),
    );
  }

  /** Marks that Telegram accepted a reply for the update; false when it was already marked. */
  markReplied(updateId: number): Promise<boolean> {
    return this.marked.add(updateId);
  }

  private async markMany(ids: number[]): Promise<boolean[]> {
    const result = await this.db.query(
      'UPDATE bot_updates SET replied_at = now() WHERE update_id = ANY($1::bigint[]) AND replied_at IS NULL RETURNING update_id',
      [ids],
    );
    return inRows(result.rows, ids);
  }

  /** Finishes the update (handled, or given up after `error`); only the lease's owner can. */
  complete(updateId: number, owner: string, error?: string): Promise<boolean> {
    return this.completed.add({ updateId, owner, error: error ?? null });
  }

  private async completeMany(items: (Held & { error: string | null })[]): Promise<boolean[]> {
    const result = await this.db.query(
      `UPDATE bot_updates u SET done_at = now(), lease_owner = NULL, lease_until = NULL, last_error = x.error
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(id, owner, error)
        WHERE u.update_id = x.id AND u.lease_owner = x.owner AND u.done_at IS NULL
        RETURNING u.update_id`,
      [items.map((i) => i.updateId), items.map((i) => i.owner), items.map((i) => i.error)],
    );
    return inRows(
      result.rows,
      items.map((i) => i.updateId),
    );
  }

  /** Gives the update back for another try after `delayMs` (a failure worth retrying). */
  async release(updateId: number, owner: string, delayMs: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE bot_updates SET lease_owner = NULL, lease_until = now() + make_interval(secs => $3::double precision / 1000), last_error = $4
        WHERE update_id = $1 AND lease_owner = $2 AND done_at IS NULL`,
      [updateId, owner, delayMs, error],
    );
  }

  /**
   * Replies sent again because the run before was stopped while sending one (a SIGKILL between
   * confirmLease and markReplied): the most duplicates that can have reached users.
   */
  async interruptedReplies(): Promise<number> {
    const { rows } = await this.db.query(
      'SELECT COALESCE(sum(reply_attempts - 1), 0)::int AS n FROM bot_updates WHERE reply_attempts > 1',
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Unfinished updates and the age of the oldest, for the metrics. */
  async state(): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const { rows } = await this.db.query(
      'SELECT count(*)::int AS depth, COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0)::float8 AS age FROM bot_updates WHERE done_at IS NULL',
    );
    return { depth: Number(rows[0]?.depth ?? 0), oldestAgeSeconds: Number(rows[0]?.age ?? 0) };
  }

  /**
   * Deletes finished updates older than `keepMs` (default one day: Telegram gives up redelivering long
   * before, so their update_ids are no longer needed to turn a redelivery into a no-op).
   */
  async prune(keepMs = 24 * 3600_000): Promise<number> {
    const result = await this.db.query(
      'DELETE FROM bot_updates WHERE done_at IS NOT NULL AND done_at < now() - make_interval(secs => $1::double precision / 1000)',
      [keepMs],
    );
    return result.rowCount ?? 0;
  }
}
