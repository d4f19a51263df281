// .csv tables (exported from Excel or the finance software): each row becomes a line with its headers.
// Already decoded by detect.ts (UTF-8, with or without BOM, or UTF-16 with BOM).
import path from 'node:path';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { parseDelimited, tableToLines } from './table-text.js';

/**
 * Rows read from a CSV file; the rest is left out (and said so in the log) to keep an export from flooding the
 * index.
 */
export const DEFAULT_CSV_MAX_ROWS = 20_000;

/** Turns decoded CSV into one line a row with its headers, under a heading made from the file name (a CSV has no title). */
export function parseCsv(
  decoded: string,
  source: string,
  maxRows = DEFAULT_CSV_MAX_ROWS,
): ParsedFile & { truncated?: boolean } {
  const { rows, truncated } = parseDelimited(decoded.replace(/^\uFEFF/, ''), maxRows);
  const stem = path.basename(source, path.extname(source)).replace(/[-_]+/g, ' ').trim();
  const lines = tableToLines({ title: stem || null, rows });
  const text = lines
    .filter((l) => !l.startsWith('## '))
    .join('\n')
    .trim();
  if (text === '') throw new UnreadableFileError('CSV file has no rows');
  return truncated ? { text: lines.join('\n'), truncated } : { text: lines.join('\n') };
}
