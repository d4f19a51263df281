// The little each backend must do for the shared SQL in sql.ts: read rows, and run statements in one
// transaction. Rows come back with numbers as numbers (PostgreSQL's BIGINT included).
import type { Statement } from './sql.js';

export type Row = Record<string, unknown>;

export interface Driver {
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs the statements in one transaction; returns each one's count of changed rows. */
  transaction(statements: Statement[], options?: { lockKey?: number }): Promise<number[]>;
  close(): Promise<void>;
}
