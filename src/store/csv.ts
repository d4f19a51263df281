// The /export file: CSV (RFC 4180) in UTF-8 with a byte order mark, so that Excel shows Vietnamese.
import type { ExportRow } from './types.js';

/** Column names of the /export file, in the order exportRowToCells writes the cells. */
export const CSV_HEADER = [
  'time',
  'pseudonym',
  'question',
  'answered',
  'source',
  'section',
  'confidence',
  'search_mode',
  'latency_ms',
  'chat_type',
  'vote',
  'reason',
] as const;

function field(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A spreadsheet would run a cell starting with = + - @ as a formula: such text gets a leading quote. */
function safeText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One record row as CSV cells (before quoting), with text a spreadsheet would run as a formula defused. */
export function exportRowToCells(r: ExportRow): string[] {
  return [
    new Date(r.at).toISOString(),
    r.user,
    safeText(r.question),
    r.answered ? '1' : '0',
    safeText(r.source ?? ''),
    safeText(r.section ?? ''),
    r.confidence === null ? '' : String(r.confidence),
    r.mode,
    String(r.latencyMs),
    r.chatType,
    r.vote ?? '',
    r.reason ?? '',
  ];
}

/** The whole /export file: CRLF lines in UTF-8 with a byte order mark, so that Excel reads Vietnamese. */
export function toCsv(rows: ExportRow[]): Buffer {
  const lines = [CSV_HEADER.join(','), ...rows.map((r) => exportRowToCells(r).map(field).join(','))];
  return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
}
