// .doc and .xlsx are read in a worker thread with a heap limit and a time budget, like PDFs: the
// readers are plain JavaScript parsers of binary or zipped formats that a hostile file could keep busy.
import JSZip from 'jszip';
import { checkZipBudget } from './docx.js';
import { DEFAULT_SHEET_LIMITS } from './xlsx.js';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import type { OfficeKind } from './office-readers.js';
import { runReaderWorker, type ReaderWorkerSpec } from './reader-worker.js';

const WORKER_URL = new URL('./office-worker.mjs', import.meta.url);
const WORKER_HEAP_MB = 768;
// Loading the readers' libraries; the file's own time budget starts when the worker says it is ready.
const STARTUP_TIMEOUT_MS = 60_000;

type Reply =
  | { ok: true; parsed: ParsedFile & { truncated?: boolean } }
  | { ok: false; unreadable: boolean; message: string };

/**
 * Reads a .doc or .xlsx file in a worker thread within `timeoutMs`; an .xlsx is checked for a zip bomb first, on
 * this thread.
 */
export async function parseOfficeFile(
  kind: OfficeKind,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<ParsedFile & { truncated?: boolean }> {
  // A zip bomb is refused here, before a worker is even started (the check streams with a byte budget).
  if (kind === 'xlsx') {
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(bytes);
    } catch {
      throw new UnreadableFileError('not a valid .xlsx (zip archive unreadable; the file may be truncated)');
    }
    if (!zip.file('xl/workbook.xml'))
      throw new UnreadableFileError('not a valid .xlsx (zip archive without xl/workbook.xml)');
    await checkZipBudget(zip, DEFAULT_SHEET_LIMITS, 'xlsx');
  }
  return runWorker(kind, bytes, timeoutMs);
}

async function runWorker(
  kind: OfficeKind,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<ParsedFile & { truncated?: boolean }> {
  const reader: ReaderWorkerSpec = {
    url: WORKER_URL,
    heapMb: WORKER_HEAP_MB,
    workerData: { kind },
    name: `${kind} reader`,
    timeoutName: 'reader',
    subject: 'file',
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  };
  const reply = await runReaderWorker<Reply>(reader, bytes, timeoutMs);
  if (reply.ok) return reply.parsed;
  throw reply.unreadable
    ? new UnreadableFileError(reply.message)
    : new Error(`${kind} reader failed: ${reply.message}`);
}
