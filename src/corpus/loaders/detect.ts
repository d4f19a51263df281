// Decides what a corpus file really is from its bytes. Admins rename files, save Word documents as
// .pdf by hand, or drop old .doc files with a .docx name; the extension alone would send those to the
// wrong parser and produce a confusing error (or garbage text).

/** A file that cannot be turned into a document; `message` is the reason shown to the admin. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

/** What a format loader extracts; load-corpus.ts normalises it and fills in title/date fallbacks. */
export interface ParsedFile {
  /** Raw text, not yet normalised. */
  text: string;
  title?: string;
  date?: string;
  /** Some text came from OCR. */
  scanned?: boolean;
  /** A table longer than the row cap: only its first rows were read. */
  truncated?: boolean;
}

/** What a file's bytes are, whatever its name says. */
export type ContentKind =
  | 'empty'
  | 'pdf'
  | 'docx'
  | 'xlsx'
  | 'pptx'
  | 'opendocument'
  | 'zip'
  | 'ole'
  | 'rtf'
  | 'image'
  | 'text'
  | 'not-utf8'
  | 'binary';

/** The kind of a file's content, with the decoded text when it is text. */
export interface DetectedContent {
  kind: ContentKind;
  /** Decoded text (BOM removed), only for kind 'text'. */
  text?: string;
}

const DESCRIPTION: Record<ContentKind, string> = {
  empty: 'empty',
  pdf: 'a PDF document',
  docx: 'a Word .docx document',
  xlsx: 'an Excel spreadsheet',
  pptx: 'a PowerPoint presentation',
  opendocument: 'an OpenDocument (LibreOffice) file',
  zip: 'a zip archive',
  ole: 'an old Office 97-2003 file (.doc/.xls)',
  rtf: 'an RTF document',
  image: 'an image',
  text: 'plain text',
  'not-utf8': 'text that is not UTF-8',
  binary: 'binary data',
};

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

function contains(bytes: Uint8Array, ascii: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(ascii, 0, 'latin1');
}

// Entry names are stored uncompressed in a zip's headers, so a byte search finds them without unzipping.
function zipKind(bytes: Uint8Array): ContentKind {
  if (contains(bytes, 'word/document.xml')) return 'docx';
  if (contains(bytes, 'xl/workbook.xml')) return 'xlsx';
  if (contains(bytes, 'ppt/presentation.xml')) return 'pptx';
  if (contains(bytes, 'application/vnd.oasis.opendocument')) return 'opendocument';
  return 'zip';
}

function decodeText(bytes: Uint8Array): DetectedContent {
  let encoding = 'utf-8';
  let body = bytes;
  // Notepad's "Unicode" is UTF-16 with a BOM; accept it rather than calling it binary.
  if (startsWith(bytes, [0xff, 0xfe])) {
    encoding = 'utf-16le';
    body = bytes.subarray(2);
  } else if (startsWith(bytes, [0xfe, 0xff])) {
    encoding = 'utf-16be';
    body = bytes.subarray(2);
  } else {
    if (startsWith(bytes, [0xef, 0xbb, 0xbf])) body = bytes.subarray(3);
    if (body.includes(0)) return { kind: 'binary' };
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return { kind: encoding === 'utf-8' ? 'not-utf8' : 'binary' };
  }
  if (text.includes('\u0000')) return { kind: 'binary' };
  return { kind: 'text', text };
}

/**
 * Tells a file's real format from its magic bytes, or decodes it as text, so that a misnamed file goes to the
 * right parser or gets a clear reason.
 */
export function detectContent(bytes: Uint8Array): DetectedContent {
  if (bytes.length === 0) return { kind: 'empty' };
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { kind: 'pdf' }; // "%PDF-"
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { kind: zipKind(bytes) };
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'ole' };
  if (startsWith(bytes, [0x7b, 0x5c, 0x72, 0x74, 0x66])) return { kind: 'rtf' }; // "{\rtf"
  if (
    startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) || // PNG
    startsWith(bytes, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || // TIFF
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])
  ) {
    return { kind: 'image' };
  }
  const decoded = decodeText(bytes);
  if (decoded.kind === 'text') return decoded;
  // Readers accept a PDF header after a little junk within the first kilobyte; checked only for
  // non-text so that a note mentioning "%PDF-" stays a note.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  if (head.indexOf('%PDF-', 0, 'latin1') >= 0) return { kind: 'pdf' };
  return decoded;
}

const EXPECTED: Record<string, ContentKind> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.doc': 'ole',
  '.xlsx': 'xlsx',
  '.csv': 'text',
  '.txt': 'text',
  '.md': 'text',
};

function renameHint(kind: ContentKind): string {
  switch (kind) {
    case 'pdf':
      return ': rename it to .pdf';
    case 'docx':
      return ': rename it to .docx';
    case 'text':
      return ': rename it to .txt';
    case 'xlsx':
      return ': rename it to .xlsx';
    case 'ole':
      return ': rename it to .doc if it is a Word document; an old .xls must be saved as .xlsx';
    case 'rtf':
    case 'opendocument':
      return ': open it in Word and save it as .docx';
    case 'image':
      return ' (scanned page?): text cannot be read from images';
    default:
      return '';
  }
}

/**
 * Returns the reason the file cannot be read as its extension says, or null when content and
 * extension agree.
 */
export function mismatchReason(ext: string, detected: DetectedContent): string | null {
  const expected = EXPECTED[ext];
  if (!expected || detected.kind === expected) return null;
  const kind = detected.kind;
  if (kind === 'empty') return 'file is empty';
  // Content that is simply broken, not something else under a wrong name.
  if (expected === 'text' && kind === 'binary') return 'not a text file (contains binary data)';
  if (expected === 'text' && kind === 'not-utf8') return 'not UTF-8 text: save it again with UTF-8 encoding';
  if (expected === 'pdf' && (kind === 'binary' || kind === 'not-utf8')) return 'not a valid PDF (no %PDF- header)';
  if (expected === 'docx' && (kind === 'binary' || kind === 'not-utf8')) {
    return 'not a valid .docx (not a zip archive)';
  }
  // No Office part name in the bytes: a truncated .docx loses its directory this way too, so let the
  // zip reader say which it is.
  if (expected === 'docx' && kind === 'zip') return null;
  if (expected === 'xlsx' && kind === 'zip') return null;
  // Word opens a .docx saved under a .doc name without a word; so do we (load-corpus.ts reads it as .docx).
  if (expected === 'ole' && kind === 'docx') return null;
  if (expected === 'ole' && (kind === 'binary' || kind === 'not-utf8' || kind === 'text'))
    return 'not a valid .doc (not a Word 97-2003 file)';
  if (expected === 'xlsx' && kind === 'ole')
    return 'an old Excel 97-2003 .xls file: open it in Excel and save it as .xlsx';
  if (expected === 'xlsx' && (kind === 'binary' || kind === 'not-utf8')) return 'not a valid .xlsx (not a zip archive)';
  return `named ${ext} but the content is ${DESCRIPTION[kind]}${renameHint(kind)}`;
}
