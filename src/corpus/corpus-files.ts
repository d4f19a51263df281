// Which files of the corpus folder are reports, and their fingerprints. The index manifest stores the
// fingerprints of every report file (readable or not), so a changed folder is noticed at start-up
// without parsing anything.
import { createHash } from 'node:crypto';
import { type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';
import { describeError } from '../errors.js';

/** The file types read as reports; any other file in the corpus folder is not a report and is not listed. */
export const SUPPORTED_EXTENSIONS: readonly string[] = ['.txt', '.md', '.docx', '.pdf', '.doc', '.xlsx', '.csv'];

/** The admins' synonyms file may sit in the corpus folder under this name; it is not a report. */
export const SYNONYMS_FILE_NAME = 'synonyms.txt';

/** The corpus folder is missing, a file, or cannot be listed; the message says which and what to do. */
export class CorpusFolderError extends Error {}

/**
 * Report files of the folder, in code-unit order (the same corpus loads the same way on every machine).
 * Hidden files and folders (.history, .DS_Store), Word's "~$name.docx" lock files, sub-folders and other
 * extensions are not reports.
 */
export async function listCorpusFiles(dir: string): Promise<string[]> {
  const absolute = path.resolve(dir);
  let entries: Dirent[];
  try {
    entries = await fs.readdir(absolute, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CorpusFolderError(
        `Corpus folder ${absolute} does not exist: create it and put the reports (.docx, .doc, .pdf, .xlsx, .csv, .txt, .md) in it`,
      );
    }
    if (code === 'ENOTDIR') throw new CorpusFolderError(`Corpus folder ${absolute} is a file, not a folder`);
    throw new CorpusFolderError(
      `Corpus folder ${absolute} cannot be listed (${code ?? describeError(error)}): check its permissions`,
    );
  }
  const names: string[] = [];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.') || name.startsWith('~$') || name.toLowerCase() === SYNONYMS_FILE_NAME) continue;
    if (!SUPPORTED_EXTENSIONS.includes(path.extname(name).toLowerCase())) {
      if (!entry.isDirectory()) log.debug('Ignoring corpus file with an unsupported extension', { source: name });
      continue;
    }
    if (entry.isDirectory()) continue;
    // Symlinks are followed; a link to a folder is not a file.
    if (!entry.isFile()) {
      const info = await fs.stat(path.join(absolute, name)).catch(() => null);
      if (!info?.isFile()) continue;
    }
    names.push(name);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The hex SHA-256 of bytes or text: the fingerprint of a corpus file, and of each file of an index bundle. */
export function sha256(bytes: Uint8Array | string): string {
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

/** Whether two fingerprint maps name the same files with the same contents, i.e. the index is still current. */
export function sameHashes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
