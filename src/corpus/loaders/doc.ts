// Word 97-2003 .doc reports via word-extractor (pure JavaScript, reads the OLE2 container and the
// piece table; maintained, no native code). Tables come out as tab-separated cells; consecutive lines
// with tabs are turned into rows with their headers like every other table.
import WordExtractor from 'word-extractor';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { tableToLines } from './table-text.js';

/**
 * Word ends a cell with \x07 and a row with one more, and word-extractor turns both into tabs: a table is
 * one line "STT\tNội dung\t\t1\tThu\t\t". The header row (normally all filled) gives the column count;
 * every row is that many cells and an empty row mark. When the count does not fit, rows are cut at "\t\t"
 * (an empty cell then shifts its row: a known limit of tables in .doc).
 */
export function splitRows(line: string): { rows: string[][]; after: string } {
  const cells = line.split('\t');
  const width = cells.indexOf('');
  if (width <= 0) return { rows: [cells.filter((c) => c !== '')], after: '' };
  const rows: string[][] = [];
  let at = 0;
  // Whole rows while each is followed by its row mark; the paragraph after the table follows the last.
  while (at + width < cells.length && cells[at + width] === '') {
    rows.push(cells.slice(at, at + width));
    at += width + 1;
  }
  const rest = cells.slice(at);
  if (rest.some((c, k) => c === '' && k < rest.length - 1)) {
    // The count does not fit (an empty cell in the header row): cut at every "\t\t".
    const more = rest.join('\t').split('\t\t').map((r) => r.split('\t')).filter((r) => r.some((c) => c.trim() !== ''));
    return { rows: [...rows, ...more], after: '' };
  }
  return { rows, after: rest.join(' ').trim() };
}

/** Tab-separated runs of lines → table rows with headers; other lines unchanged. */
export function tabbedTablesToText(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!lines[i]!.includes('\t')) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    const rows: string[][] = [];
    let after = '';
    while (i < lines.length && lines[i]!.includes('\t') && after === '') {
      const split = splitRows(lines[i]!);
      rows.push(...split.rows);
      after = split.after;
      i++;
    }
    // A single row is an indent or a tab stop, not a table.
    if (rows.length < 2) {
      out.push(...rows.map((r) => r.join(' ')));
      if (after) out.push(after);
      continue;
    }
    while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
    const above = out[out.length - 1]?.trim();
    const title = above && above.length <= 150 && !/[.;]$/.test(above) ? above : null;
    if (title) out.pop();
    out.push('', ...tableToLines({ title, rows }), '');
    if (after) out.push(after);
  }
  return out.join('\n');
}

export async function parseDoc(bytes: Buffer): Promise<ParsedFile> {
  let body: string;
  try {
    const document = await new WordExtractor().extract(bytes);
    body = document.getBody();
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // An OLE2 container that is not a Word document: an .xls or .ppt under a .doc name.
    if (/WordDocument|magic number|stream/i.test(message)) {
      throw new UnreadableFileError('not a Word .doc (an old Office file of another kind, e.g. .xls?): open it in Office and save it as .docx or .xlsx');
    }
    throw new UnreadableFileError(`not a valid .doc (${message.slice(0, 160)})`);
  }
  return { text: tabbedTablesToText(body.replace(/\r\n?/g, '\n')) };
}
