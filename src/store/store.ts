// One RecordStore over either backend's Driver: the migrations and every query come from sql.ts.
import { foldDiacritics, normalizeLine } from '../text/normalize.js';
import type { Driver, Row } from './driver.js';
import {
  APPLIED_VERSIONS,
  CREATE_MIGRATIONS_TABLE,
  insertQuestions,
  LATEST_VERSION,
  MIGRATIONS,
  Q,
  RECORD_VERSION,
  upsertVotes,
  type Statement,
} from './sql.js';
import { withDefaults } from '../defaults.js';
import type { DownReason, ExportRow, RecordStore, Vote, WindowDetails, WindowStats, WriteBatch } from './types.js';

/** How many rows each of /stats' lists shows unless the caller says. */
const DETAILS_LIMITS = { hours: 3, unanswered: 5, latestDown: 3 };

/** Advisory lock id for migrations, so that two bot processes sharing a server do not race. */
const MIGRATION_LOCK = 0x0b07_2e0c;

/**
 * The key that groups unanswered questions: with or without diacritics, capitals, spacing and the
 * punctuation around words counted as one ("Giá vé xe buýt?" = "gia ve xe buyt").
 */
export function questionKey(question: string): string {
  return foldDiacritics(normalizeLine(question))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The RecordStore for both backends: migrations and every query come from sql.ts, run on the given Driver. */
export class SqlRecordStore implements RecordStore {
  private migrated: boolean;

  /** `migrated`: the schema is known to be current (the embedded store migrates before handing over). */
  constructor(
    private readonly db: Driver,
    options: { migrated?: boolean } = {},
  ) {
    this.migrated = options.migrated ?? false;
  }

  get kind() {
    return this.db.kind;
  }
  get location() {
    return this.db.location;
  }

  async migrate(): Promise<void> {
    if (this.migrated) return;
    await this.db.transaction([{ sql: CREATE_MIGRATIONS_TABLE, params: [] }], { lockKey: MIGRATION_LOCK });
    const applied = new Set((await this.db.query(APPLIED_VERSIONS)).map((r) => num(r.version)));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      const statements: Statement[] = [
        ...m.statements.map((sql) => ({ sql, params: [] })),
        { sql: RECORD_VERSION, params: [m.version, Date.now()] },
      ];
      await this.db.transaction(statements, { lockKey: MIGRATION_LOCK });
    }
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_VERSION) {
      throw new Error(
        `the database has schema version ${newest}, newer than this bot's ${LATEST_VERSION}: upgrade the bot`,
      );
    }
    this.migrated = true;
  }

  async ping(): Promise<void> {
    await this.db.query(Q.ping);
  }

  async write(batch: WriteBatch): Promise<void> {
    await this.migrate();
    const statements = [...insertQuestions(batch.questions, questionKey), ...upsertVotes(batch.votes)];
    if (statements.length > 0) await this.db.transaction(statements);
  }

  async window(from: number, to: number): Promise<WindowStats> {
    await this.migrate();
    const [q] = await this.db.query(Q.windowQuestions, [from, to]);
    const [v] = await this.db.query(Q.windowVotes, [from, to]);
    return { questions: num(q?.questions), answered: num(q?.answered), up: num(v?.up), down: num(v?.down) };
  }

  async details(
    from: number,
    to: number,
    limits: { hours?: number; unanswered?: number; latestDown?: number } = {},
  ): Promise<WindowDetails> {
    const shown = withDefaults(DETAILS_LIMITS, limits);
    const base = await this.window(from, to);
    const hours = await this.db.query(Q.busiestHours, [from, to, shown.hours]);
    const unanswered = await this.db.query(Q.unanswered, [from, to, shown.unanswered]);
    const down = await this.db.query(Q.latestDown, [from, to, shown.latestDown]);
    return {
      ...base,
      busiestHours: hours.map((r) => ({ hour: num(r.hour), count: num(r.n) })),
      unanswered: unanswered.map((r) => ({ text: String(r.text), count: num(r.n) })),
      latestDown: down.map((r) => ({
        at: num(r.at),
        question: String(r.question),
        answer: str(r.answer),
        reason: str(r.reason) as DownReason | null,
      })),
    };
  }

  async exportRows(from: number, to: number): Promise<ExportRow[]> {
    await this.migrate();
    const rows = await this.db.query(Q.exportRows, [from, to]);
    return rows.map((r: Row) => ({
      at: num(r.at),
      user: String(r.pseudonym),
      question: String(r.question),
      answered: num(r.answered) === 1,
      source: str(r.source),
      section: str(r.section),
      confidence: r.confidence === null || r.confidence === undefined ? null : Number(r.confidence),
      mode: String(r.mode),
      latencyMs: num(r.latency_ms),
      chatType: String(r.chat_type),
      vote: str(r.vote) as Vote | null,
      reason: str(r.reason) as DownReason | null,
    }));
  }

  async forget(user: string): Promise<{ questions: number; votes: number }> {
    await this.migrate();
    const [questions, votes] = await this.db.transaction([
      { sql: Q.forgetQuestions, params: [user] },
      { sql: Q.forgetVotes, params: [user] },
    ]);
    return { questions: questions ?? 0, votes: votes ?? 0 };
  }

  async purgeBefore(before: number): Promise<number> {
    await this.migrate();
    const changed = await this.db.transaction([
      { sql: Q.purgeVotes, params: [before] },
      { sql: Q.purgeQuestions, params: [before] },
    ]);
    return changed.reduce((a, b) => a + b, 0);
  }

  async questionCount(): Promise<number> {
    await this.migrate();
    return num((await this.db.query(Q.count))[0]?.n);
  }

  async getMeta(key: string): Promise<string | null> {
    await this.migrate();
    return str((await this.db.query(Q.getMeta, [key]))[0]?.value);
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.migrate();
    await this.db.transaction([{ sql: Q.setMeta, params: [key, value] }]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
