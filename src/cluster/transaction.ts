// Transactions on a PostgreSQL connection, written once for the cluster's tables: BEGIN, the work, COMMIT,
// or ROLLBACK and the error again. Several copies may also start together against one database, and
// CREATE TABLE IF NOT EXISTS is not safe against a concurrent CREATE of the same table: each feature
// creates its tables in one transaction that holds a transaction-scoped advisory lock of its own.
import type pg from 'pg';

/** Runs `work` between BEGIN and COMMIT on `client`; on failure rolls back and rethrows. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Runs `work` in one transaction on a connection of `pool`, released afterwards. */
export async function inPoolTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}

/** Runs `statements` in one transaction holding the advisory lock `lock` (one key, or two). */
export async function createSchemaUnderLock(
  pool: pg.Pool,
  lock: readonly [number] | readonly [number, number],
  statements: readonly string[],
): Promise<void> {
  await inPoolTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${lock.map((_, i) => `$${i + 1}`).join(', ')})`, [...lock]);
    for (const statement of statements) await client.query(statement);
  });
}
