// Reads the reports in corpus/ into SourceDocuments. One bad file never stops the load: it is listed in
// `skipped` with a reason the admin can act on, and the rest of the corpus still answers questions.
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';
import { normalizeLine, normalizeText } from '../text/normalize.js';
import type { LoadedCorpus, SkippedFile, SourceDocument } from './types.js';
import { detectContent, mismatchReason, UnreadableFileError, type ParsedFile } from './loaders/detect.js';
import { parseDocx } from './loaders/docx.js';
import { parsePdf } from './loaders/pdf.js';
import { parseOfficeFile } from './loaders/office.js';
import { parseCsv } from './loaders/csv.js';
import type { OcrOptions } from './loaders/ocr.js';
import { parseTextFile } from './loaders/text.js';
import { officialCitation, parseOfficialLayout } from './official-header.js';
import { listCorpusFiles, sha256, SUPPORTED_EXTENSIONS } from './corpus-files.js';
import { describeError } from '../errors.js';

export { UnreadableFileError } from './loaders/detect.js';

export { SUPPORTED_EXTENSIONS };

/** Limits on reading one file, so that a huge or hostile file cannot stall a reload or an upload. */
export interface ReadOptions {
  /** Larger files are refused before being read. Default 50 MB. */
  maxFileBytes?: number;
  /** A PDF whose parsing takes longer is given up. Default 30 s. */
  parseTimeoutMs?: number;
  /** Scanned PDF pages: per-page and per-file time budgets, page cap, progress. */
  ocr?: Partial<OcrOptions>;
}

/** Options of a whole corpus load: the per-file limits and a progress callback. */
export interface LoadOptions extends ReadOptions {
  /** Called after each candidate file, read or skipped. */
  onProgress?: (done: number, total: number) => void;
}

const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
const DEFAULT_PARSE_TIMEOUT_MS = 30_000;
const MAX_TITLE_LENGTH = 120;

function formatSize(bytes: number): string {
  const mbytes = bytes / (1024 * 1024);
  if (mbytes >= 1) return `${Math.round(mbytes * 10) / 10} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

// Vietnamese administrative documents open with the issuing body, the national motto, a reference
// number and the place/date line; none of these is the title.
const BOILERPLATE_LINE = [
  /^cộng h[òo]a xã hội chủ nghĩa việt nam$/i,
  /^độc lập\s*[-–—]\s*tự do\s*[-–—]\s*hạnh phúc$/i,
  /^số\s*:/i,
  /^[\p{L} .]+,\s*ngày\b.*\btháng\b.*\bnăm\b/iu,
  // (?=\s|$) rather than \b: without the u flag \b treats "ộ" or "ỷ" as a non-word character.
  /^(ủy|uỷ) ban nhân dân(?=\s|$)/i,
  /^(ubnd|hđnd|hội đồng nhân dân|đảng bộ|quận ủy|quận uỷ|huyện ủy|huyện uỷ)(?=\s|$)/i,
  /^[-_=*.\s]+$/,
];
// The title proper: a document-type word, alone on its line (the subject follows on the next line) or
// in capitals at the start of the line ("BÁO CÁO TÌNH HÌNH ...").
const DOCUMENT_TYPES = 'báo cáo|kế hoạch|quyết định|thông báo|nghị quyết|tờ trình|chỉ thị|hướng dẫn|công văn';
const DOCUMENT_TYPE_ALONE = new RegExp(`^(${DOCUMENT_TYPES})$`, 'i');
const DOCUMENT_TYPE_CAPS = new RegExp(`^(${DOCUMENT_TYPES.toUpperCase()})\\s+\\S`);
const TITLE_SCAN_LINES = 25;

function usableTitle(line: string | undefined): string | undefined {
  return line && line.length < MAX_TITLE_LENGTH && !line.endsWith('.') ? line : undefined;
}

function isUpperCase(text: string): boolean {
  return text === text.toLocaleUpperCase('vi') && text !== text.toLocaleLowerCase('vi');
}

// "BÁO CÁO" + "Tình hình kinh tế ..." → "Báo cáo tình hình kinh tế ...", as the title is said aloud.
function joinTypeAndSubject(type: string, subject: string): string {
  if (isUpperCase(subject)) return `${type.toLocaleUpperCase('vi')} ${subject}`;
  const lowerType = type.toLocaleLowerCase('vi');
  const sentenceType = lowerType.charAt(0).toLocaleUpperCase('vi') + lowerType.slice(1);
  return `${sentenceType} ${subject.charAt(0).toLocaleLowerCase('vi')}${subject.slice(1)}`;
}

function titleFromText(text: string): string | undefined {
  const lines = text
    .split('\n')
    // Table titles come as markdown headings ("## THU CHI NGÂN SÁCH …", see loaders/table-text.ts).
    .map((line) => normalizeLine(line).replace(/^#{1,6}\s+/, ''))
    .filter((line) => line !== '')
    .slice(0, TITLE_SCAN_LINES);
  const content = lines.filter((line) => !BOILERPLATE_LINE.some((re) => re.test(line)));
  for (const [i, line] of content.entries()) {
    const next = content[i + 1];
    if (DOCUMENT_TYPE_ALONE.test(line) && next) {
      const joined = usableTitle(joinTypeAndSubject(line, next));
      if (joined) return joined;
    }
    if (DOCUMENT_TYPE_CAPS.test(line) && usableTitle(line)) return line;
  }
  return usableTitle(content[0]);
}

function titleFromFileName(source: string): string {
  const stem = path.basename(source, path.extname(source));
  return normalizeLine(stem.replace(/[-_]+/g, ' ')) || source;
}

function dateFromFileName(source: string): string | null {
  const match = /(?:^|\D)((?:19|20)\d{2})(?!\d)/.exec(path.basename(source));
  return match ? match[1]! : null;
}

function toDocument(parsed: ParsedFile, source: string, ext: string): SourceDocument {
  const text = normalizeText(parsed.text);
  if (text === '') {
    throw new UnreadableFileError(
      ext === '.pdf' ? 'PDF has no extractable text (scanned image?)' : 'file contains no text',
    );
  }
  // The Decree 30 header names the document better than anything else (file metadata is often a
  // template's); its header and signature blocks are not report text.
  const layout = parseOfficialLayout(text);
  const official = layout ? officialCitation(layout.header) : undefined;
  const title =
    official || (parsed.title && normalizeLine(parsed.title)) || titleFromText(text) || titleFromFileName(source);
  const date = layout?.header.date || (parsed.date && normalizeLine(parsed.date)) || dateFromFileName(source);
  const document: SourceDocument = { title, date, source, text: layout && layout.body !== '' ? layout.body : text };
  if (layout) document.official = layout.header;
  if (parsed.scanned) document.scanned = true;
  return document;
}

async function parseBytes(
  bytes: Buffer,
  source: string,
  ext: string,
  timeoutMs: number,
  options: ReadOptions = {},
): Promise<SourceDocument> {
  const detected = detectContent(bytes);
  const mismatch = mismatchReason(ext, detected);
  if (mismatch) throw new UnreadableFileError(mismatch);
  let parsed: ParsedFile;
  // The content decides the reader: a .docx saved under a .doc name is read as what it is.
  if (ext === '.pdf') parsed = await parsePdf(bytes, timeoutMs, source, options.ocr);
  else if (ext === '.docx' || (ext === '.doc' && detected.kind === 'docx')) parsed = await parseDocx(bytes);
  else if (ext === '.doc') parsed = await parseOfficeFile('doc', bytes, timeoutMs);
  else if (ext === '.xlsx') parsed = await parseOfficeFile('xlsx', bytes, timeoutMs);
  else if (ext === '.csv') parsed = parseCsv(detected.text ?? '', source);
  else parsed = parseTextFile(detected.text ?? '', ext);
  if (parsed.truncated) log.warn(`${source}: only the first rows of its tables were read (row cap)`, { source });
  return toDocument(parsed, source, ext);
}

async function readBytes(filePath: string, source: string, maxFileBytes: number): Promise<Buffer> {
  const ext = path.extname(source).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.includes(ext)) {
    throw new UnreadableFileError(`unsupported file type "${ext || '(none)'}": use ${SUPPORTED_EXTENSIONS.join(', ')}`);
  }
  let info: Stats;
  try {
    info = await stat(filePath);
  } catch (error) {
    throw new UnreadableFileError(`file cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isFile()) throw new UnreadableFileError('not a regular file');
  if (info.size === 0) throw new UnreadableFileError('file is empty');
  if (info.size > maxFileBytes) throw new UnreadableFileError(`file is larger than ${formatSize(maxFileBytes)}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw new UnreadableFileError(`file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // The file may have changed between stat and read (an admin still copying it in).
  if (bytes.length === 0) throw new UnreadableFileError('file is empty');
  if (bytes.length > maxFileBytes) throw new UnreadableFileError(`file is larger than ${formatSize(maxFileBytes)}`);
  return bytes;
}

