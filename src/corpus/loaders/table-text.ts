// Tables become text a citizen's question can meet row by row: each row is one line that carries its
// label and its column headers,
//   "Thu ngân sách nhà nước — Dự toán: 1.250 tỷ đồng — Ước thực hiện 6 tháng: 712 tỷ đồng — Tỷ lệ: 57%."
// under a markdown heading with the table's title, so the chunker keeps the title as the section of
// every passage cut from the table. Used for spreadsheets, CSV, and tables in .docx, .doc and PDF.

/** A table read from any format, before it becomes lines of text. */
export interface Table {
  /** Sheet name, caption or the paragraph above the table; null when there is none. */
  title: string | null;
  /** Cell texts, row by row; merged cells already repeat their value where it spans. */
  rows: string[][];
}

const NUMERIC = /^[-+]?[\d.,\s]+%?$/;
const ORDINAL_HEADER = /^(stt|tt|số tt|số thứ tự|s\.t\.t)$/i;

function clean(cell: string | undefined): string {
  return (cell ?? '').replace(/\s+/g, ' ').trim();
}

function isNumeric(cell: string): boolean {
  return cell !== '' && NUMERIC.test(cell) && /\d/.test(cell);
}

/** Title rows: one filled cell (a merged title spreads the same text over the row). */
function singleValue(row: string[]): string | null {
  const values = [...new Set(row.map(clean).filter(Boolean))];
  return values.length === 1 ? values[0]! : null;
}

/**
 * The header rows: the first rows (at most three) without any number in them, ending before the first
 * row that has one. A group header over two sub-columns ("Ước thực hiện" over "6 tháng" and "Cả năm")
 * gives "Ước thực hiện 6 tháng".
 */
function headerRows(rows: string[][]): number {
  let count = 0;
  for (const row of rows.slice(0, 3)) {
    const cells = row.map(clean);
    if (cells.filter(Boolean).length < 2 || cells.some(isNumeric)) break;
    count++;
  }
  // Everything text (a glossary): only the first row is a header.
  if (count === Math.min(3, rows.length) && rows.length > count) return 1;
  return Math.max(1, Math.min(count, rows.length - 1));
}

function columnHeaders(rows: string[][], width: number): string[] {
  const headers: string[] = [];
  for (let c = 0; c < width; c++) {
    const parts: string[] = [];
    for (const row of rows) {
      const cell = clean(row[c]);
      if (cell && parts[parts.length - 1] !== cell) parts.push(cell);
    }
    headers.push(parts.join(' '));
  }
  return headers;
}

