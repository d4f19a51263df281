// Scanned pages by OCR: poppler's pdfimages takes out a scanned page's image (pdftoppm renders the page
// when it is not one plain image), Tesseract with its Vietnamese model (Debian: tesseract-ocr, tesseract-ocr-vie,
// poppler-utils) reads it. All run as child processes,
// so the work is off the bot's thread and a page that takes too long is killed, not waited for.
// The command-line programs were chosen over tesseract.js by measurement (README, "Formats").
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { log } from '../../log.js';
import { describeError } from '../../errors.js';

/** The Debian packages OCR needs, named in the hint when they are missing. */
export const OCR_PACKAGES = 'tesseract-ocr tesseract-ocr-vie poppler-utils';
/** Said in the log and the skip reason when a scanned page cannot be read because OCR is not installed. */
export const OCR_INSTALL_HINT = `OCR is not installed on the server: install the Debian packages ${OCR_PACKAGES} (apt-get install -y ${OCR_PACKAGES})`;

/** Budgets of OCR for one file, so that a long scan cannot hold up a reload for hours. */
export interface OcrOptions {
  /** A page whose rendering plus recognition takes longer is given up (the others are still read). */
  pageTimeoutMs: number;
  /** Pages read by OCR at most per file; a longer scan keeps its first pages and says so in the log. */
  maxPages: number;
  /** Whole-file OCR budget; pages not reached by then are left out. */
  totalTimeoutMs: number;
  /** Rendering resolution; 300 dpi is what Tesseract is trained for. */
  dpi: number;
  /** After each page: pages done (read, failed or timed out) and pages to do. */
  onProgress?: (done: number, total: number) => void;
}

/** A minute a page, 200 pages and 20 minutes a file, at the resolution Tesseract is trained for. */
export const DEFAULT_OCR_OPTIONS: OcrOptions = {
  pageTimeoutMs: 60_000,
  maxPages: 200,
  totalTimeoutMs: 20 * 60_000,
  dpi: 300,
};

/** What OCR of a file's scanned pages gave, page by page, with the pages it could not read. */
export interface OcrResult {
  /** Text per requested page number (1-based); a page that failed or timed out maps to ''. */
  pages: Map<number, string>;
  /** Pages that were not read: over the page cap or the file budget, failed or timed out. */
  unread: number[];
  /** Pages with no image at all (blank, or vector drawings only): nothing to read, not even tried. */
  imageless: number[];
}

let availability: Promise<string | null> | null = null;

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < 64 * 1024) err.push(chunk);
      errBytes += chunk.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}

/** null when OCR can be used; otherwise the reason (which packages to install). Checked once. */
export function ocrUnavailableReason(): Promise<string | null> {
  availability ??= new Promise((resolve) => {
    execFile('tesseract', ['--list-langs'], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) return resolve(OCR_INSTALL_HINT);
      const langs = `${stdout}\n${stderr}`.split(/\s+/);
      if (!langs.includes('vie'))
        return resolve(`Tesseract has no Vietnamese model: install the Debian package tesseract-ocr-vie`);
      execFile('pdftoppm', ['-v'], { timeout: 10_000 }, (error2) => {
        resolve(
          error2 && (error2 as NodeJS.ErrnoException).code === 'ENOENT'
            ? `pdftoppm is missing: install the Debian package poppler-utils`
            : null,
        );
      });
    });
  });
  return availability;
}

/** For tests: forget the cached check (after changing PATH). */
export function resetOcrAvailability(): void {
  availability = null;
}

/**
 * Drops the stray symbols OCR makes of a page without text (a photo, a stamp, noise): a line is kept when
 * it is mostly letters and has at least two words, and a page is kept when enough such lines remain.
 */
export function cleanOcrText(raw: string): string {
  const lines = raw
    .normalize('NFC')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim());
  const kept = lines.map((line) => {
    if (line === '') return '';
    const letters = (line.match(/\p{L}/gu) ?? []).length;
    const words = line.split(' ').filter((w) => /\p{L}{2,}/u.test(w)).length;
    return letters >= line.replace(/\s/g, '').length * 0.5 && words >= 2 ? line : null;
  });
  const text = kept
    .filter((l) => l !== null)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return looksVietnamese(text) ? reflow(text) : '';
}

/**
 * OCR gives the printed lines; a paragraph is wanted. A line nearly as wide as the page's widest is a
 * wrapped line and is joined to the next; short lines (headings, the header block, the signature block,
 * a paragraph's last line) end where they end.
 */
export function reflow(text: string): string {
  const lines = text.split('\n');
  const width = Math.max(...lines.map((l) => l.length));
  let out = '';
  for (const [i, line] of lines.entries()) {
    out += line;
    const next = lines[i + 1];
    if (next === undefined) break;
    const wrapped =
      line !== '' && next !== '' && line.length >= width * 0.7 && !/[:]$/.test(line) && !/^[-+•]/.test(next);
    out += wrapped ? ' ' : '\n';
  }
  return out;
}

