// Which files of the corpus folder are reports, and their fingerprints. The index manifest stores the
// fingerprints of every report file (readable or not), so a changed folder is noticed at start-up
// without parsing anything.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const SUPPORTED_EXTENSIONS = ['.txt', '.md', '.docx', '.pdf'] as const;

export class CorpusFolderError extends Error {}

/** Report files of the folder, sorted by name; hidden files and folders (.history) are not reports. */
export async function listCorpusFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CorpusFolderError(
        `Corpus folder ${path.resolve(dir)} does not exist: create it and put the reports (.docx, .pdf, .txt, .md) in it`,
      );
    }
    if (code === 'ENOTDIR') throw new CorpusFolderError(`Corpus path ${path.resolve(dir)} is a file, not a folder`);
    throw new CorpusFolderError(`Corpus folder ${path.resolve(dir)} cannot be read: ${(error as Error).message}`);
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .filter((name) => (SUPPORTED_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase()))
    .sort();
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of every report file, keyed by file name. */
export async function hashCorpusFiles(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of await listCorpusFiles(dir)) {
    try {
      hashes[name] = sha256(await fs.readFile(path.join(dir, name)));
    } catch {
      hashes[name] = 'unreadable';
    }
  }
  return hashes;
}

export function sameHashes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
