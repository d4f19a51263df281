// Sentence splitting for Vietnamese administrative text. A dot ends a sentence only when it is followed
// by a space and a capital letter (or an opening quote/bracket), and is not part of an abbreviation
// ("TP. Đà Nẵng", "Q. Cẩm Lệ", "PGS. TS."). Decimals ("15,5%", "2.500") and dates ("1/11/2017") never
// contain a dot followed by a space, so they stay whole.

/** Abbreviations that end in a dot and are followed by a capitalised name. Compared case-sensitively. */
const ABBREVIATIONS = new Set([
  'TP',
  'Tp',
  'Q',
  'P',
  'H',
  'X',
  'TT',
  'TX',
  'ThS',
  'TS',
  'PGS',
  'GS',
  'BS',
  'KS',
  'CN',
  'NXB',
  'St',
  'Th',
  'Ths',
  'v.v',
  'vv',
  'Tr',
  'tr',
  'Đ',
  'Ô',
  'No',
  'Mr',
  'Mrs',
  'Dr',
  'Cty',
  'CT',
  'UB',
  'QĐ',
  'NĐ',
  'TW',
  'ĐC',
  'Đ/c',
  'đ/c',
]);

const BOUNDARY = /([.!?…]+["”’)]*)(\s+)(?=["“‘(]?[\p{Lu}\p{N}])/gu;

/** Splits a text into sentences; paragraphs (line breaks) always end a sentence. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split(/\n+/)) {
    let start = 0;
    for (const match of line.matchAll(BOUNDARY)) {
      const end = match.index! + match[1]!.length;
      const before = line.slice(start, match.index!);
      const lastWord = before.split(/\s+/).pop() ?? '';
      if (match[1] === '.' && isAbbreviation(lastWord)) continue;
      const sentence = line.slice(start, end).trim();
      if (sentence) sentences.push(sentence);
      start = end + match[2]!.length;
    }
    const rest = line.slice(start).trim();
    if (rest) sentences.push(rest);
  }
  return sentences;
}

function isAbbreviation(word: string): boolean {
  const bare = word.replace(/^[("“‘]+/, '');
  // A single capital letter is an initial ("Q.", "P.") or a list marker ("A."), never a sentence.
  return ABBREVIATIONS.has(bare) || /^\p{Lu}$/u.test(bare);
}

/** Splits a long sentence at semicolons: report sentences often chain several targets with ";". */
export function splitClauses(sentence: string): string[] {
  return sentence
    .split(/;\s+/)
    .map((clause) => clause.trim())
    .filter(Boolean);
}
