// Runs in a worker_thread started by pdf.ts, so that a PDF that makes pdfjs loop or eat memory can be
// killed without taking the bot down. Plain JS on purpose: a worker gets no TypeScript loader under
// vitest, and this file must start the same way under tsx, vitest and node.
import { parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

// pdfjs reports font and structure problems on the console even at low verbosity (the DOMMatrix /
// Path2D polyfill notices are printed while the module loads), and stdout belongs to the CLI's JSON.
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[method] = () => {};

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');

// The Node factories read these with fs, so plain paths with a trailing slash are what they need.
const pdfjsRoot = new URL('../../', import.meta.resolve('pdfjs-dist/legacy/build/pdf.mjs'));
const cMapUrl = fileURLToPath(new URL('cmaps/', pdfjsRoot));
const standardFontDataUrl = fileURLToPath(new URL('standard_fonts/', pdfjsRoot));

// PDFs have no paragraphs, only positioned lines. A paragraph is taken to start where the gap to the
// previous line is clearly wider than the page's usual line gap, or where the line is indented from
// the usual left margin (Vietnamese reports mostly indent the first line instead of adding space).
const WIDE_GAP = 1.3;
// Horizontal gap, in font heights, between two pieces of a line that makes them two table cells.
const CELL_GAP_EM = 1.5;

function lowerMedian(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function mostCommon(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > counts.get(best) || (n === counts.get(best) && v < best)) best = v;
  return best;
}

/** One page's text items → lines joined by "\n", with "\n\n" where a paragraph seems to start. */
function pageText(items) {
  const lines = [];
  let current = null;
  for (const item of items) {
    if (typeof item.str !== 'string') continue; // marked-content markers
    current ??= { text: '', x: null, y: null, height: 0, end: null };
    if (item.str.trim() !== '') {
      if (current.x === null) [current.x, current.y] = [item.transform[4], item.transform[5]];
      current.height = Math.max(current.height, item.height || 0);
      // A wide horizontal gap inside a line separates table cells: kept as a tab for the table reader.
      const gap = current.end === null ? 0 : item.transform[4] - current.end;
      const em = item.height || current.height || 10;
      if (current.end !== null && gap > em * CELL_GAP_EM && current.text.trim() !== '')
        current.text = current.text.trimEnd() + '\t';
      current.end = item.transform[4] + (item.width || 0);
    }
    current.text += item.str;
    if (item.hasEOL) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);
  const kept = lines.filter((line) => line.text.trim() !== '' && line.y !== null);
  if (kept.length === 0) return '';

  const heights = kept.map((line) => line.height).filter((h) => h > 0);
  const em = heights.length > 0 ? lowerMedian(heights) : 10;
  const gaps = [];
  for (let i = 1; i < kept.length; i++) {
    const gap = kept[i - 1].y - kept[i].y;
    if (gap > 0) gaps.push(gap);
  }
  // With few lines there is no "usual" gap to compare with; assume single spacing.
  const usualGap = gaps.length >= 3 ? lowerMedian(gaps) : em * 1.2;
  const margin = kept.length >= 3 ? mostCommon(kept.map((line) => Math.round(line.x))) : null;

  let out = kept[0].text;
  for (let i = 1; i < kept.length; i++) {
    const line = kept[i];
    const gap = kept[i - 1].y - line.y;
    const wideGap = gap > usualGap * WIDE_GAP + 0.5 || gap < -em; // moving up: a new column or box
    // Only the first of several lines starting at the same indent opens a paragraph (quotes, lists).
    const indented = margin !== null && line.x - margin > em * 0.8 && Math.abs(line.x - kept[i - 1].x) > em * 0.5;
    out += wideGap || indented ? '\n\n' : '\n';
    out += line.text;
  }
  return out;
}

async function extract(data) {
  const task = pdfjs.getDocument({
    data,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
    cMapUrl,
    cMapPacked: true,
    standardFontDataUrl,
  });
  const doc = await task.promise;
  try {
    const pages = [];
    for (let number = 1; number <= doc.numPages; number++) {
      const page = await doc.getPage(number);
      const content = await page.getTextContent();
      pages.push(pageText(content.items));
      page.cleanup();
    }
    return { ok: true, pages, numPages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}

try {
  parentPort.postMessage(await extract(workerData.data));
} catch (error) {
  const name = error?.name ?? 'Error';
  const code = name === 'PasswordException' ? 'password' : name === 'InvalidPDFException' ? 'invalid' : 'error';
  parentPort.postMessage({ ok: false, code, message: String(error?.message ?? error) });
}
