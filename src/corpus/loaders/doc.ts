// Word 97-2003 .doc reports via word-extractor (pure JavaScript, reads the OLE2 container and the
// piece table; maintained, no native code). Tables come out as tab-separated cells; consecutive lines
// with tabs are turned into rows with their headers like every other table.
import WordExtractor from 'word-extractor';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { tableToLines } from './table-text.js';

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
    while (i < lines.length && lines[i]!.includes('\t')) {
      const cells = lines[i]!.split('\t');
      while (cells.length > 0 && cells[cells.length - 1]!.trim() === '') cells.pop();
      if (cells.length > 0) rows.push(cells);
      i++;
    }
    // A single tabbed line is an indent or a tab stop, not a table.
    if (rows.length < 2) {
      out.push(...rows.map((r) => r.join(' ')));
      continue;
    }
    while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
    const above = out[out.length - 1]?.trim();
    const title = above && above.length <= 150 && !/[.;]$/.test(above) ? above : null;
    if (title) out.pop();
    out.push('', ...tableToLines({ title, rows }), '');
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
