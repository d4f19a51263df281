// .xlsx workbooks (budget annexes, statistics) read with jszip and a small reader of the sheet XML:
// shared strings, inline strings, cached formula results (a formula is never evaluated), merged cells,
// percent and date formats. The archive passes the same zip-bomb check as .docx before anything is
// inflated for reading, and rows are bounded. Why not exceljs: README, "Formats".
import JSZip from 'jszip';
import { checkZipBudget, DEFAULT_DOCX_LIMITS, type DocxLimits } from './docx.js';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { formatNumber, tableToLines } from './table-text.js';

/** The zip-bomb limits of a .docx plus bounds on the rows and columns read from a workbook. */
export interface SheetLimits extends DocxLimits {
  /** Rows read per workbook, all sheets together; the rest is left out and said so. */
  maxRows: number;
  /** Columns read per row. */
  maxColumns: number;
}

/** Enough for a district's budget annexes and statistics; a larger export is cut and said so. */
export const DEFAULT_SHEET_LIMITS: SheetLimits = { ...DEFAULT_DOCX_LIMITS, maxRows: 20_000, maxColumns: 50 };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    try {
      if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
      if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    } catch {
      return '';
    }
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? whole;
  });
}

const ATTRIBUTES = new Map<string, RegExp>();

function attr(tag: string, name: string): string | undefined {
  let re = ATTRIBUTES.get(name);
  if (!re) {
    re = new RegExp(`\\s${name}="([^"]*)"`);
    ATTRIBUTES.set(name, re);
  }
  const m = re.exec(tag);
  if (!m) return undefined;
  return m[1]!.includes('&') ? decodeXml(m[1]!) : m[1]!;
}

/** All <t> texts of a string item (rich text has several runs); phonetic runs (<rPh>) are not text. */
function itemText(xml: string): string {
  const withoutPhonetic = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  let out = '';
  for (const m of withoutPhonetic.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)) out += decodeXml(m[1]!);
  return out;
}

function sharedStrings(xml: string | null): string[] {
  if (!xml) return [];
  return [...xml.matchAll(/<si\b[^>]*>([\s\S]*?)<\/si>|<si\b[^>]*\/>/g)].map((m) => itemText(m[1] ?? ''));
}

type NumberKind = 'percent' | 'percent0' | 'date' | 'number';

const BUILTIN_PERCENT = new Set([9, 10]);
const BUILTIN_DATE = new Set([14, 15, 16, 17, 22]);

/** The display kind of each cell style (index into cellXfs), from its number format. */
function styleKinds(xml: string | null): NumberKind[] {
  if (!xml) return [];
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<numFmt\b[^>]*>/g)) {
    const id = Number(attr(m[0], 'numFmtId'));
    custom.set(id, attr(m[0], 'formatCode') ?? '');
  }
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)?.[1] ?? '';
  return [...xfs.matchAll(/<xf\b[^>]*\/?>/g)].map((m) => {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    const code = (custom.get(id) ?? '').replace(/"[^"]*"|\[[^\]]*\]/g, '');
    // "0%" shows whole percents: 0.5696 is "57%" on screen, and so it is quoted.
    if (id === 9 || /^0%$/.test(code.trim())) return 'percent0';
    if (BUILTIN_PERCENT.has(id) || code.includes('%')) return 'percent';
    if (BUILTIN_DATE.has(id) || /d.*m.*y|m.*d.*y|y.*m.*d/i.test(code)) return 'date';
    return 'number';
  });
}

function excelDate(serial: number): string {
  const date = new Date(Math.round((serial - 25569) * 86_400_000));
  return `${date.getUTCDate()}/${date.getUTCMonth() + 1}/${date.getUTCFullYear()}`;
}

/** "C12" → column 2 (0-based), row 11 (0-based). */
function cellRef(ref: string): { col: number; row: number } | null {
  const m = /^([A-Z]{1,3})(\d{1,7})$/.exec(ref);
  if (!m) return null;
  let col = 0;
  for (const ch of m[1]!) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { col: col - 1, row: Number(m[2]) - 1 };
}

interface SheetRead {
  rows: string[][];
  /** Rows left out after the cap. */
  truncated: boolean;
}

