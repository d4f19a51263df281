// .docx reports via mammoth. A .docx is a zip, so a hostile or broken upload can be a zip bomb:
// the archive is checked with jszip before mammoth inflates anything.
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { tableToLines } from './table-text.js';
import { describeError } from '../../errors.js';

// Images are not text; mammoth would otherwise inline them as base64 data.
const IGNORE_IMAGES = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

function htmlText(fragment: string): string {
  return decodeXmlEntities(fragment.replace(/<br\s*\/?>/g, ' ').replace(/<[^>]+>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * mammoth's HTML → text: one paragraph a line (as extractRawText gives), and each table as its rows
 * with their headers. The paragraph just above a table is taken as its title when it is short.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  const blocks = html.matchAll(/<table\b[^>]*>([\s\S]*?)<\/table>|<(p|h[1-6]|li)\b[^>]*>([\s\S]*?)<\/\2>/g);
  for (const block of blocks) {
    if (block[1] === undefined) {
      out.push(htmlText(block[3] ?? ''), '');
      continue;
    }
    // Nested tables are rare in reports; their cells are read as text of the outer cell.
    const rows: string[][] = [];
    for (const tr of block[1].matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)) {
      const cells: string[] = [];
      for (const td of tr[1]!.matchAll(/<t[dh]\b([^>]*)>([\s\S]*?)<\/t[dh]>/g)) {
        // Paragraphs inside a cell stay lines: a header or signature table needs them apart.
        const text = td[2]!.split(/<\/p>/).map(htmlText).filter(Boolean).join('\n');
        const span = Math.min(50, Number(/colspan="(\d+)"/.exec(td[1]!)?.[1] ?? 1));
        for (let k = 0; k < span; k++) cells.push(text);
      }
      rows.push(cells);
    }
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    const above = out[out.length - 1];
    const title = above && above.length <= 150 && !/[.;]$/.test(above) ? above : null;
    if (title) out.pop();
    out.push(...tableToLines({ title, rows }), '');
  }
  return out.join('\n');
}

/** The zip-bomb limits checked before anything in an archive is inflated. */
export interface DocxLimits {
  /** Total inflated size of the archive's XML parts. */
  maxUncompressedBytes: number;
  /** Inflated / compressed; ordinary Word XML stays far below this. */
  maxCompressionRatio: number;
}

/** Far above any real report, far below what would exhaust the server's memory. */
export const DEFAULT_DOCX_LIMITS: DocxLimits = { maxUncompressedBytes: 100 * 1024 * 1024, maxCompressionRatio: 100 };
// Small archives may compress very well (repetitive XML) without being dangerous.
const RATIO_CHECK_FLOOR = 10 * 1024 * 1024;

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function bombError(uncompressed: number, compressed: number): UnreadableFileError {
  return new UnreadableFileError(
    `looks like a zip bomb (${mb(uncompressed)} of content packed into ${Math.max(1, Math.round(compressed / 1024))} KB)`,
  );
}

// jszip keeps the sizes from the zip directory on a private field; read them defensively.
function declaredSizes(entry: JSZip.JSZipObject): { compressed: number; uncompressed: number } | null {
  const data = (entry as unknown as { _data?: { compressedSize?: unknown; uncompressedSize?: unknown } })._data;
  if (typeof data?.compressedSize !== 'number' || typeof data.uncompressedSize !== 'number') return null;
  return { compressed: data.compressedSize, uncompressed: data.uncompressedSize };
}

// The directory sizes can lie, so the parts mammoth will read are also inflated once with a running
// byte count, stopping as soon as the budget is spent instead of after the memory is gone.
function inflatedSize(entry: JSZip.JSZipObject, budget: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > budget) {
        stream.pause();
        stream.removeAllListeners('data');
        resolve(total);
      }
    });
    stream.on('end', () => resolve(total));
    stream.on('error', reject);
  });
}

/** Refuses a zip whose parts inflate past the limits, before any reader inflates them. */
export async function checkZipBudget(zip: JSZip, limits: DocxLimits, format = 'docx'): Promise<void> {
  const entries = Object.values(zip.files).filter((entry) => !entry.dir);
  let declaredTotal = 0;
  let compressedTotal = 0;
  for (const entry of entries) {
    const sizes = declaredSizes(entry);
    if (!sizes) continue;
    declaredTotal += sizes.uncompressed;
    compressedTotal += sizes.compressed;
  }
  if (declaredTotal > limits.maxUncompressedBytes) throw bombError(declaredTotal, compressedTotal);
  if (declaredTotal > RATIO_CHECK_FLOOR && declaredTotal > limits.maxCompressionRatio * Math.max(1, compressedTotal)) {
    throw bombError(declaredTotal, compressedTotal);
  }

  let actualTotal = 0;
  for (const entry of entries) {
    if (!/\.(xml|rels)$/i.test(entry.name)) continue; // images are not read by extractRawText
    let size: number;
    try {
      size = await inflatedSize(entry, limits.maxUncompressedBytes - actualTotal);
    } catch (error) {
      throw new UnreadableFileError(`not a valid .${format} (part ${entry.name} is damaged: ${describeError(error)})`);
    }
    actualTotal += size;
    if (actualTotal > limits.maxUncompressedBytes) throw bombError(actualTotal, compressedTotal);
  }
  if (actualTotal > RATIO_CHECK_FLOOR && actualTotal > limits.maxCompressionRatio * Math.max(1, compressedTotal)) {
    throw bombError(actualTotal, compressedTotal);
  }
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? whole;
  });
}

async function coreTitle(zip: JSZip): Promise<string | undefined> {
  const core = zip.file('docProps/core.xml');
  if (!core) return undefined;
  const xml = await core.async('string');
  const match = /<(?:\w+:)?title\b[^>]*>([\s\S]*?)<\/(?:\w+:)?title>/.exec(xml);
  const title = match ? decodeXmlEntities(match[1]!).trim() : '';
  // Word fills this from templates or print drivers ("Microsoft Word - bc.doc"); such titles are noise.
  if (!title || /^(microsoft word\s*-|untitled|document\d*$|title$)/i.test(title)) return undefined;
  return title;
}

/**
 * Reads a .docx report's text, title and tables after the zip-bomb check; a broken archive gets a reason the
 * admin can act on.
 */
export async function parseDocx(bytes: Buffer, limits: DocxLimits = DEFAULT_DOCX_LIMITS): Promise<ParsedFile> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new UnreadableFileError('not a valid .docx (zip archive unreadable; the file may be truncated)');
  }
  if (!zip.file('word/document.xml')) {
    throw new UnreadableFileError('not a valid .docx (zip archive without word/document.xml)');
  }
  await checkZipBudget(zip, limits);

  let text: string;
  try {
    // Via HTML rather than raw text, so that tables keep their rows and headers (table-text.ts).
    const html = (
      await mammoth.convertToHtml({ buffer: bytes }, { ignoreEmptyParagraphs: false, convertImage: IGNORE_IMAGES })
    ).value;
    text = htmlToText(html);
  } catch (error) {
    throw new UnreadableFileError(`not a valid .docx (${describeError(error)})`);
  }
  let title: string | undefined;
  try {
    title = await coreTitle(zip);
  } catch {
    title = undefined; // a damaged metadata part should not cost us the document
  }
  return { text, title };
}
