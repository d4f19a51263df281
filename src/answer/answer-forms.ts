// Does a sentence carry what the question asks for? A "bao nhiêu người" question needs a number of
// people, "khi nào" a date, "ai" a name. Used to prefer the sentence that answers over one that only
// repeats the question's words, and to abstain when no sentence carries the asked form.
import { ARRESTED, type AnswerForm } from '../question/question-type.js';
import { foldDiacritics } from '../text/normalize.js';

// JavaScript's \b only knows ASCII letters: "đồng" or "ở" would never start a word. These do.
const B = '(?<![\\p{L}\\p{M}\\p{N}])';
const E = '(?![\\p{L}\\p{M}\\p{N}])';
const words = (alternatives: string) => `${B}(?:${alternatives})${E}`;
const re = (source: string, flags = 'iu') => new RegExp(source, flags);

const NUMBER_WORDS = 'hai|bốn|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu|tỷ|tỉ|hàng chục|hàng trăm|hàng nghìn|vài';
/**
 * "ba" (three) counts only before a word in lower case: "ba chiến dịch", not "Ba Lan". Matched without /i,
 * which would let \p{Ll} match the "L" of "Lan"; "Hai" starting a sentence likewise.
 */
const THREE_OR_TWO = '(?<![\\p{L}\\p{M}\\p{N}])(?:[Hh]ai|[Bb]a)(?=\\s+\\p{Ll})';
/** A number written in words. */
const NUMBER_WORD = new RegExp(`${words(NUMBER_WORDS)}|${THREE_OR_TWO}`, 'gu');
const NUMBER_OR_WORD = re(`\\d|${words(NUMBER_WORDS)}`);
const THREE_OR_TWO_RE = new RegExp(THREE_OR_TWO, 'u');
const NUMBER = { test: (text: string) => NUMBER_OR_WORD.test(text) || THREE_OR_TWO_RE.test(text) };
const DIGIT = /\d/;
const PERCENT = re(`\\d\\s*%|${words('phần trăm')}`);
const MONEY = re(
  `\\d[\\d.,]*\\s*(?:(?:nghìn|ngàn|triệu|tỷ|tỉ)\\s*)?${words('đồng|đ|usd|vnd|vnđ|euro|triệu|tỷ|tỉ')}|\\d\\s*\\$`,
);
const TIME_UNITS = 'năm|tháng|ngày|giờ|tuần|phút|giây|thế kỷ|thập kỷ|thập niên';
const REPORT_PERIOD = re(`(?:\\d+|${words('sáu')})\\s+tháng\\s+${words('đầu năm|cuối năm|qua|đầu|cuối')}`, 'giu');
const DURATION = re(`\\d[\\d.,]*\\s*${words(TIME_UNITS)}|${words(NUMBER_WORDS)}\\s+${words(TIME_UNITS)}`);
const AGE = re(`\\d+\\s*${words('tuổi')}|${words('tuổi')}\\s*\\d+`);
/** Dates and periods: a year, a day/month, "tháng 7", a century, "TCN", a named year ("năm Bính Tuất"). */
const DATE = re(
  `(?:^|\\D)(?:1\\d{3}|20\\d{2}|[1-9]\\d{0,2}\\s*(?:TCN|SCN))(?:\\D|$)|\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?|` +
    `${words('ngày|tháng|năm|quý|thế kỷ|thập niên|thập kỷ|đời|triều')}\\s+(?:\\d|[IVXLC]+${E}|\\p{Lu})|${words('hiện nay|hiện tại|đầu năm|cuối năm|giữa năm|sau đó|trước đó|chủ nhật|hằng tuần|hàng tuần|hằng tháng|hàng tháng')}|${words('thứ')}\\s+(?:hai|ba|tư|năm|sáu|bảy|\\d)${E}`,
  'u',
);
/** A period named rather than dated: "thời kỳ đồ đá", "giai đoạn đầu", "thời đại Hùng Vương". */
const NAMED_PERIOD = re(`${words('thời kỳ|thời kì|thời đại|giai đoạn')}\\s+\\p{L}`);
/** Two or more capitalised syllables in a row: a name ("Huỳnh Thị Tam Thanh", "William Watson"). */
const NAME = /\p{Lu}[\p{Ll}\p{M}'’-]*(?:\s+\p{Lu}[\p{Ll}\p{M}'’-]*)+/u;
/** Words that introduce a person by role: "đồng chí", "ông", "bà", a title. */
const TITLES = 'đồng chí|ông|bà|vua|hoàng đế|tướng|giáo sư|tiến sĩ|bí thư|chủ tịch|giám đốc|thủ tướng|tổng thống';
/** A title and a name: "đồng chí Phạm Minh Khoa". Case-sensitive, for the name's capitals. */
const TITLED_NAME = re(`${words(TITLES)}\\s+${NAME.source}`, 'u');
/** A title and one capitalised word: "ông Obama", but also "Bí thư Quận ủy" (a title, not a name). */
const PERSON_TITLE = re(`${words(TITLES)}\\s+\\p{Lu}`, 'u');
/** Bodies that answer "ai" as well as a person does: "do thành phố giao", "các ngành, đơn vị phấn đấu". */
const BODY = re(
  words(
    'thành phố|thành ủy|thành uỷ|quận ủy|quận uỷ|ủy ban|uỷ ban|ubnd|hđnd|chính phủ|quốc hội|bộ chính trị|các ngành|' +
      'đơn vị|địa phương|nhân dân|người dân|doanh nghiệp|mặt trận|đoàn thể|hội đồng',
  ),
);
const PLACE = re(
  `${words('tại|ở|thuộc|phía|miền|vùng|khu vực|địa bàn|trên|từ|đến|sang|về')}\\s+(?:các\\s+|những\\s+)?\\p{L}`,
);
const REASON = re(words('vì|do|bởi|nhờ|nên|nhằm|để|nguyên nhân|lý do|lí do|dẫn đến|khiến|vì vậy|vì thế|cho nên'));

