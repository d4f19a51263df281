// A strict RFC 4180 reader for the export tests (quoted fields, "" inside quotes, CRLF), written here so
// that the test does not trust the writer's own code.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '"' || c === '\n' || c === '\r') {
      throw new Error(`malformed CSV at ${i}: bare ${JSON.stringify(c)}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('malformed CSV: unterminated quote');
  if (field !== '' || row.length > 0) throw new Error('malformed CSV: last line without CRLF');
  return rows;
}
