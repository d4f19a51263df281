// The embedded record's database, on a worker thread started by sqlite.ts: better-sqlite3 is synchronous,
// and a commit (with its WAL checkpoints) must not hold the bot's thread while replies are in flight.
// Plain JS on purpose, like the PDF worker: a worker gets no TypeScript loader under vitest.
// Messages in: { id, op: 'query' | 'transaction' | 'check' | 'close', sql?, params?, statements? };
// out: { id, ok: true, result } or { id, ok: false, error: { message, code } }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${workerData.synchronous}`);
db.pragma('busy_timeout = 5000');

const MAX_CACHED = 256;
const cache = new Map();
function prepare(sql) {
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value);
    cache.set(sql, stmt);
  }
  return stmt;
}

const runAll = db.transaction((statements) => statements.map((s) => prepare(s.sql).run(...s.params).changes));

parentPort.on('message', (message) => {
  const { id, op } = message;
  try {
    let result;
    if (op === 'query') result = prepare(message.sql).all(...(message.params ?? []));
    else if (op === 'transaction') result = runAll.immediate(message.statements);
    else if (op === 'check') result = String(db.pragma('quick_check(1)', { simple: true }));
    else if (op === 'close') {
      db.close();
      parentPort.postMessage({ id, ok: true, result: null });
      parentPort.close();
      return;
    } else throw new Error(`unknown operation ${op}`);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: { message: error?.message ?? String(error), code: error?.code } });
  }
});
