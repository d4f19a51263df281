// Splits a document into passages along its own structure: legal headings (Chương, Mục, Điều),
// report headings (I., 1., markdown #, short title lines), then paragraphs, then sentences when a
// section is too long for one passage. Each passage remembers its section heading for the citation.
import type { Passage, SourceDocument } from './types.js';
import { splitSentences } from '../text/sentences.js';
import { metadataText } from './official-header.js';

/** Bump when chunking changes: bundles built by another version are rebuilt. */
export const CHUNKER_VERSION = 2;

/** Section of the passage that holds a document's particulars (number, date, issuer, signer). */
export const METADATA_SECTION = 'Thông tin văn bản';
/** Added to the title of passages read by OCR, so that the citation says the text comes from a scan. */
export const SCANNED_MARK = '(bản quét)';

/** Passage sizes: they trade a precise citation (short) against enough context to answer (long). */
export interface ChunkOptions {
  /** A section up to this many characters stays one passage. */
  maxChars: number;
  /** Long sections are cut into passages of about this size, on paragraph or sentence boundaries. */
  targetChars: number;
}

/** The passage sizes of the index: every report the engine reads is cut with these. */
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 1600, targetChars: 1000 };

type HeadingKind = 'chapter' | 'part' | 'article' | 'markdown' | 'roman' | 'numbered' | 'title-line';

interface Section {
  heading: string | null;
  paragraphs: string[];
}

const ARTICLE = /^Điều\s+\d+[a-zđ]?\s*[.:]/iu;
const CHAPTER = /^(Chương|Phần)\s+([IVXLC]+|\d+|thứ\s+\S+)\b/iu;
const PART = /^Mục\s+\d+\b/iu;
const MARKDOWN = /^#{1,6}\s+\S/;
const ROMAN = /^[IVXLC]+[.)]\s+\S/;
const NUMBERED = /^\d+(\.\d+)*[.)]\s+\S/;

function headingKind(line: string, insideArticle: boolean): HeadingKind | null {
  if (ARTICLE.test(line)) return 'article';
  if (CHAPTER.test(line) && line.length < 200) return 'chapter';
  if (PART.test(line) && line.length < 200) return 'part';
  if (MARKDOWN.test(line)) return 'markdown';
  const looksLikeTitle = line.length <= 120 && !/[.;:,]$/.test(line);
  if (ROMAN.test(line) && looksLikeTitle) return 'roman';
  // Inside an article "1." starts a clause, not a heading.
  if (!insideArticle && NUMBERED.test(line) && looksLikeTitle) return 'numbered';
  // A short line without final punctuation between paragraphs reads as a heading in reports
  // ("Hội nghị Ban Chấp hành lần thứ XIV (Mở rộng)").
  if (
    !insideArticle &&
    looksLikeTitle &&
    line.length >= 8 &&
    line.split(' ').length <= 16 &&
    /^[\p{Lu}\d]/u.test(line)
  ) {
    return 'title-line';
  }
  return null;
}

function cleanHeading(line: string): string {
  return line.replace(/^#{1,6}\s+/, '').trim();
}

/** Groups the document's lines into sections that start at headings. */
function sections(text: string): Section[] {
  const result: Section[] = [];
  let current: Section = { heading: null, paragraphs: [] };
  let insideArticle = false;
  const paragraphs = text
    .split(/\n\s*\n/)
    .flatMap((block) => block.split('\n'))
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = 0; i < paragraphs.length; i++) {
    const line = paragraphs[i]!;
    const kind = headingKind(line, insideArticle);
    // A title-line heading must introduce something; the document's last line ("Hồng Hạnh", a byline)
    // is not a heading.
    const isHeading = kind !== null && (kind !== 'title-line' || i + 1 < paragraphs.length);
    if (isHeading) {
      if (current.heading !== null || current.paragraphs.length > 0) result.push(current);
      if (kind === 'article') insideArticle = true;
      else if (kind === 'chapter' || kind === 'part') insideArticle = false;
      current = { heading: cleanHeading(line), paragraphs: [] };
    } else {
      current.paragraphs.push(line);
    }
  }
  if (current.heading !== null || current.paragraphs.length > 0) result.push(current);
  return result;
}

/** Packs pieces (paragraphs or sentences) into runs of about targetChars. */
function pack(pieces: string[], options: ChunkOptions): string[] {
  const out: string[] = [];
  let buffer = '';
  for (const piece of pieces) {
    if (piece.length > options.maxChars) {
      if (buffer) {
        out.push(buffer);
        buffer = '';
      }
      const sentences = splitSentences(piece);
      if (sentences.length > 1) {
        out.push(...pack(sentences, options));
      } else {
        // One enormous sentence: cut at spaces so no passage exceeds maxChars.
        for (let start = 0; start < piece.length; ) {
          let end = Math.min(piece.length, start + options.targetChars);
          const space = piece.lastIndexOf(' ', end);
          if (end < piece.length && space > start + options.targetChars / 2) end = space;
          // Never between the two halves of a surrogate pair (an emoji cut in two is not valid text).
          if (end < piece.length && end - start > 1 && /[\uD800-\uDBFF]/.test(piece[end - 1]!)) end--;
          out.push(piece.slice(start, end).trim());
          start = end;
        }
      }
      continue;
    }
    const joined = buffer ? buffer + '\n' + piece : piece;
    if (buffer && joined.length > options.targetChars) {
      out.push(buffer);
      buffer = piece;
    } else {
      buffer = joined;
    }
  }
  if (buffer) out.push(buffer);
  return out;
}

/**
 * Cuts a report into the passages the index searches, each with its section heading and its document's title and
 * date for the citation.
 */
export function chunkDocument(document: SourceDocument, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Passage[] {
  const passages: Passage[] = [];
  const docTitle = document.scanned ? `${document.title} ${SCANNED_MARK}` : document.title;
  for (const section of sections(document.text)) {
    const body = section.paragraphs.join('\n');
    let texts: string[];
    if (!body) {
      // A heading with no body (e.g. a chapter title followed by an article) is not a passage.
      continue;
    } else if (body.length <= options.maxChars) {
      texts = [body];
    } else {
      texts = pack(section.paragraphs, options);
    }
    for (const text of texts) {
      const position = passages.length;
      passages.push({
        id: `${document.source}#${position}`,
        docTitle,
        date: document.date,
        section: section.heading,
        source: document.source,
        position,
        text,
      });
    }
  }
  // The header and signature blocks are not passages; what they say is kept as one passage of the
  // document's particulars, after the text so that the body's positions do not depend on it.
  if (document.official) {
    const text = metadataText(document.official);
    if (text) {
      const position = passages.length;
      passages.push({
        id: `${document.source}#${position}`,
        docTitle,
        date: document.date,
        section: METADATA_SECTION,
        source: document.source,
        position,
        text,
      });
    }
  }
  return passages;
}
