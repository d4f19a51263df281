// The administrative layout of Decree 30/2020/NĐ-CP that every official report follows:
//
//   UBND QUẬN CẨM LỆ                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
//                                        Độc lập - Tự do - Hạnh phúc
//   Số: 123/BC-UBND                  Cẩm Lệ, ngày 10 tháng 7 năm 2019
//                                BÁO CÁO
//              Tình hình kinh tế - xã hội 6 tháng đầu năm 2019
//   … body …
//   Nơi nhận:                        TM. ỦY BAN NHÂN DÂN
//   - Như trên;                      KT. CHỦ TỊCH
//   - Lưu: VT.                       PHÓ CHỦ TỊCH
//                                    Nguyễn Văn A
//
// Text extraction (Word, PDF, OCR) flattens the two columns in any order, sometimes onto one line, and
// old files or OCR output may lose the accents or be all capitals. Everything here is matched on a folded
// (accentless, lower-case) copy of each line that keeps the original's character positions, so what is
// found can be cut out of the original text.

/** The particulars of an official document read from its header and signature block, for its citation. */
export interface OfficialHeader {
  /** Issuing body as written, e.g. "UBND QUẬN CẨM LỆ". */
  issuer?: string;
  /** Issuing body as said in a sentence, e.g. "UBND quận Cẩm Lệ". */
  issuerName?: string;
  /** Number and symbol, e.g. "123/BC-UBND". */
  number?: string;
  place?: string;
  /** "10/7/2019". */
  date?: string;
  /** Document type in sentence case, e.g. "Báo cáo". */
  type?: string;
  /** The summary line(s) under the type, e.g. "Tình hình kinh tế - xã hội 6 tháng đầu năm 2019". */
  summary?: string;
  /** Signature titles, top to bottom: ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]. */
  signerTitles: string[];
  signerName?: string;
  /** Recipients listed under "Nơi nhận", without the leading dashes. */
  recipients: string[];
}

/** An official document split into its particulars and its body (without the header and signature blocks). */
export interface OfficialLayout {
  header: OfficialHeader;
  /** The text without the motto, the header block, "Nơi nhận" and the signature block. */
  body: string;
}

/** Folds one character at a time so that positions in the folded copy are positions in the original. */
export function foldKeepingPositions(text: string): string {
  let out = '';
  for (const ch of text) {
    const folded = ch === 'đ' || ch === 'Đ' ? 'd' : ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    // A character whose fold is not one code unit (rare symbols) is kept as a placeholder of its length.
    out += folded.length === ch.length ? folded : ch.length === 1 ? '\u0000' : '\u0000\u0000';
  }
  return out;
}

const DOCUMENT_TYPES: Record<string, string> = {
  'bao cao': 'Báo cáo',
  'ke hoach': 'Kế hoạch',
  'quyet dinh': 'Quyết định',
  'thong bao': 'Thông báo',
  'nghi quyet': 'Nghị quyết',
  'to trinh': 'Tờ trình',
  'chi thi': 'Chỉ thị',
  'huong dan': 'Hướng dẫn',
  'cong van': 'Công văn',
  'chuong trinh': 'Chương trình',
  'ket luan': 'Kết luận',
  'bien ban': 'Biên bản',
  'de an': 'Đề án',
};

// OCR reads the dashes of the motto as "-", "–", "—" or nothing at all.
const MOTTO = [
  /cong\s*hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam/,
  /doc\s*lap\s*[-–—~_.,]?\s*tu\s*do\s*[-–—~_.,]?\s*hanh\s*phuc/,
];
const NUMBER = /(?:^|\s)so\s*[:.;]\s*([0-9]+[0-9a-z]*\s*\/\s*[0-9a-z/\-.đ]*[a-z0-9])/;
const NUMBER_PLAIN = /^so\s+([0-9]+\s*\/\s*[0-9a-z/\-.]*[a-z0-9])/;
const PLACE_DATE = /(?:^|\s)([a-z][a-z .]{1,40}?)\s*,\s*ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*((?:19|20)\d{2})/;
const ISSUER_START =
  /^(uy ban nhan dan|ubnd|hoi dong nhan dan|hdnd|quan uy|huyen uy|dang bo|phong |ban |van phong|so |cong an|chi cuc|trung tam|ban chi huy|mat tran|doan |hoi )/;
