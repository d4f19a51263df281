// Several copies may start together against one database, and CREATE TABLE IF NOT EXISTS is not safe
// against a concurrent CREATE of the same table: each feature creates its tables in one transaction that
// holds a transaction-scoped advisory lock of its own.
import type pg from 'pg';

/** Runs `statements` in one transaction holding the advisory lock `lock` (one key, or two). */
export async function createSchemaUnderLock(
  pool: pg.Pool,
  lock: readonly [number] | readonly [number, number],
  statements: readonly string[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(${lock.map((_, i) => `$${i + 1}`).join(', ')})`, [...lock]);
    for (const statement of statements) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
