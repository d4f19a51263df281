// Files that survive a crash or a power cut: written, fsynced, and put in place by an atomic rename whose
// folder is fsynced too. The index bundles and the small state files share these helpers.
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Writes `file` (created or truncated) and fsyncs it before returning. */
export async function writeDurable(file: string, data: Buffer | string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory so renames and new entries in it survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or sync directories; there is nothing more we can do there.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EACCES', 'EBADF'].includes(errorCode(err) ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

/** mkdir -p, then fsync the parent of every folder it created so the folders themselves survive power loss. */
export async function makeDirsDurably(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fsyncDir(path.dirname(d));
    if (d === path.resolve(first) || path.dirname(d) === d) break;
  }
}

/**
 * Replaces `file` with `data` atomically: a reader sees the old content or the new, never a part; after
 * a crash the file is one or the other.
 */
export async function replaceFile(file: string, data: Buffer | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeDurable(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(file));
}