const ADMIN_UNITS = ['thanh pho', 'thi xa', 'thi tran', 'quan', 'huyen', 'phuong', 'xa', 'tinh'];
const RECIPIENTS = /^noi\s*nhan\s*[:.]?/;
const SIGNATURE_PREFIX = /^(tm|kt|tl|tuq|q|ktl)\s*[.,]\s*\S/;
const SIGNATURE_TITLE =
  /^(pho\s+)?(chu\s+tich|giam\s+doc|truong\s+phong|truong\s+ban|chanh\s+van\s+phong|bi\s+thu|thu\s+truong|truong\s+cong\s+an|chi\s+cuc\s+truong|uy\s+ban\s+nhan\s+dan|hoi\s+dong\s+nhan\s+dan|ban\s+thuong\s+vu|thuong\s+truc)\b/;
const SIGNED_NOTE = /^\(?\s*(da\s+ky|ky\s+ten|ky,?\s*ghi\s+ro\s+ho\s+ten|dong\s+dau)[^)]*\)?\.?$/;
// Family names carry most signature lines' names; the list only has to recognise a name in capitals.
const SURNAMES = new Set(
  'nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh doan lam mai trinh truong ha cao luong luu chau ta thai kieu quach tong hua la van ton thach dam nghiem khuc au tang vuong'.split(
    ' ',
  ),
);
const ON_BEHALF: Record<string, string> = {
  tm: 'thay mặt',
  kt: 'ký thay',
  tl: 'thừa lệnh',
  tuq: 'thừa ủy quyền',
  q: 'quyền',
  ktl: 'ký thay',
};
const HEADER_SCAN_LINES = 30;
const FOOTER_SCAN_LINES = 40;

interface Line {
  text: string;
  fold: string;
}

function sentenceCase(text: string): string {
  const lower = text.toLocaleLowerCase('vi');
  return lower.charAt(0).toLocaleUpperCase('vi') + lower.slice(1);
}

function titleCaseWords(text: string): string {
  return text
    .toLocaleLowerCase('vi')
    .split(' ')
    .map((w) => w.charAt(0).toLocaleUpperCase('vi') + w.slice(1))
    .join(' ');
}

function isUpper(text: string): boolean {
  return text === text.toLocaleUpperCase('vi') && /\p{Lu}/u.test(text);
}

/** "ỦY BAN NHÂN DÂN QUẬN CẨM LỆ" → "UBND quận Cẩm Lệ"; "PHÒNG TÀI CHÍNH - KẾ HOẠCH" → "Phòng Tài chính - Kế hoạch". */
export function issuerAsName(issuer: string): string {
  let rest = issuer.replace(/\s+/g, ' ').trim();
  let lead = '';
  const fold = foldKeepingPositions(rest);
  const body = /^(uy ban nhan dan|ubnd|hoi dong nhan dan|hdnd)\s*/.exec(fold);
  if (body) {
    lead = body[1]!.startsWith('h') ? 'HĐND' : 'UBND';
    rest = rest.slice(body[0].length);
  }
  if (!isUpper(rest)) return lead ? `${lead} ${rest}`.trim() : rest;
  const restFold = foldKeepingPositions(rest);
  const unit = ADMIN_UNITS.find((u) => restFold === u || restFold.startsWith(u + ' '));
  let named: string;
  if (unit) {
    named = `${rest.slice(0, unit.length).toLocaleLowerCase('vi')} ${titleCaseWords(rest.slice(unit.length + 1))}`;
  } else {
    named = sentenceCase(rest).replace(/ - (\p{Ll})/gu, (_, c: string) => ` - ${c.toLocaleUpperCase('vi')}`);
    const words = named.split(' ');
    // "Phòng tài chính" → "Phòng Tài chính": the unit's own name starts with a capital.
    if (words.length > 1) words[1] = words[1]!.charAt(0).toLocaleUpperCase('vi') + words[1]!.slice(1);
    named = words.join(' ');
  }
  return lead ? `${lead} ${named}` : named;
}