// "Dự toán (tỷ đồng)" and "1.250" → "Dự toán: 1.250 tỷ đồng".
function headerAndValue(header: string, value: string): string {
  const unit = /^(.*\S)\s*\(([^()]{1,30})\)$/.exec(header);
  if (unit && isNumeric(value) && !/%$/.test(value)) return `${unit[1]}: ${value} ${unit[2]}`;
  return header ? `${header}: ${value}` : value;
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
// Rows of the Decree 30 header and footer, which offices often lay out as a borderless table (or as the
// first and last rows of a spreadsheet): they are not data, and official-header.ts needs their lines.
const PREAMBLE =
  /cong hoa xa hoi chu nghia|doc lap\s*-?\s*tu do|^\s*so\s*:|ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam|^\s*(bao cao|ke hoach|quyet dinh|thong bao|to trinh)\s*$/m;
const FOOTER = /^\s*(noi nhan|tm\s*\.|kt\s*\.|tl\s*\.)/m;

function rowLines(row: string[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const cell of row) {
    for (const line of cell
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
  }
  return lines;
}

/** Lines of text for one table: a heading with its title (when it has one), then one line a row. */
export function tableToLines(table: Table): string[] {
  const raw = table.rows.filter((row) => row.some((c) => clean(c) !== ''));
  // Header rows at the top (and the summary row right after the type line), footer rows at the bottom.
  let top = 0;
  for (let i = 0; i < Math.min(raw.length, 12); i++) if (raw[i]!.some((c) => PREAMBLE.test(fold(c)))) top = i + 1;
  if (
    top > 0 &&
    top < raw.length &&
    raw[top - 1]!.some((c) => /^\s*(bao cao|ke hoach|quyet dinh|thong bao|to trinh)\s*$/m.test(fold(c))) &&
    singleValue(raw[top]!) !== null
  )
    top++;
  let bottom = raw.length;
  for (let i = raw.length - 1; i >= Math.max(top, raw.length - 12); i--)
    if (raw[i]!.some((c) => FOOTER.test(fold(c)))) bottom = i;
  const before = raw.slice(0, top).flatMap(rowLines);
  const after = raw.slice(bottom).flatMap(rowLines);
  const body = tableBodyLines({ title: table.title, rows: raw.slice(top, bottom) });
  return [...before, ...(before.length ? [''] : []), ...body, ...(after.length ? ['', ...after] : [])];
}

function tableBodyLines(table: Table): string[] {
  let rows = table.rows.map((row) => row.map(clean)).filter((row) => row.some(Boolean));
  let title = table.title ? clean(table.title) : '';
  // Title rows above the header ("BIỂU 01: THU CHI NGÂN SÁCH 6 THÁNG ĐẦU NĂM 2019").
  const titles: string[] = [];
  while (rows.length > 1 && singleValue(rows[0]!) !== null && Math.max(...rows.map((r) => r.length)) > 1) {
    titles.push(singleValue(rows[0]!)!);
    rows = rows.slice(1);
  }
  if (titles.length > 0) title = titles.join(' — ');
  const lines: string[] = [];
  if (title) lines.push(`## ${title}`);
  if (rows.length === 0) return lines;
  if (rows.length === 1) {
    lines.push(`${rows[0]!.filter(Boolean).join(' — ')}.`);
    return lines;
  }
  const width = Math.max(...rows.map((r) => r.length));
  const nHeader = headerRows(rows);
  const headers = columnHeaders(rows.slice(0, nHeader), width);
  const skip = new Set(headers.flatMap((h, c) => (ORDINAL_HEADER.test(h) ? [c] : [])));
  // The row's label: its first text column that is not an ordinal.
  let labelColumn = headers.findIndex((_, c) => !skip.has(c));
  if (labelColumn < 0) labelColumn = 0;
  for (const row of rows.slice(nHeader)) {
    const label = row[labelColumn] ?? '';
    const parts: string[] = [];
    for (let c = 0; c < width; c++) {
      if (c === labelColumn || skip.has(c)) continue;
      const value = row[c] ?? '';
      // A merged label spread over the value columns is not a value.
      if (value === '' || (value === label && c > labelColumn)) continue;
      parts.push(headerAndValue(headers[c] ?? '', value));
    }
    if (!label && parts.length === 0) continue;
    // A row with a label only is a group heading inside the table ("I. Thu ngân sách"); it stays a line.
    const line = [label, ...parts].filter(Boolean).join(' — ');
    // The final full stop keeps a short row from being taken for a heading by the chunker.
    lines.push(/[.!?]$/.test(line) ? line : `${line}.`);
  }
  return lines;
}

/** Vietnamese number display: 1250 → "1.250", 12.5 → "12,5", 0.57 (percent) → "57%". */
export function formatNumber(value: number, percent = false): string {
  if (!Number.isFinite(value)) return String(value);
  const shown = percent ? value * 100 : value;
  const rounded = Math.round(shown * 100) / 100;
  // By hand rather than toLocaleString: the same output, and a 100,000-row sheet has many numbers.
  const [whole, fraction] = Math.abs(rounded).toFixed(2).replace(/0+$/, '').replace(/\.$/, '').split('.');
  const grouped = whole!.length > 3 ? whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '.') : whole!;
  const text = `${rounded < 0 ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
  return percent ? `${text}%` : text;
}

/** Cuts delimited text into rows: quotes, doubled quotes inside them, and line breaks inside quotes. */
export function parseDelimited(text: string, maxRows: number): { rows: string[][]; truncated: boolean } {
  // The delimiter most used outside quotes in the first lines (a title line above the table has none).
  const head = text
    .slice(0, 8192)
    .replace(/"[^"]*"/g, '')
    .split('\n')
    .slice(0, 20)
    .join('\n');
  const delimiter = [',', ';', '\t'].map((d) => [d, head.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      if (rows.length >= maxRows) break;
    } else cell += ch;
  }
  const truncated = rows.length >= maxRows && i < text.length - 1;
  if (!truncated && (cell !== '' || row.length > 0)) {
    row.push(cell);
    rows.push(row);
  }
  return { rows, truncated };
}

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
    const more = rest
      .join('\t')
      .split('\t\t')
      .map((r) => r.split('\t'))
      .filter((r) => r.some((c) => c.trim() !== ''));
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
