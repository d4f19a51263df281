// The office's record: what is kept about each question and each citizen's vote. No Telegram id, name or
// username ever reaches these types: the citizen is a pseudonym (see pseudonym.ts).

/** A citizen's 👍 or 👎 on one answer. */
export type Vote = 'up' | 'down';
/** One-tap reasons for a 👎 (stored as these codes; the Vietnamese labels are in messages.vi.ts). */
export const DOWN_REASONS = ['wrong', 'off-topic', 'unclear'] as const;
/** The reason code stored with a 👎, one of DOWN_REASONS. */
export type DownReason = (typeof DOWN_REASONS)[number];

/** One question as logged: what was asked, what was answered and how, under the asker's pseudonym. */
export interface QuestionRecord {
  /** The answer id, also carried by the answer's buttons (so feedback works after a restart). */
  id: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** Keyed hash of the Telegram user id. */
  user: string;
  question: string;
  answered: boolean;
  /** The cited report (file name) and section, when answered. */
  source: string | null;
  section: string | null;
  /** The excerpt given as the answer (shown beside a 👎 in /stats). */
  answer: string | null;
  /** Score of the best passage. */
  confidence: number | null;
  /** lexical, vector or hybrid. */
  mode: string;
  latencyMs: number;
  /** private, group, supergroup, channel. */
  chatType: string;
}

/** One citizen's vote on one answer; a later vote by the same citizen replaces it. */
export interface VoteRecord {
  answerId: string;
  user: string;
  vote: Vote;
  reason: DownReason | null;
  at: number;
}

/** A question text with how many times it was asked, for /stats' list of unanswered questions. */
export interface CountByText {
  text: string;
  count: number;
}

/** A recent 👎 with the question and the answer it judged, for the office to look at. */
export interface LatestDown {
  at: number;
  question: string;
  answer: string | null;
  reason: DownReason | null;
}

/** Counts for a time window: questions, answered ones and votes, the figures at the top of /stats. */
export interface WindowStats {
  questions: number;
  answered: number;
  up: number;
  down: number;
}

/** A window's counts with the lists /stats shows below them. */
export interface WindowDetails extends WindowStats {
  /** Hours of the day (Vietnam time, 0–23) with the most questions, busiest first. */
  busiestHours: { hour: number; count: number }[];
  /** Unanswered questions grouped by their folded text, most frequent first. */
  unanswered: CountByText[];
  latestDown: LatestDown[];
}

/** One row of the /export file: a question with the asker's own vote, without the answer text. */
export interface ExportRow extends Omit<QuestionRecord, 'id' | 'answer'> {
  vote: Vote | null;
  reason: DownReason | null;
}

/** What the writer hands the store in one transaction. */
export interface WriteBatch {
  questions: QuestionRecord[];
  votes: VoteRecord[];
}

/** Both backends (embedded SQLite, PostgreSQL) implement this; all their SQL lives in sql.ts. */
export interface RecordStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data is, for logs and /stats (never a password). */
  readonly location: string;
  /** Runs the migrations not yet applied (idempotent; the writer calls it again after a failure). */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query; for health checks. */
  ping(): Promise<void>;
  write(batch: WriteBatch): Promise<void>;
  window(from: number, to: number): Promise<WindowStats>;
  details(
    from: number,
    to: number,
    limits?: { hours?: number; unanswered?: number; latestDown?: number },
  ): Promise<WindowDetails>;
  /** Rows with at in [from, to), oldest first, with the asker's own vote on the answer. */
  exportRows(from: number, to: number): Promise<ExportRow[]>;
  /** Deletes everything kept about one pseudonym; returns how many questions and votes went. */
  forget(user: string): Promise<{ questions: number; votes: number }>;
  /** Deletes questions and votes older than `before`; returns how many rows went. */
  purgeBefore(before: number): Promise<number>;
  questionCount(): Promise<number>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