/** Cuts the matched span out of a line (original and folded copies alike). */
function cut(line: Line, start: number, end: number): Line {
  const join = (a: string, b: string) => `${a.trimEnd()} ${b.trimStart()}`.trim();
  return {
    text: join(line.text.slice(0, start), line.text.slice(end)),
    fold: join(line.fold.slice(0, start), line.fold.slice(end)),
  };
}

function stripMotto(line: Line): { line: Line; found: boolean } {
  let found = false;
  for (const re of MOTTO) {
    const m = re.exec(line.fold);
    if (m) {
      line = cut(line, m.index, m.index + m[0].length);
      found = true;
    }
  }
  return { line, found };
}

function documentType(fold: string): string | undefined {
  const compact = fold.replace(/\s+/g, ' ').trim();
  return DOCUMENT_TYPES[compact];
}

function isSeparator(text: string): boolean {
  return /^[-_=*.·—–\s]+$/.test(text);
}

function looksLikeName(text: string): boolean {
  const words = text.split(' ');
  if (words.length < 2 || words.length > 5 || /\d|[:;,()]/.test(text)) return false;
  if (!words.every((w) => /^\p{Lu}/u.test(w))) return false;
  const first = foldKeepingPositions(words[0]!);
  // Mixed case "Nguyễn Văn A" is a name; in capitals only with a known family name.
  return SURNAMES.has(first) || !isUpper(text);
}

interface HeaderScan {
  header: Partial<OfficialHeader>;
  /** Index of the first body line. */
  end: number;
}

/** What the scan of the header lines has found so far. */
interface HeaderLinesState {
  header: Partial<OfficialHeader>;
  /** Capitalised lines of the left column before the number and date, top to bottom. */
  issuerParts: string[];
  /** Index of the type line ("BÁO CÁO"), -1 until found. */
  typeAt: number;
  lastHeaderLine: number;
  motto: boolean;
}

function scanHeader(lines: Line[]): HeaderScan | null {
  const state = scanHeaderLines(lines);
  const { header, typeAt } = state;
  const evidence = Number(state.motto) + Number(!!header.number) + Number(!!header.date) + Number(typeAt >= 0);
  if (evidence < 2) return null;
  let end = state.lastHeaderLine + 1;
  if (typeAt >= 0 && header.summary) {
    end = skipBlankAndSeparators(lines, typeAt + 1);
  } else if (typeAt >= 0) {
    const summary = readSummary(lines, typeAt + 1);
    if (summary.lines.length > 0) header.summary = summary.lines.join(' ');
    end = skipBlankAndSeparators(lines, summary.end);
  }
  if (state.issuerParts.length > 0) {
    header.issuer = issuerFromParts(state.issuerParts);
    header.issuerName = issuerAsName(header.issuer);
  }
  return { header, end };
}

/** Reads the header lines up to the type line, or up to body text when there is none. */
function scanHeaderLines(lines: Line[]): HeaderLinesState {
  const state: HeaderLinesState = { header: {}, issuerParts: [], typeAt: -1, lastHeaderLine: -1, motto: false };
  const limit = Math.min(lines.length, HEADER_SCAN_LINES);
  for (let i = 0; i < limit; i++) {
    if (lines[i]!.text === '') continue;
    if (!readHeaderLine(lines[i]!, i, state)) break;
  }
  return state;
}

