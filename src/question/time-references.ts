// The years and periods a question names: "năm 2019", "2018", "năm nay", "năm ngoái", "6 tháng đầu
// năm". Relative years are resolved against the newest report, not the clock: a citizen reading the
// 2019 report's answers means 2019 by "năm nay", whatever today's date.

/** A year as the question says it: a number, or relative to the newest report. */
export type YearReference =
  | {
      kind: 'absolute';
      year: number /** Named as the baseline ("so với cùng kỳ năm 2017"): the figure is of the year after. */;
      comparison?: boolean;
    }
  | { kind: 'relative'; offset: number; said: string };

/** The years and periods a question names, as said and resolved against the newest report. */
export interface TimeReferences {
  years: YearReference[];
  /** Periods named, folded: "6 thang dau nam", "ca nam", "cuoi nam", "quy 1". */
  periods: string[];
}

const RELATIVE: [string, number][] = [
  ['nam nay', 0],
  ['nam hien tai', 0],
  ['nam ngoai', -1],
  ['nam truoc', -1],
  ['nam qua', -1],
  ['nam roi', -1],
  ['nam kia', -2],
  ['nam toi', 1],
  ['nam sau', 1],
];

const PERIODS = [
  '6 thang dau nam',
  '6 thang cuoi nam',
  'sau thang dau nam',
  'ca nam',
  'cuoi nam',
  'dau nam',
  'quy 1',
  'quy 2',
  'quy 3',
  'quy 4',
  'quy i',
  'quy ii',
  'quy iii',
  'quy iv',
];

/** Years from 1900 to 2099: a four-digit number a question about reports would name. */
const YEAR = /^(19|20)\d\d$/;

/** What a baseline year follows: "so với", "so với cùng kỳ", "so với cùng kỳ năm", "(nhiều) hơn". */
const COMPARED = /(^| )(so voi( cung ky)?|hon)( nam)?$/;

/** The five syllables before position `i`, joined: enough for "so với cùng kỳ năm". */
const before = (folded: string[], i: number) => folded.slice(Math.max(0, i - 5), i).join(' ');

/** `folded`: the question's folded, lower-case syllables in order. */
export function findTimeReferences(folded: string[]): TimeReferences {
  const years: YearReference[] = [];
  const text = ` ${folded.join(' ')} `;
  for (let i = 0; i < folded.length; i++) {
    const word = folded[i]!;
    // "2018" alone, "năm 2018"; not "2018 người" (a count) — a year is followed by nothing numeric-unit-like,
    // unless "năm" names it ("năm 2018 tỷ lệ hộ nghèo").
    const counted = /^(nguoi|ho|ty|trieu|dong|km|m|ha|tan|kg)$/.test(folded[i + 1] ?? '') && folded[i - 1] !== 'nam';
    if (YEAR.test(word) && !counted) {
      years.push({ kind: 'absolute', year: Number(word), comparison: COMPARED.test(before(folded, i)) });
    }
  }
  for (const [phrase, offset] of RELATIVE) {
    const at = text.indexOf(` ${phrase} `);
    if (at < 0) continue;
    // "nửa năm qua", "nửa năm sau", "mấy năm qua": a stretch of time, not last or next year.
    if (/ (nua|may|vai|nhung|cac)$/.test(text.slice(0, at))) continue;
    // "tăng bao nhiêu so với năm ngoái" asks about this year's figure against last year's.
    const comparison = COMPARED.test(text.slice(0, at).trim());
    years.push({ kind: 'relative', offset: comparison ? offset + 1 : offset, said: phrase });
  }
  const periods = PERIODS.filter((p) => text.includes(` ${p} `));
  return { years, periods };
}

/** Resolves the question's years against the newest report year (null when no report is dated). */
export function resolveYears(references: YearReference[], newestYear: number | null): number[] {
  const out = new Set<number>();
  for (const ref of references) {
    if (ref.kind === 'absolute') out.add(ref.comparison ? ref.year + 1 : ref.year);
    else if (newestYear !== null) out.add(newestYear + ref.offset);
  }
  return [...out];
}

/** The year of a report date as the corpus writes it ("2018", "2019-07-10", "6/2018", "10/7/2019"). */
export function yearOfDate(date: string | null | undefined): number | null {
  if (!date) return null;
  const match = date.match(/(?:^|\D)((?:19|20)\d\d)(?:\D|$)/);
  return match ? Number(match[1]) : null;
}
