// Connections a pool opens before the bot serves, and keeps (the pool's `min`). Opened on demand, they
// were opened by the first burst of questions: each a new PostgreSQL backend started on the same cores
// while the updates that needed it waited, and closed again after a quiet spell.
import type pg from 'pg';

/** Opens `count` connections of `pool` at once (fewer if its `max` is lower); rejects if one fails. */
export async function openConnections(pool: pg.Pool, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => pool.query('SELECT 1')));
}