/** Reads line `i` into `state`; false when the header ends there (its type line, or body text). */
function readHeaderLine(original: Line, i: number, state: HeaderLinesState): boolean {
  const { line, recognised } = takeParticulars(original, state);
  if (takeTypeLine(line, i, state)) return false;
  // What is left of a line before the type: the issuing body (left column), a rule, or nothing.
  const rest = line.text.trim();
  if (rest === '' || isSeparator(rest)) {
    if (recognised) state.lastHeaderLine = i;
    return true;
  }
  if (isIssuerLine(rest, line, i, state)) {
    state.issuerParts.push(rest.replace(/\s*[-_]{2,}\s*$/, ''));
    state.lastHeaderLine = i;
    return true;
  }
  if (recognised) {
    state.lastHeaderLine = i;
    return true;
  }
  // Body text before any type line: the header (if any) ends here.
  return false;
}

/** Cuts the motto, the place and date, and the number out of a line into `state`; `recognised` if any was there. */
function takeParticulars(line: Line, state: HeaderLinesState): { line: Line; recognised: boolean } {
  let recognised = false;
  const stripped = stripMotto(line);
  if (stripped.found) {
    state.motto = true;
    recognised = true;
    line = stripped.line;
  }
  const afterDate = takePlaceAndDate(line, state.header);
  if (afterDate) {
    line = afterDate;
    recognised = true;
  }
  const afterNumber = takeNumber(line, state.header);
  if (afterNumber) {
    line = afterNumber;
    recognised = true;
  }
  return { line, recognised };
}

/** "Cẩm Lệ, ngày 10 tháng 7 năm 2019" into the header (the first one only); returns the rest of the line. */
function takePlaceAndDate(line: Line, header: Partial<OfficialHeader>): Line | null {
  const date = PLACE_DATE.exec(line.fold);
  if (!date || header.date) return null;
  const start = date.index + (date[0].length - date[0].trimStart().length);
  header.place = line.text.slice(start, start + date[1]!.length).trim();
  header.date = `${Number(date[2])}/${Number(date[3])}/${date[4]}`;
  return cut(line, start, date.index + date[0].length);
}

/** "Số: 123/BC-UBND" into the header (the first one only); returns the rest of the line. */
function takeNumber(line: Line, header: Partial<OfficialHeader>): Line | null {
  const number = NUMBER.exec(line.fold) ?? NUMBER_PLAIN.exec(line.fold);
  if (!number || header.number) return null;
  const at = line.fold.indexOf(number[1]!, number.index);
  header.number = line.text
    .slice(at, at + number[1]!.length)
    .replace(/\s+/g, '')
    .toLocaleUpperCase('vi');
  return cut(line, number.index, at + number[1]!.length);
}

/** The type line ("BÁO CÁO"), or type and summary on one line; true (and recorded in `state`) when line `i` is it. */
function takeTypeLine(line: Line, i: number, state: HeaderLinesState): boolean {
  const { header } = state;
  const type = documentType(line.fold);
  // "KẾ HOẠCH TỔ CHỨC LỄ HỘI NĂM 2019": type and summary on one line, in capitals.
  const typeWords = /^(\S+ \S+) (\S.*)$/.exec(line.fold.trim());
  const typeInLine =
    typeWords && (header.number || header.date) && isUpper(line.text) ? documentType(typeWords[1]!) : undefined;
  if (typeInLine && !type) {
    header.type = typeInLine;
    header.summary = line.text.trim().slice(typeWords![1]!.length).trim();
  } else if (type && (isUpper(line.text) || /^\p{Lu}/u.test(line.text))) {
    header.type = type;
  } else {
    return false;
  }
  state.typeAt = i;
  state.lastHeaderLine = i;
  return true;
}

/** A capitalised left-column line above the number and date: the issuing body, or one line of it. */
function isIssuerLine(rest: string, line: Line, i: number, state: HeaderLinesState): boolean {
  return (
    !state.header.number &&
    !state.header.date &&
    isUpper(rest) &&
    rest.length <= 80 &&
    (state.issuerParts.length > 0 || ISSUER_START.test(line.fold.trim()) || i < 3)
  );
}

