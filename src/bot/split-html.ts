// Long Telegram HTML is split into messages that each fit Telegram's 4096 limit, on paragraph, line or
// sentence boundaries, closing the tags open at a cut and reopening them in the next part.

/** Telegram's limit on a message's text. We measure the raw HTML, which is never shorter than the text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

interface OpenTag {
  name: string;
  /** The opening tag as written, attributes included, to reopen it in the next part. */
  raw: string;
}

/** Positions in `html` where a cut may happen (not inside a tag or an entity), with the tags open there. */
function scan(html: string): { safe: boolean[]; openAt: (index: number) => OpenTag[] } {
  const safe = new Array<boolean>(html.length + 1).fill(true);
  const snapshots: { index: number; stack: OpenTag[] }[] = [{ index: 0, stack: [] }];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const end = html.indexOf('>', i);
      const close = end === -1 ? html.length - 1 : end;
      for (let j = i + 1; j <= close; j++) safe[j] = false;
      const raw = html.slice(i, close + 1);
      const m = /^<\s*(\/?)\s*([a-zA-Z0-9-]+)/.exec(raw);
      if (m) {
        if (m[1] === '/') {
          const at = stack.map((t) => t.name).lastIndexOf(m[2]!.toLowerCase());
          if (at >= 0) stack.splice(at, 1);
        } else if (!raw.endsWith('/>')) {
          stack.push({ name: m[2]!.toLowerCase(), raw });
        }
      }
      i = close + 1;
      snapshots.push({ index: i, stack: [...stack] });
    } else if (ch === '&') {
      const end = html.indexOf(';', i);
      const close = end === -1 || end - i > 10 ? i : end;
      for (let j = i + 1; j <= close; j++) safe[j] = false;
      i = close + 1;
    } else {
      // Never cut between the two halves of an emoji.
      const code = html.charCodeAt(i);
      if (code >= 0xdc00 && code <= 0xdfff) safe[i] = false;
      i++;
    }
  }
  const openAt = (index: number): OpenTag[] => {
    let found = snapshots[0]!.stack;
    for (const s of snapshots) {
      if (s.index <= index) found = s.stack;
      else break;
    }
    return found;
  };
  return { safe, openAt };
}

function closingTags(stack: OpenTag[]): string {
  return [...stack]
    .reverse()
    .map((t) => `</${t.name}>`)
    .join('');
}

function openingTags(stack: OpenTag[]): string {
  return stack.map((t) => t.raw).join('');
}

/** Best cut at or before `max`: a blank line, then a line end, then a sentence end, then a space. */
function findCut(html: string, safe: boolean[], max: number): number {
  const window = html.slice(0, max);
  const min = Math.floor(max * 0.3);
  // A sentence mark is cut after; whitespace is cut before (and trimmed).
  const candidates: { pattern: RegExp; after: boolean }[] = [
    { pattern: /\n\s*\n/g, after: false },
    { pattern: /\n/g, after: false },
    { pattern: /[.!?;…](?=\s)/g, after: true },
    { pattern: /\s/g, after: false },
  ];
  for (const { pattern, after } of candidates) {
    let best = -1;
    for (const m of window.matchAll(pattern)) {
      const at = after ? m.index + m[0].length : m.index;
      if (at >= min && at <= max && safe[at]) best = at;
    }
    if (best > 0) return best;
  }
  for (let at = max; at > 0; at--) if (safe[at]) return at;
  return max;
}

/** Visible text of an HTML fragment (tags removed); used to drop parts with nothing to read. */
function visibleText(html: string): string {
  return html.replace(/<[^>]*>/g, '').trim();
}

/**
 * Splits Telegram HTML into parts of at most `limit` characters each, preferring paragraph, line and
 * sentence boundaries, and keeping every part's tags balanced.
 */
export function splitHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = html.trim();
  while (rest.length > limit) {
    const { safe, openAt } = scan(rest);
    let budget = limit;
    let cut = 0;
    let head = '';
    // The tags closed at the cut take room too; shrink the budget until the part fits.
    for (let attempt = 0; attempt < 20; attempt++) {
      cut = findCut(rest, safe, budget);
      head = rest.slice(0, cut).trimEnd() + closingTags(openAt(cut));
      if (head.length <= limit) break;
      budget -= head.length - limit + 1;
    }
    const stack = openAt(cut);
    if (visibleText(head)) parts.push(head);
    rest = (openingTags(stack) + rest.slice(cut).trimStart()).trim();
  }
  if (visibleText(rest)) parts.push(rest);
  return parts;
}
