// A throw-away database for the update queue's tests and benchmark (see test/fixtures/postgres.ts), with a
// connection pool that is closed before the database is dropped.
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.js';

export { postgresUnavailable, probeServer } from '../fixtures/postgres.js';

export interface QueueDatabase extends TestDatabase {
  pool: pg.Pool;
}

export async function createQueueDatabase(prefix = 'uq'): Promise<QueueDatabase> {
  const db = await createTestDatabase(prefix);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  return {
    ...db,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      await db.drop();
    },
  };
}