// Vietnamese is written in syllables: consonant onset, vowel nucleus, at most one final consonant.
const SYLLABLE = /^[bcdghklmnpqrstvx]{0,3}[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$/;

/** Enough words of three letters or more that are Vietnamese syllables, and few that are not. */
export function looksVietnamese(text: string): boolean {
  const words = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length >= 2);
  if (words.length === 0) return false;
  const syllables = words.filter((w) => SYLLABLE.test(w));
  const long = syllables.filter((w) => w.length >= 3).length;
  return long >= 5 && syllables.length >= words.length * 0.6;
}

/**
 * The images on the page, from `pdfimages -list`: 'none' for a page of vector drawings (no scan),
 * the resolution of the one image when the page is a single scanned image, else 'render'.
 */
async function pageImages(
  pdfPath: string,
  page: number,
  budgetMs: number,
): Promise<'none' | 'render' | { ppi: number }> {
  const list = await run('pdfimages', ['-list', '-f', String(page), '-l', String(page), pdfPath], budgetMs);
  // When the listing fails, render the page and let the OCR say what it finds.
  if (list.code !== 0 || list.timedOut) return 'render';
  const rows = list.stdout
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 14);
  if (rows.length === 0) return 'none';
  const images = rows.filter((cols) => cols[2] === 'image');
  const ppi = Number(images[0]?.[12]);
  return images.length === 1 && rows.length === 1 && ppi >= MIN_EXTRACT_PPI ? { ppi } : 'render';
}

// A single page image of at least this resolution is read as stored (pdfimages, ~1.5 s of CPU for an
// A4 page at 300 dpi) instead of being rendered again (pdftoppm, ~14 s for the same page here).
const MIN_EXTRACT_PPI = 150;

async function ocrPage(
  pdfPath: string,
  dir: string,
  page: number,
  options: OcrOptions,
  budgetMs: number,
): Promise<string | null> {
  const stem = path.join(dir, `p${page}`);
  const started = Date.now();
  const images = await pageImages(pdfPath, page, budgetMs);
  if (images === 'none') return null;
  const render =
    images === 'render'
      ? await run(
          'pdftoppm',
          ['-r', String(options.dpi), '-f', String(page), '-l', String(page), '-gray', '-png', pdfPath, stem],
          budgetMs,
        )
      : await run('pdfimages', ['-png', '-f', String(page), '-l', String(page), pdfPath, stem], budgetMs);
  if (render.timedOut) throw new Error(`rendering page ${page} took longer than ${budgetMs} ms`);
  if (render.code !== 0) throw new Error(`could not render page ${page}: ${render.stderr.trim().slice(0, 200)}`);
  const image = (await readdir(dir)).find((name) => name.startsWith(`p${page}-`) && name.endsWith('.png'));
  if (!image) throw new Error(`no image produced for page ${page}`);
  const left = Math.max(1, budgetMs - (Date.now() - started));
  const dpiArgs = typeof images === 'object' ? ['--dpi', String(Math.round(images.ppi))] : [];
  const ocr = await run('tesseract', [path.join(dir, image), 'stdout', '-l', 'vie', '--psm', '3', ...dpiArgs], left);
  await rm(path.join(dir, image), { force: true });
  if (ocr.timedOut) throw new Error(`OCR of page ${page} took longer than ${budgetMs} ms`);
  if (ocr.code !== 0) throw new Error(`tesseract failed on page ${page}: ${ocr.stderr.trim().slice(0, 200)}`);
  return cleanOcrText(ocr.stdout);
}

/** Reads the given pages (1-based) of a PDF by OCR, one at a time, within the options' budgets. */
export async function ocrPdfPages(
  bytes: Uint8Array,
  pageNumbers: number[],
  source: string,
  options: OcrOptions = DEFAULT_OCR_OPTIONS,
): Promise<OcrResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-'));
  const pages = new Map<number, string>();
  const unread: number[] = [];
  const imageless: number[] = [];
  const todo = pageNumbers.slice(0, options.maxPages);
  unread.push(...pageNumbers.slice(options.maxPages));
  const deadline = Date.now() + options.totalTimeoutMs;
  try {
    const pdfPath = path.join(dir, 'in.pdf');
    await writeFile(pdfPath, bytes);
    for (const [i, page] of todo.entries()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        unread.push(...todo.slice(i));
        break;
      }
      try {
        const text = await ocrPage(pdfPath, dir, page, options, Math.min(options.pageTimeoutMs, left));
        if (text === null) imageless.push(page);
        pages.set(page, text ?? '');
      } catch (error) {
        log.warn(`OCR skipped page ${page} of ${source}: ${describeError(error)}`, { source, page });
        pages.set(page, '');
        unread.push(page);
      }
      log.info(`OCR ${source}: page ${i + 1}/${todo.length}`, { source, page, done: i + 1, total: todo.length });
      options.onProgress?.(i + 1, todo.length);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { pages, unread: unread.sort((a, b) => a - b), imageless };
}
