// The little each backend must do for the shared SQL in sql.ts: read rows, and run statements in one
// transaction. Rows come back with numbers as numbers (PostgreSQL's BIGINT included).
import type { Statement } from './sql.js';

/** A result row keyed by column alias; the store converts each value to its field's type. */
export type Row = Record<string, unknown>;

/** What a backend (SQLite or PostgreSQL) provides so that SqlRecordStore can run the shared SQL on it. */
export interface Driver {
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs the statements in one transaction; returns each one's count of changed rows. */
  transaction(statements: Statement[], options?: { lockKey?: number }): Promise<number[]>;
  close(): Promise<void>;
}
