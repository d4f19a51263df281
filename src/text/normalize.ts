// Vietnamese text arrives composed (NFC) and decomposed (NFD, common from Word and PDFs), with
// non-breaking spaces, zero-width characters and Windows line ends. Everything downstream assumes the
// output of normalizeText: NFC, one kind of space, paragraphs separated by one blank line.

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const INLINE_SPACE = /[ \t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;

/** NFC, unified spaces and line ends, trimmed lines, at most one blank line between paragraphs. */
export function normalizeText(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?|\u2028|\u2029/g, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(CONTROL, ' ')
    .replace(INLINE_SPACE, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** One line: NFC and collapsed whitespace; for questions and titles. */
export function normalizeLine(raw: string): string {
  return raw.normalize('NFC').replace(ZERO_WIDTH, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Removes Vietnamese diacritics: "Thu ngân sách Đà Nẵng" → "Thu ngan sach Da Nang".
 * Lets a question typed without accents meet the accented reports.
 */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/**
 * The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair: half an
 * emoji is not valid text, and Telegram refuses a message that holds one.
 */
export function sliceWhole(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
