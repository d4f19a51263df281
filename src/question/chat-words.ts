// What citizens type on phones beside the written words: "dc" for được, "ko" for không, "ntn" for như
// thế nào. Expanded before anything else reads the question, so the interrogatives and content words
// they stand for are recognised. Only whole words are replaced, and only these unambiguous ones.
const CHAT_WORDS: Record<string, string> = {
  dc: 'được',
  đc: 'được',
  ko: 'không',
  k: 'không',
  kg: 'không',
  hok: 'không',
  hk: 'không',
  hem: 'không',
  khg: 'không',
  j: 'gì',
  gj: 'gì',
  ntn: 'như thế nào',
  bn: 'bao nhiêu',
  bnh: 'bao nhiêu',
  bh: 'bao giờ',
  vs: 'với',
  ng: 'người',
  nc: 'nước',
  sx: 'sản xuất',
  nhiu: 'nhiêu',
  z: 'vậy',
  dz: 'vậy',
  r: 'rồi',
  ns: 'nói',
  mn: 'mọi người',
  ah: 'à',
  ak: 'à',
  '%': ' phần trăm',
};

/**
 * Any of the words above standing alone, or "%" not after a number: "được bao nhiêu %" names the unit,
 * while "15%" stays as the reports write it.
 */
const TOKEN = new RegExp(
  `(?<![\\p{L}\\p{N}])(${Object.keys(CHAT_WORDS)
    .filter((word) => word !== '%')
    .join('|')})(?![\\p{L}\\p{N}])|(?<!\\d\\s*)%`,
  'giu',
);

/** The question with chat abbreviations written out ("thu dc may % r" → "thu được may phần trăm rồi"). */
export function expandChatWords(text: string): string {
  return text.replace(TOKEN, (word) => CHAT_WORDS[word.toLowerCase()] ?? word);
}
