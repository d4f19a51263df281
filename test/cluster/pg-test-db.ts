// A throw-away PostgreSQL database per test run: created on the server at PG_TEST_URL (default
// postgres://postgres@127.0.0.1:5432/test) and dropped afterwards. When no server answers, `available`
// is false and `reason` says why, so that the tests are skipped with that reason printed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function probeServer(): Promise<{ available: boolean; reason: string }> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true, reason: '' };
  } catch (error) {
    return {
      available: false,
      reason: `no PostgreSQL server at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')}: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(prefix = 'uq'): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 10 });
  return {
    url: url.href,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const again = new pg.Client({ connectionString: ADMIN_URL });
      await again.connect();
      try {
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await again.end();
      }
    },
  };
}
