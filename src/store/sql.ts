// All the record's SQL, for both backends. The statements are written once, in the subset of SQL that
// SQLite (3.35+) and PostgreSQL share (ON CONFLICT … DO UPDATE, excluded.*, integer division of BIGINT),
// with `?` placeholders that the PostgreSQL driver numbers ($1, $2, …). Times are milliseconds since the
// epoch in BIGINT; booleans are SMALLINT 0/1, so that both backends return the same values.
import type { QuestionRecord, VoteRecord } from './types.js';

/** One SQL statement with its `?` parameters, as run inside a driver's transaction. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** Schema versions, applied in order at start-up; each runs in one transaction with its version row. */
export const MIGRATIONS: { version: number; name: string; statements: string[] }[] = [
  {
    version: 1,
    name: 'questions, votes, meta',
    statements: [
      `CREATE TABLE IF NOT EXISTS questions (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        pseudonym TEXT NOT NULL,
        question TEXT NOT NULL,
        question_key TEXT NOT NULL,
        answered SMALLINT NOT NULL,
        source TEXT,
        section TEXT,
        answer TEXT,
        confidence DOUBLE PRECISION,
        mode TEXT NOT NULL,
        latency_ms INTEGER NOT NULL,
        chat_type TEXT NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS questions_at ON questions (at)',
      'CREATE INDEX IF NOT EXISTS questions_pseudonym ON questions (pseudonym)',
      `CREATE TABLE IF NOT EXISTS votes (
        answer_id TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        vote TEXT NOT NULL,
        reason TEXT,
        at BIGINT NOT NULL,
        PRIMARY KEY (answer_id, pseudonym)
      )`,
      'CREATE INDEX IF NOT EXISTS votes_at ON votes (at)',
      'CREATE INDEX IF NOT EXISTS votes_pseudonym ON votes (pseudonym)',
      'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    ],
  },
];

/** The newest schema version this code knows; a database ahead of it means the bot must be upgraded. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The table that records which schema versions were applied, created before any migration runs. */
export const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';
/** Lists the applied schema versions, so that each migration runs once. */
export const APPLIED_VERSIONS = 'SELECT version FROM schema_migrations ORDER BY version';
/** Marks a schema version as applied, in the same transaction as its statements. */
export const RECORD_VERSION =
  'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT (version) DO NOTHING';

const QUESTION_COLUMNS = [
  'id',
  'at',
  'pseudonym',
  'question',
  'question_key',
  'answered',
  'source',
  'section',
  'answer',
  'confidence',
  'mode',
  'latency_ms',
  'chat_type',
];
const VOTE_COLUMNS = ['answer_id', 'pseudonym', 'vote', 'reason', 'at'];
/** Rows per INSERT: few distinct statement shapes, far below both backends' parameter limits. */
const ROWS_PER_INSERT = 100;

function placeholders(columns: number, rows: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Inserts questions; a retried batch (after an ambiguous failure) does not duplicate them. */
export function insertQuestions(rows: QuestionRecord[], keyOf: (question: string) => string): Statement[] {
  return chunks(rows, ROWS_PER_INSERT).map((part) => ({
    sql:
      `INSERT INTO questions (${QUESTION_COLUMNS.join(', ')}) VALUES ${placeholders(QUESTION_COLUMNS.length, part.length)} ` +
      'ON CONFLICT (id) DO NOTHING',
    params: part.flatMap((r) => [
      r.id,
      r.at,
      r.user,
      r.question,
      keyOf(r.question),
      r.answered ? 1 : 0,
      r.source,
      r.section,
      r.answer,
      r.confidence,
      r.mode,
      Math.round(r.latencyMs),
      r.chatType,
    ]),
  }));
}

/** One vote per citizen per answer: a later vote replaces the earlier one. */
export function upsertVotes(rows: VoteRecord[]): Statement[] {
  // One statement may not touch the same row twice (PostgreSQL refuses): the last vote in a batch wins.
  const latest = new Map<string, VoteRecord>();
  for (const v of rows) {
    const key = `${v.answerId}\u0000${v.user}`;
    latest.delete(key);
    latest.set(key, v);
  }
  return chunks([...latest.values()], ROWS_PER_INSERT).map((part) => ({
    sql:
      `INSERT INTO votes (${VOTE_COLUMNS.join(', ')}) VALUES ${placeholders(VOTE_COLUMNS.length, part.length)} ` +
      'ON CONFLICT (answer_id, pseudonym) DO UPDATE SET vote = excluded.vote, reason = excluded.reason, at = excluded.at',
    params: part.flatMap((v) => [v.answerId, v.user, v.vote, v.reason, v.at]),
  }));
}

/** The store's read, delete and meta queries, shared by both backends. */
export const Q = {
  ping: 'SELECT 1 AS ok',
  windowQuestions:
    'SELECT COUNT(*) AS questions, COALESCE(SUM(answered), 0) AS answered FROM questions WHERE at >= ? AND at < ?',
  /** Votes for answers in the record only: a forged answer id in a button counts nowhere. */
  windowVotes:
    "SELECT COALESCE(SUM(CASE WHEN v.vote = 'up' THEN 1 ELSE 0 END), 0) AS up, " +
    "COALESCE(SUM(CASE WHEN v.vote = 'down' THEN 1 ELSE 0 END), 0) AS down FROM votes v " +
    'JOIN questions q ON q.id = v.answer_id WHERE v.at >= ? AND v.at < ?',
  /** Hour of the day in Vietnam (UTC+7 all year, no daylight saving). */
  busiestHours:
    'SELECT ((at / 1000 + 25200) % 86400) / 3600 AS hour, COUNT(*) AS n FROM questions WHERE at >= ? AND at < ? ' +
    'GROUP BY ((at / 1000 + 25200) % 86400) / 3600 ORDER BY n DESC, hour ASC LIMIT ?',
  unanswered:
    'SELECT question_key, COUNT(*) AS n, MAX(question) AS text, MAX(at) AS last FROM questions ' +
    'WHERE answered = 0 AND at >= ? AND at < ? GROUP BY question_key ORDER BY n DESC, last DESC LIMIT ?',
  latestDown:
    'SELECT v.at AS at, q.question AS question, q.answer AS answer, v.reason AS reason FROM votes v ' +
    "JOIN questions q ON q.id = v.answer_id WHERE v.vote = 'down' AND v.at >= ? AND v.at < ? ORDER BY v.at DESC LIMIT ?",
  exportRows:
    'SELECT q.at AS at, q.pseudonym AS pseudonym, q.question AS question, q.answered AS answered, q.source AS source, ' +
    'q.section AS section, q.confidence AS confidence, q.mode AS mode, q.latency_ms AS latency_ms, q.chat_type AS chat_type, ' +
    'v.vote AS vote, v.reason AS reason FROM questions q LEFT JOIN votes v ON v.answer_id = q.id AND v.pseudonym = q.pseudonym ' +
    'WHERE q.at >= ? AND q.at < ? ORDER BY q.at, q.id',
  forgetQuestions: 'DELETE FROM questions WHERE pseudonym = ?',
  forgetVotes: 'DELETE FROM votes WHERE pseudonym = ?',
  purgeQuestions: 'DELETE FROM questions WHERE at < ?',
  purgeVotes: 'DELETE FROM votes WHERE at < ?',
  count: 'SELECT COUNT(*) AS n FROM questions',
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;