/** How well a sentence carries the question's answer form: 1 yes, 0 not at all, between for a weak match. */
export function formMatch(sentence: string, form: AnswerForm): number {
  switch (form.kind) {
    case 'quantity':
      return quantityMatch(sentence, form.unit);
    case 'date': {
      // The years the question writes are its premise, not the date it asks for.
      const given = form.given?.join('|');
      const rest = given
        ? sentence.replace(
            cachedPattern(`given ${given}`, () => `(?<!\\d)(?:${given})(?!\\d)`, 'gu'),
            ' ',
          )
        : sentence;
      return DATE.test(rest) || (form.unit === 'period' && NAMED_PERIOD.test(rest)) ? 1 : 0;
    }
    case 'person':
      return personMatch(sentence);
    case 'place':
      // "phường nào" is answered by a ward's name, not by any place.
      if (form.unit) {
        const ward = form.unit;
        const named = cachedPattern(
          `ward ${ward}`,
          () =>
            `${words(capitalisedToo(ward))}\\s+\\p{Lu}|${words('tất cả|toàn bộ|100%|mọi')}(?:\\s+các)?\\s+${words(ward)}`,
          'u',
        );
        return named.test(sentence) ? 1 : 0;
      }
      return /\s\p{Lu}/u.test(sentence) ? 1 : PLACE.test(sentence) ? 0.6 : 0;
    case 'reason':
      return REASON.test(sentence) ? 1 : 0.3;
    case 'thing':
      if (form.unit?.startsWith(WHICH)) return whichMatch(sentence, form.unit.slice(WHICH.length));
      // A list asked for is given after "gồm", "như" or ":", not by a quoted name that holds its count.
      if (form.unit?.startsWith(LIST)) return ENUMERATION.test(sentence.replace(QUOTED, ' ')) ? 1 : 0;
      return 1;
    case 'yesno':
    case 'description':
      // "Có tăng không?", "tăng trưởng thế nào?": the sentence that states the change, with its figure.
      return form.unit === 'change' ? changeMatch(sentence) : 1;
    default:
      return 1;
  }
}

