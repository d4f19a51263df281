import { describe, expect, it } from 'vitest';
import { foldDiacritics, normalizeLine, normalizeText } from '../../src/text/normalize.js';
import { splitClauses, splitSentences } from '../../src/text/sentences.js';
import { hasDiacritics, terms } from '../../src/text/tokenize.js';
import { analyseQuestion } from '../../src/question/analyse.js';
import { builtInThesaurus } from '../../src/question/synonyms.js';

const questionTerms = (q: string) =>
  analyseQuestion(q, {
    idf: () => 1,
    correctSpelling: (t) => t,
    thesaurus: builtInThesaurus(),
    newestYear: null,
    placeNames: [],
  }).contentTerms;
import { SpellingCorrector, isPlausibleSyllable } from '../../src/search/spelling.js';

describe('normalize', () => {
  it('composes decomposed Vietnamese and cleans whitespace', () => {
    const decomposed = 'Ngân sách'.normalize('NFD');
    expect(decomposed).not.toBe('Ngân sách');
    expect(normalizeText(`  ${decomposed}\u00A0quận\r\n\r\n\r\n\u200BCẩm Lệ  `)).toBe('Ngân sách quận\n\nCẩm Lệ');
    expect(normalizeLine(' a \n\t b ')).toBe('a b');
  });

  it('folds diacritics including đ/Đ', () => {
    expect(foldDiacritics('Thu ngân sách Đà Nẵng, quận Cẩm Lệ')).toBe('Thu ngan sach Da Nang, quan Cam Le');
    expect(hasDiacritics('thu ngan sach')).toBe(false);
    expect(hasDiacritics('thu ngân sách')).toBe(true);
  });
});

describe('sentences', () => {
  it('keeps decimals, dates and abbreviations inside sentences', () => {
    const text =
      'Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ. Theo Chỉ thị 21 ngày 1/11/2017 của Thành ủy. ' +
      'Tại TP. Đà Nẵng và Q. Cẩm Lệ có 2.500 hộ. PGS. TS. Nguyễn Văn A phát biểu.';
    expect(splitSentences(text)).toEqual([
      'Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ.',
      'Theo Chỉ thị 21 ngày 1/11/2017 của Thành ủy.',
      'Tại TP. Đà Nẵng và Q. Cẩm Lệ có 2.500 hộ.',
      'PGS. TS. Nguyễn Văn A phát biểu.',
    ]);
  });

  it('ends a sentence at a line break and splits long sentences at semicolons', () => {
    expect(splitSentences('Dòng một\nDòng hai? Câu ba!')).toEqual(['Dòng một', 'Dòng hai?', 'Câu ba!']);
    expect(splitClauses('thu ngân sách vượt 15%; Tiếp tục thực hiện')).toEqual([
      'thu ngân sách vượt 15%',
      'Tiếp tục thực hiện',
    ]);
  });
});

describe('terms', () => {
  it('indexes folded and accented unigrams and bigrams, not across punctuation', () => {
    const t = terms('Ngân sách, quận', { accented: true });
    expect(t).toEqual(
      expect.arrayContaining([
        'f:ngan',
        'f:sach',
        'f:ngan_sach',
        'a:ngân',
        'a:sách',
        'a:ngân_sách',
        'f:quan',
        'a:quận',
      ]),
    );
    expect(t).not.toContain('f:sach_quan');
    expect(terms('ngan sach', { accented: false })).toEqual(['f:ngan', 'f:sach', 'f:ngan_sach']);
  });

  it('honours accents where the question has them, and drops question words', () => {
    const accented = questionTerms('Mục tiêu thu ngân sách là bao nhiêu?').map((t) => t.term);
    expect(accented).toEqual(expect.arrayContaining(['mục', 'mục_tiêu', 'ngân_sách']));
    expect(accented).not.toContain('bao');
    const folded = questionTerms('muc tieu dau tu la bao nhieu').map((t) => t.term);
    // "dau" and "tu" are question words when folded (đâu, từ) but also đầu tư: kept.
    expect(folded).toEqual(expect.arrayContaining(['muc', 'muc_tieu', 'dau_tu']));
    expect(folded).not.toContain('nhieu');
  });
});

describe('spelling', () => {
  const corrector = new SpellingCorrector(
    new Map([
      ['sach', 5],
      ['ngan', 7],
      ['sanh', 1],
      ['vang', 2],
    ]),
  );

  it('corrects syllables that cannot be Vietnamese to the most common corpus syllable one edit away', () => {
    expect(isPlausibleSyllable('sch')).toBe(false);
    expect(corrector.correct('sch')).toBe('sach');
    expect(corrector.correct('ngna')).toBe('ngan');
    expect(corrector.correctText('thu ngân sch')).toBe('thu ngân sach');
  });

  it('leaves real syllables alone even when the corpus lacks them', () => {
    expect(isPlausibleSyllable('vàng'.normalize('NFD').replace(/[\u0300-\u036f]/g, ''))).toBe(true);
    expect(corrector.correct('hoc')).toBeNull();
    expect(corrector.correctText('giá vàng hôm nay')).toBe('giá vàng hôm nay');
  });

  it('leaves an abbreviation written in capitals alone ("SCH" is no typo of "sach")', () => {
    expect(corrector.correctText('hội nghị SCH năm nay')).toBe('hội nghị SCH năm nay');
    expect(corrector.correctText('hội nghị sch năm nay')).toBe('hội nghị sach năm nay');
  });
});
