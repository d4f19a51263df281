// The index bundles' writer lock: one writer at a time, across processes too (the bot's rebuild and a CLI
// `index` run), so that one writer's cleanup never deletes a bundle another is about to point CURRENT at.
// In-process writers queue on a promise; across processes a lock file holds the writer's pid and host,
// and a lock left by a dead process on this host is taken over.
import { hostname } from 'node:os';
import { link, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';
import { makeDirsDurably, writeDurable } from '../fs/durable-file.js';

const LOCK = '.lock';
/** A writer's staging file beside the lock, "<lock>.<pid>" (see createExclusive). */
const STAGING = /^\.lock\.(\d+)$/;
const LOCK_WAIT_MS = 120_000;

let inProcessQueue: Promise<unknown> = Promise.resolve();

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM'; // exists, owned by someone else
  }
}

/** Creates `lockFile` holding `content`, failing with EEXIST if it exists; never visible half-written. */
async function createExclusive(lockFile: string, content: string): Promise<void> {
  const staging = `${lockFile}.${process.pid}`;
  await writeDurable(staging, content);
  try {
    await link(staging, lockFile);
  } catch (err) {
    // File systems without hard links: plain exclusive create (a reader may briefly see it empty).
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errorCode(err) ?? '')) throw err;
    const fh = await open(lockFile, 'wx');
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
  } finally {
    await unlink(staging).catch(() => undefined);
  }
}

/** The lock file's holder as written by createExclusive ({} when unreadable); null when the lock is gone. */
async function readHolder(lockFile: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null; // released meanwhile
    throw err;
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // unreadable lock: treated as stale by the caller
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

async function acquireFileLock(bundlesDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(bundlesDir, LOCK);
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      await createExclusive(lockFile, me);
      return () => unlink(lockFile).catch(() => undefined);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const holder = await readHolder(lockFile);
    if (holder === null) continue;
    const pid = typeof holder.pid === 'number' ? holder.pid : null;
    const sameHost = holder.host === hostname();
    // Our own pid can only be a leftover, since in-process writers queue before taking the file lock
    // (and a restarted container often gets the same pid again).
    if (pid === null || (sameHost && (pid === process.pid || !isAlive(pid)))) {
      log.warn('removing a stale index bundle lock', { lock: lockFile, holder });
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another process (pid ${pid} on ${String(holder.host)}, since ${String(holder.since)}) is writing an index bundle; ` +
          `if none is running, delete ${lockFile}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Runs fn under the writer lock. In-process callers are queued synchronously, so the last call wins. */
export function withWriterLock<T>(bundlesDir: string, fn: () => Promise<T>): Promise<T> {
  const run = inProcessQueue.then(async () => {
    await makeDirsDurably(bundlesDir);
    const release = await acquireFileLock(bundlesDir);
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  inProcessQueue = run.catch(() => undefined);
  return run;
}

/**
 * Whether `name` in the bundles folder belongs to the lock (the lock itself or a writer's staging file).
 * A staging file left by a writer that crashed between creating and linking it is removed on the way.
 */
export async function isLockFile(bundlesDir: string, name: string): Promise<boolean> {
  if (name === LOCK) return true;
  const staging = STAGING.exec(name);
  if (!staging) return false;
  const pid = Number(staging[1]);
  if (pid !== process.pid && !isAlive(pid)) await unlink(path.join(bundlesDir, name)).catch(() => undefined);
  return true;
}