/** The prefix of a "X nào" question's unit ("which du an"), and of one that counts them itself ("list an"). */
const WHICH = 'which ';
const LIST = 'list ';
const ENUMERATION = re(`${words('gồm|bao gồm|như')}|:`);
const QUOTED = /[“"«][^”"»]*[”"»]/gu;

/**
 * "Một số dự án" does not say which projects, nor "2 trường" which schools: 0 when the sentence counts
 * the asked noun without naming, not when it goes on to name them ("một số lĩnh vực như vận tải").
 */
function whichMatch(sentence: string, noun: string): number {
  // "2 trường được công nhận" counts them without naming them; "một số", "vài" do not even count. A
  // name or a quoted title after the count names them ("10 bệnh viện … Bệnh viện Đa khoa Khánh Hòa").
  const counted = sentence.replace(NUMBER_WORD, '9');
  const vague = cachedPattern(
    `which ${noun}`,
    () =>
      `(?:${B}(?:mot so|mot vai|vai)|\\d[\\d.,]*)\\s+(?:\\p{L}+\\s+){0,2}${escapeRegExp(noun)}${E}(?!${NAMED_AFTER})`,
  );
  const match = vague.exec(foldDiacritics(counted));
  if (!match) return 1;
  return /\s\p{Lu}|[“"«]/u.test(counted.slice(match.index + match[0].length)) ? 1 : 0;
}

/** What goes on to name the things counted: "một số lĩnh vực như vận tải", "gồm", ":". */
const NAMED_AFTER = `\\s*[:(]|,?\\s+(?:nhu|gom|bao gom|la|nhat la|dac biet la)${E}`;

/** Patterns built from a question's noun, compiled once: the same noun is tested on every candidate unit. */
const patterns = new Map<string, RegExp>();
const MAX_PATTERNS = 1000;
function cachedPattern(key: string, source: () => string, flags = 'iu'): RegExp {
  let pattern = patterns.get(key);
  if (!pattern) {
    if (patterns.size >= MAX_PATTERNS) patterns.clear();
    pattern = re(source(), flags);
    patterns.set(key, pattern);
  }
  return pattern;
}

/** A sentence carrying the asked form this weakly does not answer a quantity or date question. */
export const MIN_FORM = 0.5;

/**
 * Whether the sentence chosen fails to give what the question asks: no number for "bao nhiêu", no date
 * for "khi nào", and, for "dự án nào", only "một số dự án" (the one form a "which" question can lack).
 */
export function lacksAskedForm(form: AnswerForm, match: number): boolean {
  return (formIsRequired(form) || form.kind === 'thing') && match < MIN_FORM;
}

/** Whether a form must be present in the answer for the question to count as answered. */
export function formIsRequired(form: AnswerForm): boolean {
  // Not "ai" in general: the answer may be a body ("Thành ủy") or a group ("người dân"), which no pattern
  // knows; but "ai là chủ tịch …" asks for a name, and "phường nào" for a ward's.
  return (
    form.kind === 'quantity' ||
    form.kind === 'date' ||
    (form.kind === 'person' && form.unit === 'title') ||
    (form.kind === 'place' && form.unit !== null)
  );
}

/**
 * Numbers that name rather than count: "Chỉ thị 21", "Nghị quyết Trung ương 4", "khóa XII", "Điều 12",
 * dates. A "bao nhiêu" question is not answered by them.
 */
const DESIGNATIONS = re(
  `${words('chỉ thị|nghị quyết|nghị định|quyết định|thông tư|kế hoạch|công văn|thông báo|trung ương|khóa|khoá|số|điều|khoản|chương|mục|lần thứ|quốc lộ|tỉnh lộ|phường|tổ')}\\s+[\\dIVXLC][\\w/.-]*|\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?|${words('năm')}\\s+(?:19|20)\\d\\d|${words('ngày|tháng')}\\s+\\d+`,
  'giu',
);

/**
 * Other ways a quantity is written: a symbol ("cao 200 m" answers "bao nhiêu mét"), or a narrower noun
 * that counts the same thing ("2.140 lao động" answers "bao nhiêu người", "173 trường hợp" "bao nhiêu vụ").
 * Not "đối tượng": "bắt giữ 27 đối tượng" answered "bao nhiêu người chết vì tai nạn giao thông".
 */
const UNIT_SYMBOLS: Record<string, string[]> = {
  người: ['lao động', 'thanh niên', 'học sinh', 'sinh viên', 'đảng viên', 'cán bộ', 'công chức', 'trẻ', 'người dân'],
  // Those arrested are "đối tượng" in police reports; other counts of people are not.
  [ARRESTED]: ['người', 'đối tượng', 'bị can'],
  vụ: ['trường hợp', 'ca', 'vụ việc'],
  'doanh nghiệp': ['công ty', 'cơ sở'],
  mét: ['m'],
  gam: ['g'],
  km: ['ki lô mét'],
  kg: ['ki lô gam', 'cân'],
  ha: ['hecta', 'héc ta'],
};

/** A rank or a document's number: "lần thứ XIV", "khóa XII", "đợt 2", "thứ ba", "Chỉ thị 21". */
const ORDINAL = re(
  `${words(capitalisedToo('thứ|khóa|khoá|đợt|kỳ|số|điều|chương|khoản|tầng|chỉ thị|nghị quyết|nghị định|quyết định|thông tư|kế hoạch|công văn'))}\\s+(?:[\\dIVXLC]+${E}|${words('nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười')})`,
  'u',
);

function quantityMatch(raw: string, unit: string | null): number {
  // A rank is what designations say ("khóa XII"): they are the answer here.
  if (unit === 'ordinal') return ORDINAL.test(raw) ? 1 : DIGIT.test(raw) ? 0.3 : 0;
  // Quoted names ("Thành phố 4 an") and designations do not count anything.
  const unquoted = raw.replace(QUOTED, ' ');
  // "6 tháng đầu năm" names a period of the report, not how long something takes.
  const sentence = unit === 'duration' ? unquoted.replace(REPORT_PERIOD, ' ') : unquoted.replace(DESIGNATIONS, ' ');
  if (!NUMBER.test(sentence)) return 0;
  const hasDigit = DIGIT.test(sentence);
  // Full marks when the sentence states the unit asked for; else partial, more when it has a digit.
  const graded = (stated: boolean, withDigit = 0.3, withoutDigit = 0.1) =>
    stated ? 1 : hasDigit ? withDigit : withoutDigit;
  switch (unit) {
    case '%':
      return graded(PERCENT.test(sentence));
    case 'money':
      return graded(MONEY.test(sentence));
    case 'amount':
      return graded(MONEY.test(sentence) || PERCENT.test(sentence));
    case 'duration':
      return graded(DURATION.test(sentence));
    case 'age':
      return graded(AGE.test(sentence), 0.4);
    case 'change':
      return graded(PERCENT.test(sentence) || MONEY.test(sentence), 0.7, 0.2);
    case null:
      return hasDigit ? 1 : 0.3;
    default: {
      // A counted noun: the number must count it ("1.200 người", "12 vụ"), compared without accents
      // because the question may have been typed without them.
      // A number in words counts too ("ba bảo tàng", "hai chiến dịch"): written as a digit before folding,
      // since folded "sau", "bay", "tram" are also "after", "fly", "station".
      const folded = foldDiacritics(sentence.replace(NUMBER_WORD, '9'));
      if (counts(folded, [unit, ...(UNIT_SYMBOLS[unit] ?? [])])) return 1;
      // The noun may be read with the word after it ("bao nhiêu ghế đại biểu" → "ghe dai"): its head
      // alone ("18 ghế") counts nearly as well.
      const head = unit.split(' ')[0]!;
      if (head !== unit && !UNIT_SYMBOLS[unit] && counts(folded, [head])) return HEAD_ONLY;
      return hasDigit ? 0.2 : 0;
    }
  }
}

/** How well a number counting only the head of a counted noun of several syllables answers. */
const HEAD_ONLY = 0.8;

/** Whether a folded sentence has a number counting one of `nouns` ("12 vu", "1.200 nguoi", "5 % ho"). */
function counts(folded: string, nouns: readonly string[]): boolean {
  const names = nouns.map((u) => escapeRegExp(foldDiacritics(u))).join('|');
  return cachedPattern(`counts ${names}`, () => `\\d[\\d.,]*\\s*%?\\s*(?:\\p{L}+\\s+){0,2}(?:${names})${E}`).test(
    folded,
  );
}

const RISE_OR_FALL = re(words('tăng|giảm|tăng trưởng|sụt giảm|vượt'));

/** A change stated with its figure (1), a rise or fall without one (0.7), or only a figure. */
function changeMatch(sentence: string): number {
  const figure = quantityMatch(sentence, 'change');
  return RISE_OR_FALL.test(sentence) ? Math.max(0.7, figure) : figure;
}

function personMatch(sentence: string): number {
  // The titles are written in lower case; a sentence may start with one ("Đồng chí …").
  const lowered = sentence.charAt(0).toLowerCase() + sentence.slice(1);
  if (TITLED_NAME.test(lowered)) return 1;
  if (NAME.test(withoutFirstWord(sentence))) return 0.8;
  // A title alone ("Bí thư Quận ủy yêu cầu…") or a body may be the answer, but a name is more likely it.
  return PERSON_TITLE.test(lowered) || BODY.test(sentence) ? 0.3 : 0;
}

function withoutFirstWord(sentence: string): string {
  return sentence.replace(/^\s*\S+\s*/, ' ');
}

/**
 * Alternatives that also match with a capital first letter ("Chỉ thị 21"), for a pattern that must stay
 * case-sensitive elsewhere (Roman numerals are capitals: "khóa XII", not "khóa xii").
 */
function capitalisedToo(alternatives: string): string {
  return alternatives
    .split('|')
    .map((w) => `[${w[0]!.toUpperCase()}${w[0]}]${w.slice(1)}`)
    .join('|');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
