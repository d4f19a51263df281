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

// A line gap this many times the text height means an empty line, i.e. a new paragraph.
const PARAGRAPH_GAP = 1.5;

/** One page's text items → lines, with a blank line where the vertical gap says a paragraph ended. */
function pageText(items) {
  const lines = [];
  let current = { text: '', y: null, height: 0 };
  const endLine = () => {
    lines.push(current);
    current = { text: '', y: null, height: 0 };
  };
  for (const item of items) {
    if (typeof item.str !== 'string') continue; // marked-content markers
    if (item.str.trim() !== '' && current.y === null) current.y = item.transform[5];
    if (item.str.trim() !== '') current.height = Math.max(current.height, item.height || 0);
    current.text += item.str;
    if (item.hasEOL) endLine();
  }
  if (current.text !== '') endLine();

  let out = '';
  let previous = null;
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    if (previous) {
      const gap = previous.y !== null && line.y !== null ? previous.y - line.y : 0;
      const height = previous.height || line.height;
      out += height > 0 && gap > PARAGRAPH_GAP * height ? '\n\n' : '\n';
    }
    out += line.text;
    previous = line;
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