/** The summary under the type: the next short lines without final punctuation (OCR may wrap it onto two or three). */
function readSummary(lines: Line[], from: number): { lines: string[]; end: number } {
  const summary: string[] = [];
  let i = from;
  while (i < lines.length && lines[i]!.text === '') i++;
  for (; i < lines.length && summary.length < 3; i++) {
    const text = lines[i]!.text;
    if (text === '') break;
    if (isSeparator(text)) {
      i++;
      break;
    }
    const fold = lines[i]!.fold;
    if (/[.;:]$/.test(text) || text.length > 160 || /^(kinh gui|can cu|thuc hien|[ivx]+[.)]\s|\d+[.)]\s)/.test(fold))
      break;
    summary.push(text);
  }
  return { lines: summary, end: i };
}

function skipBlankAndSeparators(lines: Line[], from: number): number {
  let end = from;
  while (end < lines.length && (lines[end]!.text === '' || isSeparator(lines[end]!.text))) end++;
  return end;
}

/**
 * The issuing office from the left column's lines: "ỦY BAN NHÂN DÂN" / "QUẬN CẨM LỆ" is one body on two
 * lines; "UBND QUẬN CẨM LỆ" / "PHÒNG TÀI CHÍNH" is a parent and the issuing office (the last one).
 */
function issuerFromParts(issuerParts: string[]): string {
  const merged: string[] = [];
  for (const part of issuerParts) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && /^(uy ban nhan dan|hoi dong nhan dan)$/.test(foldKeepingPositions(previous).trim())) {
      merged[merged.length - 1] = `${previous} ${part}`;
    } else {
      merged.push(part);
    }
  }
  return merged[merged.length - 1]!;
}

interface FooterScan {
  start: number;
  signerTitles: string[];
  signerName?: string;
  recipients: string[];
}

// The right column of a flattened line: its trailing run of capitals ("- Như trên; KT. CHỦ TỊCH").
function trailingCapitals(text: string): string {
  const m = /(?:^|[^\p{L}.])((?:\p{Lu}+\.?\s*)+)$/u.exec(text);
  return m ? m[1]!.trim() : '';
}