function readSheet(
  xml: string,
  strings: string[],
  kinds: NumberKind[],
  limits: SheetLimits,
  rowBudget: number,
): SheetRead {
  const grid = new Map<number, string[]>();
  let truncated = false;
  let count = 0;
  for (const rowMatch of xml.matchAll(/<row\b([^>]*)>([\s\S]*?)<\/row>/g)) {
    if (count >= rowBudget) {
      truncated = true;
      break;
    }
    const cells: string[] = [];
    let rowIndex = Number(attr(rowMatch[0].slice(0, rowMatch[0].indexOf('>') + 1), 'r') ?? 0) - 1;
    let nextCol = 0;
    for (const c of rowMatch[2]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const tag = `<c${c[1]}>`;
      const ref = attr(tag, 'r');
      const pos = ref ? cellRef(ref) : null;
      const col = pos ? pos.col : nextCol;
      if (pos && rowIndex < 0) rowIndex = pos.row;
      nextCol = col + 1;
      if (col >= limits.maxColumns) continue;
      const body = c[2] ?? '';
      const type = attr(tag, 't') ?? 'n';
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let value = '';
      if (type === 's') value = strings[Number(v)] ?? '';
      else if (type === 'inlineStr') value = itemText(/<is>([\s\S]*?)<\/is>/.exec(body)?.[1] ?? '');
      else if (type === 'str' || type === 'e') value = v === undefined ? '' : decodeXml(v);
      else if (type === 'b') value = v === '1' ? 'Có' : v === '0' ? 'Không' : '';
      else if (v !== undefined) {
        // A formula's cached result is in <v>; a formula never calculated (no <v>) shows nothing.
        const n = Number(v);
        const kind = kinds[Number(attr(tag, 's') ?? 0)] ?? 'number';
        value = Number.isNaN(n)
          ? decodeXml(v)
          : kind === 'date'
            ? excelDate(n)
            : kind === 'percent0'
              ? `${Math.round(n * 100)}%`
              : formatNumber(n, kind === 'percent');
      }
      cells[col] = value;
    }
    if (rowIndex < 0) rowIndex = grid.size;
    grid.set(
      rowIndex,
      Array.from(cells, (x) => x ?? ''),
    );
    count++;
  }
  // Merged ranges: the top-left value fills the range, so a header over two columns or a label spanning
  // rows is seen by every cell it covers.
  for (const m of xml.matchAll(/<mergeCell\b[^>]*ref="([A-Z]+\d+):([A-Z]+\d+)"/g)) {
    const a = cellRef(m[1]!);
    const b = cellRef(m[2]!);
    if (!a || !b) continue;
    const value = grid.get(a.row)?.[a.col] ?? '';
    if (value === '') continue;
    for (let r = a.row; r <= Math.min(b.row, a.row + 1000); r++) {
      const row = grid.get(r);
      if (!row) continue;
      for (let col = a.col; col <= Math.min(b.col, limits.maxColumns - 1); col++) if (!row[col]) row[col] = value;
    }
  }
  const rows = [...grid.entries()].sort((x, y) => x[0] - y[0]).map(([, r]) => r);
  return { rows, truncated };
}

/** Reads every sheet of an .xlsx workbook as tables of text lines, titled after the sheet names. */
export async function parseXlsx(
  bytes: Buffer,
  limits: SheetLimits = DEFAULT_SHEET_LIMITS,
): Promise<ParsedFile & { truncated?: boolean }> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new UnreadableFileError('not a valid .xlsx (zip archive unreadable; the file may be truncated)');
  }
  const workbook = zip.file('xl/workbook.xml');
  if (!workbook) throw new UnreadableFileError('not a valid .xlsx (zip archive without xl/workbook.xml)');
  await checkZipBudget(zip, limits, 'xlsx');
  const read = async (name: string) => (await zip.file(name)?.async('string')) ?? null;
  const wbXml = await workbook.async('string');
  const rels = (await read('xl/_rels/workbook.xml.rels')) ?? '';
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
  }
  const strings = sharedStrings(await read('xl/sharedStrings.xml'));
  const kinds = styleKinds(await read('xl/styles.xml'));
  const lines: string[] = [];
  let budget = limits.maxRows;
  let truncated = false;
  for (const m of wbXml.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name') ?? '';
    if (attr(m[0], 'state') === 'hidden' || attr(m[0], 'state') === 'veryHidden') continue;
    const target = targets.get(attr(m[0], 'r:id') ?? '');
    const xml = target ? await read(target) : null;
    if (!xml) continue;
    if (budget <= 0) {
      truncated = true;
      break;
    }
    const sheet = readSheet(xml, strings, kinds, limits, budget);
    budget -= sheet.rows.length;
    truncated ||= sheet.truncated;
    const sheetTitle = /^(sheet|trang tính|bảng)\s*\d*$/i.test(name) ? null : name;
    lines.push(...tableToLines({ title: sheetTitle, rows: sheet.rows }), '');
  }
  const text = lines.join('\n').trim();
  if (text === '') throw new UnreadableFileError('spreadsheet has no cells with text or numbers');
  return truncated ? { text, truncated } : { text };
}
