import type { OfficialHeader } from './official-header.js';

/** A report as read from corpus/, before it is split. */
export interface SourceDocument {
  /** Human title used in citations, e.g. "Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ". */
  title: string;
  /** Free-form date as written by the office ("2018-07", "6/2018"), or null when unknown. */
  date: string | null;
  /** File name relative to the corpus folder, e.g. "bao-cao-6-thang-2018.txt". */
  source: string;
  /** Full text, NFC-normalised, paragraphs separated by blank lines. */
  text: string;
  /** The Decree 30 header and footer, when the document has them (taken out of `text`). */
  official?: OfficialHeader;
  /** Some or all of the text was read by OCR from a scanned PDF; citations say "(bản quét)". */
  scanned?: boolean;
}

/** A retrievable piece of a document: the unit that is indexed, ranked and cited. */
export interface Passage {
  /** Stable id: `${source}#${position}`. */
  id: string;
  docTitle: string;
  date: string | null;
  /** Heading path of the section the passage sits in ("Điều 12. Quyền của khách du lịch"), or null. */
  section: string | null;
  source: string;
  /** 0-based order of the passage inside its document. */
  position: number;
  text: string;
}

/** A corpus file that could not be read, with a reason an admin can act on. */
export interface SkippedFile {
  source: string;
  reason: string;
}

/**
 * The result of reading the corpus folder: the readable reports, the skipped files with reasons, and the
 * fingerprints.
 */
export interface LoadedCorpus {
  documents: SourceDocument[];
  skipped: SkippedFile[];
  /** sha256 of each readable file's bytes, keyed by source; used to detect a changed corpus. */
  fileHashes: Record<string, string>;
}
