// Reports state two kinds of figures side by side: what was achieved ("thu ngân sách ước đạt 57% dự
// toán") and what is aimed at ("phấn đấu cuối năm thu ngân sách vượt 15%"). A citizen's question says
// which one it wants, with or without diacritics; so does each sentence of a report.
import { foldDiacritics } from '../text/normalize.js';

/** A target or plan, what was achieved, or not said. */
export type Intent = 'target' | 'actual' | null;

const TARGET_CUES = [
  'muc tieu',
  'chi tieu',
  'phan dau',
  'du kien',
  'dinh huong',
  'nhiem vu',
  'cuoi nam',
  'ca nam',
  'sap toi',
  'thoi gian toi',
  'se',
  'ke hoach nam',
];
const ACTUAL_CUES = [
  'dat',
  'da',
  'duoc',
  'ket qua',
  'toi gio',
  'roi',
  'dau nam',
  'thang qua',
  'vua qua',
  'uoc dat',
  'tang',
  'giam',
  'bao nhieu',
  'con',
  'danh gia',
  'the nao',
  'ra sao',
];

/** "đã … chưa" asks whether it has happened, even of a target ("đã đạt chỉ tiêu chưa", "đạt chỉ tiêu chưa"). */
const ACHIEVED_YET = / (da|duoc|dat) .+ chua $/;
/** "có … không" asks how things stand, unless it names a target ("có mục tiêu … không"). */
const STANDING_QUESTION = / (co|da) .+ (khong|ko|chua) $/;

/** The question's intent, from its folded syllables; a target cue wins over an achievement cue. */
export function questionIntent(folded: string[]): Intent {
  const text = ` ${folded.join(' ')} `;
  if (ACHIEVED_YET.test(text)) return 'actual';
  if (TARGET_CUES.some((cue) => text.includes(` ${cue} `))) return 'target';
  if (ACTUAL_CUES.some((cue) => text.includes(` ${cue} `))) return 'actual';
  if (STANDING_QUESTION.test(text)) return 'actual';
  return null;
}

const TARGET_SENTENCE =
  /(?<![\p{L}\p{M}])(phan dau|muc tieu|chi tieu (?:nam|ca nam)|du kien|dinh huong|tu nay den|se|tiep tuc(?! duoc)|nhiem vu|de ra|(?<!dap ung (?:duoc )?)yeu cau|(?<!duoc )(?:day manh|tang cuong|thuc hien (?:tot|hieu qua)))(?![\p{L}\p{M}])/u;
const ACTUAL_SENTENCE =
  /(?<![\p{L}\p{M}])(uoc dat|dat|da|tang|giam|so voi cung ky|ket qua|duoc (?:giu vung|cung co|trien khai|thuc hien))(?![\p{L}\p{M}])/u;

/** What a report sentence states: a target, an achievement, or neither. */
export function sentenceIntent(sentence: string): Intent {
  const folded = foldDiacritics(sentence.toLowerCase());
  if (TARGET_SENTENCE.test(folded)) return 'target';
  if (ACTUAL_SENTENCE.test(folded)) return 'actual';
  return null;
}