/**
 * Reads one report. `source` is the name it has (or will have) in the corpus; its extension decides the
 * expected format, so an upload saved under a temporary name can be checked before it is added.
 * Throws UnreadableFileError whose message is the reason to show the admin.
 */
export async function readDocumentFile(
  filePath: string,
  source: string,
  options: ReadOptions = {},
): Promise<SourceDocument> {
  const bytes = await readBytes(filePath, source, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  return parseBytes(
    bytes,
    source,
    path.extname(source).toLowerCase(),
    options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS,
    options,
  );
}

/**
 * Reads every report in the folder `dir`; an unreadable file goes into `skipped` with its reason instead of
 * stopping the load. Throws only when the folder itself cannot be listed.
 */
export async function loadCorpus(dir: string, options: LoadOptions = {}): Promise<LoadedCorpus> {
  const absolute = path.resolve(dir);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const timeoutMs = options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS;
  const names = await listCorpusFiles(absolute);
  const documents: SourceDocument[] = [];
  const skipped: SkippedFile[] = [];
  const fileHashes: Record<string, string> = {};

  for (const [index, source] of names.entries()) {
    const started = Date.now();
    try {
      const bytes = await readBytes(path.join(absolute, source), source, maxFileBytes);
      const doc = await parseBytes(bytes, source, path.extname(source).toLowerCase(), timeoutMs, options);
      documents.push(doc);
      fileHashes[source] = sha256(bytes);
      log.debug('Loaded corpus file', { source, chars: doc.text.length, ms: Date.now() - started });
    } catch (error) {
      // Anything unexpected is still one file's problem, not the corpus's.
      const reason =
        error instanceof UnreadableFileError ? error.message : `could not be read: ${describeError(error)}`;
      skipped.push({ source, reason });
      log.warn(`Skipped corpus file ${source}: ${reason}`, { source, reason });
    }
    options.onProgress?.(index + 1, names.length);
  }

  log.info('Corpus loaded', { dir: absolute, documents: documents.length, skipped: skipped.length });
  return { documents, skipped, fileHashes };
}
