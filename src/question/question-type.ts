// What a Vietnamese question asks for, read from its interrogative words, accented or not, wherever
// they sit ("Ai là Bí thư?", "Bí thư là ai?", "thu ngan sach bao nhieu"). The type decides which
// sentence can answer: a "bao nhiêu" question wants a quantity, "khi nào" a date, "ai" a person.
import { foldDiacritics } from '../text/normalize.js';
import { isStopword } from '../text/stopwords.js';

/** The kind of answer a question expects. */
export type AnswerKind =
  | 'person'
  | 'quantity'
  | 'date'
  | 'place'
  | 'reason'
  | 'description'
  | 'yesno'
  | 'thing'
  | 'unknown';

/** The form the answer takes: its kind and, for a quantity, the unit the question names. */
export interface AnswerForm {
  kind: AnswerKind;
  /**
   * For quantities: "%", "money", "duration", "age", "ordinal" ("khóa mấy", "lần thứ mấy"), or a counted
   * noun ("người", "vụ", "mét"). For persons: "title" when the question names the title held ("chủ tịch").
   * For dates: "period" when the question asks which period ("thời kỳ nào"). For places: "phường" or "xã"
   * when it asks which ward. For things: "which <noun>", folded, when the question asks which of them
   * ("dự án nào" → "which du an"), "list <noun>" when it counts them itself ("4 an gồm những an nào").
   */
  unit: string | null;
  /** The interrogative phrase found, as folded syllables ("bao nhieu"), for the analysis' record. */
  cue: string | null;
  /**
   * For dates: the years the question itself writes ("nhiệm kỳ 2020-2025 … ngày nào"). A sentence
   * repeating them does not thereby give the date asked.
   */
  given?: string[];
}

/** Where interrogative phrases sit in the question's syllables: they are not what the question is about. */
export interface CueSpan {
  start: number;
  length: number;
}

/**
 * Every interrogative phrase in the question ("như thế nào", "bao nhiêu", "là gì"'s "gì"), longest
 * first and not overlapping. Their syllables carry the question's type, not its topic: "an ninh trat tu
 * the nao" is about "an ninh trật tự", and "the" must not count as a word the report should contain.
 */
