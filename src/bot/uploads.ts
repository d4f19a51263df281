// An admin sends a report as a Telegram document; it becomes a file of the corpus. The name is cleaned
// (it comes from a phone and lands on our disk), the bytes are downloaded to a temporary file inside the
// corpus folder (so the final move is a same-disk rename), read once with the corpus loader to refuse a
// corrupt or mislabelled file before it replaces anything, and only then moved into place. A replaced
// file is kept in CORPUS_DIR/.history/.
import { constants } from 'node:fs';
import { copyFile, type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Api } from 'grammy';
import { describeError } from '../errors.js';

/** Telegram's Bot API serves files up to 20 MB through getFile. */
export const TELEGRAM_DOWNLOAD_LIMIT_MB = 20;
/** Folder in CORPUS_DIR where a replaced report is kept (with a timestamp), so an upload can be undone by hand. */
export const HISTORY_DIR = '.history';
/** Folder in CORPUS_DIR for downloads being checked; inside the corpus folder so that installing is a rename. */
export const INCOMING_DIR = '.uploads';

const MAX_STEM_CHARS = 100;
// File names are limited to 255 bytes on Linux and Vietnamese letters take 2-3 bytes in UTF-8; the name
// also gets a 13-byte prefix in .uploads/ and a timestamp suffix in .history/.
const MAX_STEM_BYTES = 150;

/** The first code points of `text` that fit in `maxChars` UTF-16 units and `maxBytes` UTF-8 bytes (never half a character). */
function cutName(text: string, maxChars: number, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (out.length + char.length > maxChars || bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/**
 * A safe file name for the corpus folder, or null when nothing usable is left. Keeps the base name only
 * (no folders, no "..", no leading dot), letters of any script with their accents (Vietnamese names stay
 * readable), digits, "-" and "_"; anything else becomes "-". The extension is lower-cased.
 */
export function sanitizeFileName(original: string): string | null {
  const base = original
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .split(/[\\/]/)
    .pop()!
    .trim();
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return null;
  const ext = base
    .slice(dot + 1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (!ext) return null;
  const cleaned = base
    .slice(0, dot)
    .replace(/[^\p{L}\p{M}\p{N}_-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  const stem = cutName(cleaned, MAX_STEM_CHARS, MAX_STEM_BYTES).replace(/[-_]+$/g, '');
  if (!/[\p{L}\p{N}]/u.test(stem)) return null;
  return `${stem}.${ext}`;
}

/** ".docx" for "bao-cao.DOCX". */
export function extensionOf(name: string): string {
  return path.extname(name).toLowerCase();
}

/** The ways downloading an uploaded file can fail, each worded differently for the admin. */
export type DownloadFailure = 'refused' | 'no-path' | 'too-large' | 'timeout' | 'network' | 'http' | 'interrupted';

/** Why a download failed, as a kind (worded in messages.vi.ts); never holds the URL, which has the token. */
export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadFailure,
    readonly detail = '',
  ) {
    super(`download failed: ${kind}${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * Downloads a Telegram file to `dest`, refusing more than `maxBytes`. Handles both api.telegram.org
 * (file_path relative, fetched over HTTPS) and a local Bot API server in --local mode (absolute path).
 */
export async function downloadTelegramFile(
  api: Api,
  apiRoot: string,
  token: string,
  fileId: string,
  dest: string,
  maxBytes: number,
  timeoutMs = 120_000,
): Promise<number> {
  let filePath: string | undefined;
  try {
    filePath = (await api.getFile(fileId)).file_path;
  } catch (error) {
    throw new DownloadError('refused', describeError(error));
  }
  if (!filePath) throw new DownloadError('no-path');

  if (path.isAbsolute(filePath)) {
    const size = (await stat(filePath)).size;
    if (size > maxBytes) throw new DownloadError('too-large');
    await copyFile(filePath, dest);
    return size;
  }

  const url = `${apiRoot.replace(/\/+$/, '')}/file/bot${token}/${filePath}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new DownloadError(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network');
  }
  if (!response.ok || !response.body) throw new DownloadError('http', String(response.status));

  // A file handle rather than a write stream: a stream reports a failed open (ENAMETOOLONG, EACCES) or a
  // full disk as an 'error' event, which without a listener takes the whole bot down.
  let out: FileHandle;
  try {
    out = await open(dest, 'w');
  } catch (error) {
    await response.body.cancel().catch(() => undefined);
    throw error;
  }
  let received = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      if (received > maxBytes) throw new DownloadError('too-large');
      await out.write(chunk);
    }
    await out.close();
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(dest, { force: true });
    // Local disk errors are ours to report; anything else broke the download.
    if (error instanceof DownloadError || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new DownloadError('interrupted');
  }
  return received;
}

/** A temporary path inside the corpus folder's hidden incoming folder, keeping the extension. */
export async function incomingPath(corpusDir: string, name: string): Promise<string> {
  const dir = path.join(corpusDir, INCOMING_DIR);
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${randomBytes(6).toString('hex')}-${name}`);
}

/** Where an installed upload went, and where the report it replaced was kept. */
export interface Installed {
  /** Absolute path of the file now in the corpus. */
  target: string;
  /** Where the replaced version went, or null when the name was new. */
  historyPath: string | null;
}

function timestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z');
}

/** Copies `from` into .history/ under a name no earlier version holds: two replacements in one millisecond keep both. */
async function keepInHistory(historyDir: string, name: string, from: string): Promise<string> {
  const stamp = timestamp();
  for (let n = 0; ; n++) {
    const candidate = path.join(historyDir, `${name}.${stamp}${n === 0 ? '' : `-${n}`}`);
    try {
      await copyFile(from, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw error;
    }
  }
}

/** Moves a validated upload into the corpus under `name`, keeping any previous version in .history/. */
export async function installUpload(corpusDir: string, name: string, tempPath: string): Promise<Installed> {
  const target = path.join(corpusDir, name);
  // sanitizeFileName already guarantees this; checked again because it guards the disk.
  if (path.dirname(target) !== path.resolve(corpusDir) || name.startsWith('.'))
    throw new Error(`unsafe corpus file name: ${name}`);
  let historyPath: string | null = null;
  const existing = await stat(target).catch(() => null);
  if (existing) {
    const historyDir = path.join(corpusDir, HISTORY_DIR);
    await mkdir(historyDir, { recursive: true });
    // Copy, not move: the old file stays in place until the rename below replaces it in one step.
    historyPath = await keepInHistory(historyDir, name, target);
  }
  await rename(tempPath, target);
  return { target, historyPath };
}
