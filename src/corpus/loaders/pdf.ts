// .pdf reports. pdfjs runs in a worker thread per file: a hostile or pathological PDF can keep the
// parser busy for minutes or grow its heap without bound, and only a separate thread can be stopped.
import { log } from '../../log.js';
import { tabbedTablesToText } from './table-text.js';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { startReaderWorker } from './reader-worker.js';
import { DEFAULT_OCR_OPTIONS, ocrPdfPages, ocrUnavailableReason, type OcrOptions } from './ocr.js';

const WORKER_URL = new URL('./pdf-worker.mjs', import.meta.url);
// Text extraction needs little memory; a PDF that needs more is not a report we can use.
const WORKER_HEAP_MB = 512;

type WorkerReply = { ok: true; pages: string[]; numPages: number } | { ok: false; code: string; message: string };

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round((ms / 1000) * 10) / 10} s` : `${ms} ms`;
}

function runWorker(bytes: Uint8Array, timeoutMs: number): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = startReaderWorker(WORKER_URL, bytes, WORKER_HEAP_MB);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new UnreadableFileError(`parser timed out after ${formatDuration(timeoutMs)}`)));
    }, timeoutMs);
    worker.once('message', (reply: WorkerReply) => finish(() => resolve(reply)));
    worker.once('error', (error: Error & { code?: string }) => {
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadableFileError(`PDF needs more than ${WORKER_HEAP_MB} MB of memory to read`)
            : new Error(`PDF parser failed: ${error.message}`),
        ),
      );
    });
    worker.once('exit', (code) => {
      finish(() => reject(new Error(`PDF parser stopped unexpectedly (exit code ${code})`)));
    });
  });
}

// A page with fewer characters than this in its text layer is taken to be a scan (a page number or a
// stamp's caption is not a text layer).
const MIN_TEXT_LAYER_CHARS = 20;

export async function parsePdf(
  bytes: Uint8Array,
  timeoutMs: number,
  source = 'document.pdf',
  ocr: Partial<OcrOptions> = {},
): Promise<ParsedFile> {
  const reply = await runWorker(bytes, timeoutMs);
  if (!reply.ok) {
    if (reply.code === 'password')
      throw new UnreadableFileError('PDF is password-protected: save a copy without a password');
    throw new UnreadableFileError(`not a valid PDF (${reply.message || 'damaged file'})`);
  }
  if (reply.numPages === 0) throw new UnreadableFileError('not a valid PDF (no pages found)');
  const pages = [...reply.pages];
  // Pages with a text layer keep it; the others are scans, read by OCR when it is installed.
  const scanned = pages.flatMap((page, i) => (page.replace(/\s/g, '').length < MIN_TEXT_LAYER_CHARS ? [i + 1] : []));
  let ocrUsed = false;
  if (scanned.length > 0) {
    const unavailable = await ocrUnavailableReason();
    const hasText = pages.some((page) => page.trim() !== '');
    if (unavailable) {
      if (!hasText) throw new UnreadableFileError(`scanned PDF (no text layer) needs OCR. ${unavailable}`);
      log.warn(`${source}: ${scanned.length} scanned page(s) left out. ${unavailable}`, { source });
    } else {
      const result = await ocrPdfPages(bytes, scanned, source, { ...DEFAULT_OCR_OPTIONS, ...ocr });
      for (const [page, text] of result.pages) {
        if (text !== '') {
          pages[page - 1] = text;
          ocrUsed = true;
        }
      }
      if (result.unread.length > 0) {
        log.warn(
          `${source}: ${result.unread.length} of ${scanned.length} scanned page(s) not read by OCR (page cap, time budget or unreadable)`,
          {
            source,
            unread: result.unread.length,
          },
        );
      }
      if (!ocrUsed && !hasText && result.imageless.length === scanned.length) {
        throw new UnreadableFileError('PDF has no extractable text (no text layer and no scanned image)');
      }
      if (!ocrUsed && !hasText)
        throw new UnreadableFileError('scanned PDF, but OCR found no readable Vietnamese text on its pages');
    }
  }
  // Lines of cells (tab-separated by the worker) in runs become table rows with their headers.
  const text = tabbedTablesToText(pages.filter((page) => page.trim() !== '').join('\n\n'));
  if (text.trim() === '') throw new UnreadableFileError('PDF has no extractable text (scanned image?)');
  return ocrUsed ? { text, scanned: true } : { text };
}