function scanFooter(lines: Line[], from: number): FooterScan | null {
  const first = Math.max(from, lines.length - FOOTER_SCAN_LINES);
  let start = -1;
  for (let i = first; i < lines.length; i++) {
    const fold = lines[i]!.fold.trim();
    // "TM. ỦY BAN NHÂN DÂN" in capitals; not a body line that happens to start "Q. Cẩm Lệ …".
    if (RECIPIENTS.test(fold) || (SIGNATURE_PREFIX.test(fold) && isUpper(lines[i]!.text))) {
      start = i;
      break;
    }
    // A signature title alone on its line, in capitals, close to the end.
    if (SIGNATURE_TITLE.test(fold) && isUpper(lines[i]!.text) && lines.length - i <= 8) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  const signerTitles: string[] = [];
  const recipients: string[] = [];
  let signerName: string | undefined;
  let inRecipients = false;
  for (let i = start; i < lines.length; i++) {
    let { text, fold } = lines[i]!;
    if (text === '') continue;
    const r = RECIPIENTS.exec(fold);
    if (r) {
      inRecipients = true;
      text = text.slice(r[0].length).trim();
      fold = fold.slice(r[0].length).trim();
      if (text === '') continue;
    }
    if (SIGNED_NOTE.test(fold.trim())) continue;
    const isTitle = (s: string) => SIGNATURE_PREFIX.test(s) || SIGNATURE_TITLE.test(s);
    // The longest tail of the capitals that is a title: "- Lưu: VT. PHÓ CHỦ TỊCH" → "PHÓ CHỦ TỊCH".
    let trailing = trailingCapitals(text);
    const words = trailing.split(' ');
    const titleTail = words.map((_, k) => words.slice(k).join(' ')).find((tail) => isTitle(foldKeepingPositions(tail)));
    if (titleTail) trailing = titleTail;
    let left = text;
    if (titleTail) {
      signerTitles.push(trailing);
      left = text.slice(0, text.length - trailing.length).trim();
    } else if (trailing && trailing === text.trim() && looksLikeName(trailing) && signerTitles.length > 0) {
      signerName = titleCaseWords(trailing);
      continue;
    }
    if (left === '') continue;
    if (/^[-+•*]/.test(left) || inRecipients) {
      const recipient = left
        .replace(/^[-+•*]\s*/, '')
        .replace(/[;.,]$/, '')
        .trim();
      // The name may share a line with the last recipient ("- Lưu: VT. Nguyễn Văn A").
      if (!/^[-+•*]/.test(left) && looksLikeName(left) && signerTitles.length > 0) signerName = left;
      else if (recipient) recipients.push(recipient);
      continue;
    }
    if (looksLikeName(left)) signerName = left;
  }
  if (signerTitles.length === 0 && recipients.length === 0) return null;
  return { start, signerTitles, recipients, ...(signerName ? { signerName } : {}) };
}

/**
 * Finds the Decree 30 header and footer of a normalised text. Returns null when the text does not have
 * the layout (two of: motto, number, place and date, type line), so ordinary notes are left alone.
 */
export function parseOfficialLayout(text: string): OfficialLayout | null {
  const lines: Line[] = text.split('\n').map((raw) => {
    const t = raw.trim();
    return { text: t, fold: foldKeepingPositions(t) };
  });
  const scan = scanHeader(lines);
  if (!scan) return null;
  const footer = scanFooter(lines, scan.end);
  const bodyLines = lines.slice(scan.end, footer ? footer.start : lines.length).map((l) => l.text);
  const header: OfficialHeader = {
    ...scan.header,
    signerTitles: footer?.signerTitles ?? [],
    recipients: footer?.recipients ?? [],
    ...(footer?.signerName ? { signerName: footer.signerName } : {}),
  };
  return {
    header,
    body: bodyLines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
  };
}

/** "Báo cáo số 123/BC-UBND ngày 10/7/2019 của UBND quận Cẩm Lệ": how a citizen should read the source. */
export function officialCitation(header: OfficialHeader): string | undefined {
  if (!header.type || (!header.number && !header.date)) return undefined;
  let out = header.type;
  if (header.number) out += ` số ${header.number}`;
  if (header.date) out += ` ngày ${header.date}`;
  if (header.issuerName) out += ` của ${header.issuerName}`;
  return out;
}

/**
 * The document's particulars as one passage of text, so that "ai ký báo cáo?" or "báo cáo số mấy?" is
 * answerable without the signature block itself ever becoming a passage.
 */
export function metadataText(header: OfficialHeader): string {
  const lines: string[] = [];
  const citation = officialCitation(header);
  if (citation) lines.push(`${citation}.`);
  if (header.summary) lines.push(`Trích yếu: ${header.summary}.`);
  if (header.issuerName) lines.push(`Cơ quan ban hành: ${header.issuerName}.`);
  if (header.number) lines.push(`Số, ký hiệu: ${header.number}.`);
  if (header.date) lines.push(`Ngày ban hành: ${header.date}${header.place ? ` tại ${header.place}` : ''}.`);
  if (header.signerName || header.signerTitles.length > 0) {
    // "TM." and "KT." are spelled out: the sentence splitter would end the sentence at their dots.
    const spelled = header.signerTitles.map((t) =>
      t.replace(/^(tm|kt|tl|tuq|q)\s*[.,]\s*/i, (_, k: string) => `${ON_BEHALF[k.toLowerCase()] ?? ''} `).trim(),
    );
    const title = spelled.length > 0 ? spelled[spelled.length - 1]! : '';
    const on = spelled.length > 1 ? `, ${spelled.slice(0, -1).reverse().join(', ')}` : '';
    lines.push(`Người ký báo cáo: ${[title, header.signerName].filter(Boolean).join(' ')}${on}.`);
  }
  return lines.join('\n');
}
