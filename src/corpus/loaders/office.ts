// .doc and .xlsx are read in a worker thread with a heap limit and a time budget, like PDFs: the
// readers are plain JavaScript parsers of binary or zipped formats that a hostile file could keep busy.
import JSZip from 'jszip';
import { checkZipBudget } from './docx.js';
import { DEFAULT_SHEET_LIMITS } from './xlsx.js';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import type { OfficeKind } from './office-readers.js';
import { startReaderWorker } from './reader-worker.js';
import { formatDuration } from './pdf.js';

const WORKER_URL = new URL('./office-worker.mjs', import.meta.url);
const WORKER_HEAP_MB = 768;
const STARTUP_TIMEOUT_MS = 60_000;

type Reply =
  | { ok: true; parsed: ParsedFile & { truncated?: boolean } }
  | { ok: false; unreadable: boolean; message: string };

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

function runWorker(
  kind: OfficeKind,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<ParsedFile & { truncated?: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = startReaderWorker(WORKER_URL, bytes, WORKER_HEAP_MB, { kind });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    // Until the worker has loaded its readers, only a generous start-up limit applies.
    let timer = setTimeout(() => finish(() => reject(new Error('reader worker did not start'))), STARTUP_TIMEOUT_MS);
    worker.on('message', (reply: Reply | { ready: true }) => {
      if ('ready' in reply) {
        clearTimeout(timer);
        timer = setTimeout(
          () => finish(() => reject(new UnreadableFileError(`reader timed out after ${formatDuration(timeoutMs)}`))),
          timeoutMs,
        );
        return;
      }
      finish(() => {
        if (reply.ok) resolve(reply.parsed);
        else
          reject(
            reply.unreadable
              ? new UnreadableFileError(reply.message)
              : new Error(`${kind} reader failed: ${reply.message}`),
          );
      });
    });
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadableFileError(`file needs more than ${WORKER_HEAP_MB} MB of memory to read`)
            : new Error(`${kind} reader failed: ${error.message}`),
        ),
      ),
    );
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`${kind} reader stopped unexpectedly (exit code ${code})`))),
    );
  });
}
