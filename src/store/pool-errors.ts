// A PostgreSQL connection cut by the server (restart, network) emits 'error' on its client. The pool
// listens only while a client is idle; a client checked out for a transaction or a lock between two
// statements would crash the process with an uncaught ECONNRESET. Every client gets a listener of its
// own: the statement in flight still fails and is handled where it was made; the log says why.
import type pg from 'pg';
import { log } from '../log.js';

/** Logs a pool's lost connections, idle or checked out, instead of letting them crash the process. */
export function logLostConnections(pool: pg.Pool, what: string): void {
  const lost = (error: Error) => log.warn(`${what}: connection lost`, { error: error.message });
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
}
