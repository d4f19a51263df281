// Offices add a small header to .txt/.md reports so citations carry a proper title and date:
//   ---
//   title: Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ
//   date: 2018
//   ---
// Only flat `key: value` lines are understood; this is deliberately not a YAML parser.

/** The title and date an office wrote in a report's front matter, and the text after it. */
export interface FrontMatter {
  title?: string;
  date?: string;
  /** The text after the block (the whole text when there is no block). */
  body: string;
}

const KEY_VALUE = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/;
// A report can legitimately open with a "---" rule; a real header closes within a few lines.
const MAX_HEADER_LINES = 50;

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    return v.slice(1, -1).trim();
  }
  return v;
}

/** Reads the optional `---` header of a .txt/.md report; a text without one is all body. */
export function parseFrontMatter(text: string): FrontMatter {
  const input = text.replace(/^\uFEFF/, '');
  const lines = input.split(/\r\n|\r|\n/);
  if (lines[0]?.trim() !== '---') return { body: text };

  const fields: Record<string, string> = {};
  let close = -1;
  for (let i = 1; i < lines.length && i <= MAX_HEADER_LINES; i++) {
    const line = lines[i]!.trim();
    if (line === '---' || line === '...') {
      close = i;
      break;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = KEY_VALUE.exec(line);
    // Anything else means the "---" was a horizontal rule, not a header: keep the text untouched.
    if (!match) return { body: text };
    fields[match[1]!.toLowerCase()] = unquote(match[2]!);
  }
  if (close < 0) return { body: text };

  const result: FrontMatter = { body: lines.slice(close + 1).join('\n') };
  if (fields.title) result.title = fields.title;
  if (fields.date) result.date = fields.date;
  return result;
}
