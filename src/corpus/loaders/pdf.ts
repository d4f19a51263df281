// .pdf reports. pdfjs runs in a worker thread per file: a hostile or pathological PDF can keep the
// parser busy for minutes or grow its heap without bound, and only a separate thread can be stopped.
import { log } from '../../log.js';
import { tabbedTablesToText } from './table-text.js';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { runReaderWorker, type ReaderWorkerSpec } from './reader-worker.js';
import { DEFAULT_OCR_OPTIONS, ocrPdfPages, ocrUnavailableReason, type OcrOptions } from './ocr.js';

const PDF_READER: ReaderWorkerSpec = {
  url: new URL('./pdf-worker.mjs', import.meta.url),
  // Text extraction needs little memory; a PDF that needs more is not a report we can use.
  heapMb: 512,
  name: 'PDF parser',
  timeoutName: 'parser',
  subject: 'PDF',
};

type WorkerReply = { ok: true; pages: string[]; numPages: number } | { ok: false; code: string; message: string };

// A page with fewer characters than this in its text layer is taken to be a scan (a page number or a
// stamp's caption is not a text layer).
const MIN_TEXT_LAYER_CHARS = 20;

/**
 * Reads a PDF's text layer in a worker thread within `timeoutMs`, and its scanned pages by OCR when OCR is
 * installed (otherwise they are left out, and a PDF with no text at all is refused).
 */
export async function parsePdf(
  bytes: Uint8Array,
  timeoutMs: number,
  source = 'document.pdf',
  ocr: Partial<OcrOptions> = {},
): Promise<ParsedFile> {
  const reply = await runReaderWorker<WorkerReply>(PDF_READER, bytes, timeoutMs);
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