export function cueSpans(typed: string[], folded: string[]): CueSpan[] {
  const taken = new Array<boolean>(folded.length).fill(false);
  const spans: CueSpan[] = [];
  const byLength = [...CUES].sort((a, b) => b.words.length - a.words.length);
  for (const c of byLength) {
    // A cue at the start counts only when it is the question's only one (see CUES).
    if (c.atStart && spans.length > 0) continue;
    for (let from = 0; from < folded.length; ) {
      const at = findCue(c, typed, folded, from);
      if (at < 0) break;
      // "nguyên nhân", "lý do" name the reason the report gives: they stay content words.
      const free = c.words.every((_, j) => !taken[at + j]) && !WORDS_THAT_STAY_CONTENT.has(c.words.join(' '));
      if (free && (c.kind !== 'yesno' || yesNoFrame(c, folded, at))) {
        // "bao nhiêu phần trăm": the unit belongs to the question's frame, not to its topic.
        let length = c.words.length;
        if (c.kind === 'quantity') length += unitLength(folded, at + length);
        for (let j = 0; j < length; j++) taken[at + j] = true;
        spans.push({ start: at, length });
      }
      from = at + 1;
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

interface Cue {
  /** Folded syllables, in order. */
  words: string[];
  kind: AnswerKind;
  /** The cue as written with its diacritics: a syllable typed with diacritics must be this one. */
  accented: string[];
  /** Typed without diacritics the cue would be ambiguous ("dau": đâu, đau, dâu): only the accented form counts. */
  accentedOnly: boolean;
  /** A cue only where the question starts: "Sao …?" asks why, "ra sao", "ngôi sao" do not. */
  atStart?: boolean;
}

/**
 * A cue, written with its diacritics. Typed with diacritics it must be spelt so: "châu lục nào" is not
 * "lúc nào", "bệnh não" not "nào", "ái quốc" not "ai". Typed without, its folded form matches.
 */
const cue = (kind: AnswerKind, phrase: string, accentedOnly = false, atStart = false): Cue => ({
  kind,
  words: foldDiacritics(phrase).split(' '),
  accented: phrase.split(' '),
  accentedOnly,
  atStart,
});

// Longer cues first: "năm nào" is a date, "nào" alone a thing; "như thế nào" a description.
const CUES: Cue[] = [
  cue('reason', 'vì sao'),
  cue('reason', 'tại sao'),
  cue('reason', 'vì đâu'),
  cue('reason', 'do đâu'),
  cue('reason', 'lý do'),
  cue('reason', 'lí do'),
  cue('reason', 'nguyên nhân'),
  cue('reason', 'để làm gì'),
  cue('reason', 'nhằm mục đích gì'),
  cue('reason', 'mục đích gì'),
  cue('date', 'khi nào'),
  cue('date', 'hồi nào'),
  cue('date', 'dịp nào'),
  cue('date', 'lúc nào'),
  cue('date', 'bao giờ'),
  cue('date', 'năm nào'),
  cue('date', 'ngày nào'),
  cue('date', 'tháng nào'),
  cue('date', 'thế kỷ nào'),
  cue('date', 'thế kỉ nào'),
  cue('date', 'thời gian nào'),
  cue('date', 'thời điểm nào'),
  cue('date', 'giai đoạn nào'),
  cue('date', 'thời kỳ nào'),
  cue('date', 'thời kì nào'),
  cue('date', 'thời đại nào'),
  cue('date', 'năm bao nhiêu'),
  cue('date', 'năm mấy'),
  cue('date', 'ngày bao nhiêu'),
  // "xử lý tới đâu rồi" asks how far it has gone, not where.
  cue('description', 'tới đâu'),
  cue('description', 'đến đâu'),
  cue('place', 'ở đâu'),
  cue('place', 'tại đâu'),
  cue('place', 'ở chỗ nào'),
  cue('place', 'nơi nào'),
  cue('place', 'chỗ nào'),
  cue('place', 'địa điểm nào'),
  cue('place', 'khu vực nào'),
  cue('place', 'vùng nào'),
  cue('place', 'địa bàn nào'),
  cue('place', 'tỉnh nào'),
  cue('place', 'thành phố nào'),
  cue('place', 'phường nào'),
  cue('place', 'xã nào'),
  cue('place', 'nước nào'),
  cue('place', 'quốc gia nào'),
  cue('place', 'đâu', true),
  cue('person', 'người nào'),
  cue('person', 'nhân vật nào'),
  cue('person', 'vị nào'),
  cue('person', 'ông nào'),
  cue('person', 'bà nào'),
  cue('person', 'đồng chí nào'),
  cue('person', 'lãnh đạo nào'),
  cue('person', 'cán bộ nào'),
  cue('person', 'ai'),
  cue('quantity', 'bao nhiêu'),
  cue('quantity', 'bao lâu'),
  cue('quantity', 'bao xa'),
  cue('quantity', 'thứ mấy'),
  cue('quantity', 'số mấy'),
  cue('quantity', 'mấy', true),
  // "đạt nhiêu %": "bao" left out, as typed on phones; folded "nhieu" is nhiều.
  cue('quantity', 'nhiêu', true),
  cue('description', 'như thế nào'),
  cue('description', 'thế nào'),
  cue('description', 'ra sao'),
  cue('description', 'như nào'),
  cue('yesno', 'phải không'),
  cue('yesno', 'hay không'),
  cue('yesno', 'có không'),
  cue('yesno', 'chưa'),
  cue('yesno', 'không'),
  cue('thing', 'làm được những gì'),
  cue('thing', 'làm những gì'),
  cue('thing', 'làm được gì'),
  cue('thing', 'làm gì'),
  cue('description', 'làm sao'),
  cue('thing', 'cái gì'),
  cue('thing', 'gì'),
  cue('thing', 'nào'),
  // Last: "Sao …?" asks why only when no other cue does ("Sao Kim là thiên thể gì?" names a star).
  cue('reason', 'sao', false, true),
];

const WORDS_THAT_STAY_CONTENT = new Set(['nguyen nhan', 'ly do', 'li do']);

/** Counted nouns a "bao nhiêu"/"mấy" question may name, folded → the unit recorded. */
const UNITS: Record<string, string> = {
  'phan tram': '%',
  phan: '%',
  '%': '%',
  'ty dong': 'money',
  'trieu dong': 'money',
  'nghin dong': 'money',
  dong: 'money',
  tien: 'money',
  ty: 'money',
  trieu: 'money',
  usd: 'money',
  nam: 'duration',
  thang: 'duration',
  ngay: 'duration',
  gio: 'duration',
  tuoi: 'age',
  nguoi: 'người',
  ho: 'hộ',
  vu: 'vụ',
  lan: 'lần',
  du: 'dự án',
  'du an': 'dự án',
  doanh: 'doanh nghiệp',
  'doanh nghiep': 'doanh nghiệp',
  'cong ty': 'doanh nghiệp',
  truong: 'trường',
  km: 'km',
  'cay so': 'km',
  met: 'mét',
  m: 'mét',
  ha: 'ha',
  hecta: 'ha',
  km2: 'km²',
  con: 'con',
  tan: 'tấn',
  kg: 'kg',
  luot: 'lượt',
  phong: 'phòng',
  phuong: 'phường',
  xa: 'xã',
  nuoc: 'nước',
};

/** Verbs after which a bare "bao nhiêu" asks for a change, usually a percentage or an amount. */
const CHANGE_VERBS = new Set(['tang', 'giam', 'dat', 'vuot', 'chiem']);

/**
 * Verbs of change a yes/no or "thế nào" question may ask about: "có tăng không", "tăng trưởng thế nào"
 * are answered by the sentence that states the change, "tăng 15,5%".
 */
const RISE_OR_FALL: Record<string, string> = { tang: 'tăng', giam: 'giảm' };

/** Whether a yes/no or description question (its cue at `at`) asks if or how something rose or fell. */
function asksAboutChange(typed: string[], folded: string[], at: number): boolean {
  // Folded "tang" is also tầng (floor) and tặng (gift): typed with diacritics it must read tăng.
  return folded
    .slice(0, at)
    .some((w, i) => RISE_OR_FALL[w] !== undefined && (typed[i] === w || typed[i] === RISE_OR_FALL[w]));
}

/**
 * The answer form of a question, from its syllables as typed (lower case) and folded. Cues typed with
 * diacritics must match accented; folded cues match either ("bao nhieu" and "bao nhiêu").
 */
export function detectAnswerForm(
  typed: string[],
  folded: string[],
  phraseStarts: ReadonlySet<number> = new Set(),
): AnswerForm {
  // Cues run from specific to general; the first that matches wins, except that a yes/no frame gives
  // way to any other cue ("có bao nhiêu … không" asks for a number).
  let best: { cue: Cue; at: number } | null = null;
  for (const c of CUES) {
    const at = findCue(c, typed, folded);
    if (at < 0) continue;
    // "Mấy vụ xây nhà không phép … kết quả ra sao?", "làm sao với mấy kết luận đó?": "mấy" opening the
    // question, or before a noun and "đó / này", marks a plural ("the cases of", "those"), not a count.
    if (c.words.join(' ') === 'may' && pluralMay(folded, at) && laterCue(typed, folded)) continue;
    if (c.kind !== 'yesno') {
      best = { cue: c, at };
      break;
    }
    best ??= yesNoFrame(c, folded, at) ? { cue: c, at } : null;
  }
  if (!best) return countingFragment(typed, folded) ?? { kind: 'unknown', unit: null, cue: null };
  const { cue: found, at } = best;
  if (found.kind === 'yesno' || found.kind === 'description')
    return { kind: found.kind, unit: asksAboutChange(typed, folded, at) ? 'change' : null, cue: found.words.join(' ') };
  if (found.kind === 'person')
    return { kind: 'person', unit: namesTitle(typed, folded) ? 'title' : null, cue: found.words.join(' ') };
  const words = found.words.join(' ');
  if (found.kind === 'thing') return { kind: 'thing', unit: whichNoun(typed, folded, at, words), cue: words };
  const counted = found.kind === 'quantity' ? quantityUnit(found, folded, at, phraseStarts) : null;
  // "bắt được bao nhiêu người": police reports count those arrested as "đối tượng".
  const unit = counted === 'người' && mentionsArrest(typed, folded) ? ARRESTED : counted;
  if (found.kind === 'place' && WARD_CUES.has(words)) return { kind: 'place', unit: WARD_CUES.get(words)!, cue: words };
  // "bao lâu" asks for a duration; "thời kỳ nào" for a period, which "thời kỳ đồ đá" names too.
  const given = found.kind === 'date' ? folded.filter((w) => /^(?:1\d|20)\d\d$/.test(w)) : [];
  return {
    kind: found.kind,
    unit: words === 'bao lau' ? 'duration' : PERIOD_CUES.has(words) ? 'period' : unit,
    cue: words,
    ...(given.length ? { given } : {}),
  };
}

/**
 * "dự án nào bị chậm" asks which projects: the unit "which du an" (folded), so that a sentence saying only
 * "một số dự án" is known not to answer. The noun is the one or two content syllables before "nào", or
 * after "tên" in "tên các dự án … là gì".
 */
function whichNoun(typed: string[], folded: string[], at: number, cue: string): string | null {
  const noun: string[] = [];
  // "có dự án nào bị trễ không" asks whether there are any, which "một số dự án" answers.
  const last = folded[folded.length - 1];
  if (folded.slice(0, at).includes('co') && (last === 'khong' || last === 'chua')) return null;
  if (cue === 'nao') {
    for (let i = at - 1; i >= Math.max(0, at - 2) && !isStopword(typed[i]!); i--) noun.unshift(folded[i]!);
  } else if (cue === 'gi') {
    // "tên (các) dự án … là gì" asks their names too.
    let i = folded.indexOf('ten');
    if (i < 0 || i > at) return null;
    i++;
    if (folded[i] === 'cac' || folded[i] === 'nhung') i++;
    for (; i < at && noun.length < 2 && !isStopword(typed[i]!); i++) noun.push(folded[i]!);
  }
  if (noun.length === 0) return null;
  // "Thành phố 4 an gồm những an nào": the question counts them itself and asks for the list.
  const name = noun.join(' ');
  const counted = folded.some(
    (w, i) => /^\d{1,3}$/.test(w) && folded.slice(i + 1, i + 1 + noun.length).join(' ') === name,
  );
  return `${counted ? 'list' : 'which'} ${name}`;
}

/** Whether "mấy" at `at` opens the question or points at things already named ("mấy kết luận đó"). */
function pluralMay(folded: string[], at: number): boolean {
  return at === 0 || folded.slice(at + 2, at + 4).some((w) => w === 'do' || w === 'nay' || w === 'ay');
}

/** Whether a question word other than "mấy" follows or precedes it. */
function laterCue(typed: string[], folded: string[]): boolean {
  return CUES.some((c) => c.kind !== 'quantity' && !c.atStart && findCue(c, typed, folded) >= 0);
}

/**
 * A fragment without an interrogative that still asks for a number: "số doanh nghiệp thành lập mới",
 * "tổng số dự án", "tỷ lệ hộ nghèo". Folded "so" (also so sánh, sổ) counts only before a counted noun.
 */
function countingFragment(typed: string[], folded: string[]): AnswerForm | null {
  const [first, second, third] = [folded[0], folded[1] ?? '', folded[2] ?? ''];
  if (first === 'ty' && second === 'le') return { kind: 'quantity', unit: '%', cue: 'ty le' };
  const start = first === 'tong' && second === 'so' ? 1 : 0;
  if (folded[start] !== 'so') return null;
  const next = folded[start + 1] ?? '';
  const said =
    typed[start] === 'số' || next === 'luong' || UNITS[next] !== undefined || UNITS[`${next} ${third}`] !== undefined;
  if (!said) return null;
  const counted = folded.slice(start + 1).filter((w) => w !== 'luong' && !NOT_COUNTED.has(w));
  const unit = UNITS[counted.slice(0, 2).join(' ')] ?? UNITS[counted[0] ?? ''] ?? counted[0] ?? null;
  return { kind: 'quantity', unit, cue: start ? 'tong so' : 'so' };
}

/** Titles held by one person: "ai là chủ tịch …" asks for a name, which a body ("Ủy ban") does not give. */
const ONE_PERSON_TITLES = [
  'chu tich',
  'bi thu',
  'giam doc',
  'thu tuong',
  'tong thong',
  'chanh van phong',
  'hieu truong',
];
/** "trưởng" typed so, or folded before what it heads ("truong phong", "truong cong an"); "truong" alone is trường. */
const HEADS = new Set(['phong', 'ban', 'cong', 'thon', 'khu', 'doan', 'cuc', 'tram', 'khoa']);

function namesTitle(typed: string[], folded: string[]): boolean {
  const text = ` ${folded.join(' ')} `;
  if (ONE_PERSON_TITLES.some((title) => text.includes(` ${title} `))) return true;
  return folded.some((w, i) => w === 'truong' && (typed[i] === 'trưởng' || HEADS.has(folded[i + 1] ?? '')));
}

/** How many syllables at `at` name a measurement unit ("phan tram" 2, "km" 1; counted nouns 0). */
function unitLength(folded: string[], at: number): number {
  const two = `${folded[at] ?? ''} ${folded[at + 1] ?? ''}`;
  if (MEASURES.has(two)) return 2;
  if (notPercent(folded, at)) return 0;
  return MEASURES.has(folded[at] ?? '') ? 1 : 0;
}

const MEASURES = new Set([
  'phan tram',
  'phan',
  'ty dong',
  'trieu dong',
  'dong',
  'tien',
  'km',
  'met',
  'm',
  'ha',
  'km2',
  'tan',
  'kg',
  'tuoi',
  'usd',
]);

/** Folded "phan" is "phần" (of the estimate, per cent) except in "phản ánh", "phản hồi", "phân bón"… */
const NOT_PERCENT_AFTER_PHAN = new Set(['anh', 'hoi', 'bon', 'loai', 'cong', 'mem', 'tich']);
const notPercent = (folded: string[], at: number) =>
  folded[at] === 'phan' && NOT_PERCENT_AFTER_PHAN.has(folded[at + 1] ?? '');

/** "không"/"chưa" close a question only after "có"/"đã" ("có … không", "đã … chưa"); else a negation. */
function yesNoFrame(c: Cue, folded: string[], at: number): boolean {
  if (c.words.length > 1) return true;
  const before = folded.slice(0, at);
  const opener = ['co', 'da', 'con', 'dat'].some((w) => before.includes(w));
  return at === folded.length - 1 && opener;
}

function findCue(c: Cue, typed: string[], folded: string[], from = 0): number {
  const n = c.words.length;
  for (let i = from; i + n <= folded.length; i++) {
    if (c.atStart && i > 0) break;
    // Folded "may" (máy, may) asks "mấy" only before a counted noun ("may phan tram", "may nguoi") or
    // closing the question after a ranked one ("khoa may", not "khoa may tinh").
    if (c.accentedOnly && c.words[0] === 'may' && folded[i] === 'may' && typed[i] === 'may') {
      const countedNext =
        UNITS[folded[i + 1] ?? ''] !== undefined || UNITS[`${folded[i + 1]} ${folded[i + 2]}`] !== undefined;
      const rankLast = i === folded.length - 1 && ORDINAL_NOUNS.has(folded[i - 1] ?? '');
      if (countedNext || rankLast) return i;
    }
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      const typedPlain = typed[i + j] === folded[i + j];
      if (folded[i + j] !== c.words[j]) ok = false;
      // Typed with diacritics, the syllable must be the cue's; typed without, it may be, unless ambiguous.
      else if (!typedPlain && typed[i + j] !== c.accented[j]) ok = false;
      else if (typedPlain && c.accentedOnly && c.accented[j] !== c.words[j]) ok = false;
    }
    if (ok) return i;
  }
  return -1;
}

function quantityUnit(c: Cue, folded: string[], at: number, phraseStarts: ReadonlySet<number>): string | null {
  // The unit is named in the same phrase: "bao nhiêu? Mục tiêu…" names none.
  const end = at + c.words.length;
  const after = folded
    .slice(end, end + 2)
    .filter((_, j) => ![...Array(j + 1).keys()].some((k) => phraseStarts.has(end + k)));
  const two = after.join(' ');
  if (UNITS[two]) return UNITS[two]!;
  if (after[0] && UNITS[after[0]] && !notPercent(folded, end)) return UNITS[after[0]]!;
  // "… là bao nhiêu người" names the unit after; "tỷ lệ … bao nhiêu", "tăng bao nhiêu" before.
  const before = folded.slice(Math.max(0, at - 3), at);
  // "thứ mấy", "số mấy", "khóa mấy", "lần thứ bao nhiêu": the number names a rank, answered by "lần thứ
  // XIV", "khóa XII", "Chỉ thị 21".
  const rankCue = c.words[0] === 'thu' || c.words[0] === 'so';
  const rankNoun = c.words[0] === 'may' && ORDINAL_NOUNS.has(before[before.length - 1] ?? '');
  if (rankCue || rankNoun || before.join(' ').endsWith('lan thu')) return 'ordinal';
  if (before.includes('ty') && before.includes('le')) return '%';
  if (before.some((w) => CHANGE_VERBS.has(w))) return 'change';
  // Money inferred from the topic ("thu ngân sách bao nhiêu") may be answered by an amount or a share.
  if (before.includes('tien') || before.includes('ngan') || before.includes('von')) return 'amount';
  // "dự toán … là bao nhiêu" asks the estimate itself, an amount of money ("so với dự toán" is a baseline).
  const estimate = folded.findIndex((w, i) => w === 'du' && folded[i + 1] === 'toan');
  if (estimate >= 0 && estimate < at && folded[estimate - 1] !== 'voi') return 'money';
  if (before.includes('tuoi')) return 'age';
  // Any other noun right after the cue is what is counted ("bao nhiêu đảng viên"), folded.
  const counted = after.filter((w) => !NOT_COUNTED.has(w) && /^[a-z]+$/.test(w));
  if (after[0] && counted[0] === after[0]) return counted.join(' ');
  return null;
}

/** The unit of "bắt … bao nhiêu người": people arrested (see answer-forms.ts UNIT_SYMBOLS). */
export const ARRESTED = 'người bị bắt';

/** Whether the question speaks of arresting: "bắt", "bắt giữ", "tạm giữ" (folded "bat" typed plain). */
function mentionsArrest(typed: string[], folded: string[]): boolean {
  return folded.some(
    (w, i) => (w === 'bat' && (typed[i] === 'bắt' || typed[i] === 'bat')) || (w === 'giu' && folded[i - 1] === 'tam'),
  );
}

/** Place cues asking which ward: answered only by a sentence naming one ("phường Hòa Xuân"). */
const WARD_CUES = new Map([
  ['phuong nao', 'phường'],
  ['xa nao', 'xã'],
]);

/** Date cues asking for a period: answered by a date, or by the period's name. */
const PERIOD_CUES = new Set(['giai doan nao', 'thoi ky nao', 'thoi ki nao', 'thoi dai nao']);

/** Nouns whose "mấy" asks for a rank, not a count: "khóa mấy", "đợt mấy", "kỳ họp thứ mấy". */
const ORDINAL_NOUNS = new Set(['khoa', 'dot', 'ky', 'dieu', 'chuong', 'khoan']);

/** Words after "bao nhiêu" that are not what is counted. */
const NOT_COUNTED = new Set([
  // "bao nhiêu cái", "mấy chiếc": a classifier, any count answers.
  'cai',
  'chiec',
  'so',
  'voi',
  'vay',
  'the',
  'a',
  'nhi',
  'ha',
  'roi',
  'nua',
  'duoc',
  'la',
  'trong',
  'cua',
  'tai',
  'o',
  'khi',
  'nam',
  'sau',
  'truoc',
  'va',
  'hay',
  'hoac',
  'cho',
]);
