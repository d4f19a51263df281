// The record's tests run on both stores: the embedded SQLite file and a PostgreSQL server. The server is
// the local one at 127.0.0.1:5432 (trust auth, user postgres, database `test`), or TEST_DATABASE_URL. Each
// run creates its own database botlog_<random> and drops it afterwards, so parallel runs never collide.
// Without a reachable server the PostgreSQL half is skipped with the reason printed, unless
// REQUIRE_POSTGRES=1 (CI), where that is a failure.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REQUIRE_POSTGRES = process.env.REQUIRE_POSTGRES === '1';

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.constructor.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why the PostgreSQL half cannot run here, or null when it can. Throws under REQUIRE_POSTGRES=1. */
export async function postgresUnavailable(suite: string): Promise<string | null> {
  const reason = await reachable();
  if (reason === null) return null;
  const message = `PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]+@/, ':***@')} not reachable (${reason})`;
  if (REQUIRE_POSTGRES) throw new Error(`${message}, and REQUIRE_POSTGRES=1`);
  console.warn(`[${suite}] skipping the PostgreSQL half: ${message}. Set REQUIRE_POSTGRES=1 to make this a failure.`);
  return message;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database botlog_<random> on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `botlog_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
