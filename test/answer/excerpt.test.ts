// Choosing the sentence that answers (the asked form, a relevant neighbour, ";" clauses of long
// sentences), cutting it for a phone, and what the answer step reads of a passage.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chooseExcerpt, MAX_EXCERPT_CHARS, rankSentences, truncate } from '../../src/answer/excerpt.js';
import { readPassage } from '../../src/answer/passage-units.js';
import { textTerms } from '../../src/answer/question-terms.js';
import { phrases } from '../../src/text/tokenize.js';
import { analyse, passage, ranked } from './helpers.js';

describe('chooseExcerpt: names the question writes', () => {
  it('reads capitalised syllables as names, the first word only inside a run of capitals', () => {
    expect(analyse('Các Mác sinh con tại đâu?').names).toEqual(['các', 'mác']);
    expect(analyse('Hoàng Thái Cực đã có quyết định gì?').names).toEqual(['hoàng', 'thái', 'cực']);
    expect(analyse('Ai là người đứng đầu quận?').names).toEqual([]);
    expect(analyse('cac mac sinh con tai dau').names).toEqual([]);
  });

  it('quotes the passage that names the person asked about over a better-ranked one sharing only common words', () => {
    const question = analyse('Các Mác sinh con tại đâu?');
    const commonWords = passage('Nhiếp chính cho rằng cô bé quá nhỏ để sinh con, và gửi cô bé trở về tại quê nhà.', {
      docTitle: 'Mariana của Áo',
    });
    const named = passage('Mác sinh tại Trier, Vương quốc Phổ, trong một gia đình luật sư.', { docTitle: 'Các Mác' });
    const choice = chooseExcerpt(question, ranked([commonWords, 1], [named, 0.8]));
    expect(choice!.passage).toBe(1);
    // Without the name the common words win: the name is what decides.
    const unnamed = chooseExcerpt(analyse('Người ấy sinh con tại đâu?'), ranked([commonWords, 1], [named, 0.8]));
    expect(unnamed!.passage).toBe(0);
  });
});

describe('chooseExcerpt: the asked form', () => {
  it('for "bao nhiêu … %" prefers the sentence with a percentage over one with more of the words or another unit', () => {
    const question = analyse('Thu ngân sách năm 2018 đạt bao nhiêu phần trăm?');
    const p = passage(
      'Thu ngân sách năm 2018 trên địa bàn quận được tập trung chỉ đạo quyết liệt. ' +
        'Tổng thu ngân sách đạt 1.250 tỷ đồng. ' +
        'Thu ngân sách đạt 105,3% dự toán.',
    );
    const choice = chooseExcerpt(question, ranked(p));
    expect(choice).not.toBeNull();
    expect(choice!.sentence).toBe('Thu ngân sách đạt 105,3% dự toán.');
    expect(choice!.form).toBe(1);
    expect(choice!.passage).toBe(0);
  });

  it('takes the best sentence with the asked form even from a lower-ranked passage', () => {
    const question = analyse('Thu ngân sách năm 2018 đạt bao nhiêu phần trăm?');
    const words = passage('Thu ngân sách năm 2018 đạt kết quả tích cực, thu ngân sách năm 2018 vượt dự toán.');
    const figure = passage('Thu ngân sách đạt 105,3% dự toán.');
    const choice = chooseExcerpt(question, ranked(words, figure));
    expect(choice!.passage).toBe(1);
    expect(choice!.sentence).toBe('Thu ngân sách đạt 105,3% dự toán.');
  });

  it('falls back to the best sentence (form 0) when no sentence has the asked form', () => {
    const question = analyse('Thu ngân sách năm 2018 đạt bao nhiêu phần trăm?');
    const choice = chooseExcerpt(
      question,
      ranked(passage('Thu ngân sách năm 2018 đạt kết quả tích cực. Công tác an ninh được giữ vững.')),
    );
    expect(choice!.sentence).toBe('Thu ngân sách năm 2018 đạt kết quả tích cực.');
    expect(choice!.form).toBe(0);
  });

  it('for "khi nào" prefers the sentence with a date', () => {
    const question = analyse('Chợ Hòa Cầm được khởi công khi nào?');
    const p = passage(
      'Chợ Hòa Cầm được khởi công xây dựng mới với quy mô lớn, đáp ứng nhu cầu của tiểu thương. ' +
        'Công trình khởi công ngày 15/3/2018.',
    );
    const choice = chooseExcerpt(question, ranked(p));
    expect(choice!.sentence).toBe('Công trình khởi công ngày 15/3/2018.');
    expect(choice!.form).toBe(1);
  });

  it('for a question asking what was achieved, prefers the achievement over the target', () => {
    const question = analyse('Thu ngân sách đạt bao nhiêu phần trăm dự toán?');
    expect(question.intent).toBe('actual');
    const target = 'Phấn đấu thu ngân sách đạt 110% dự toán.';
    // Longer than the target: the shorter unit would win a tie.
    const actual = 'Thu ngân sách trên địa bàn quận đạt 98% dự toán.';
    expect(actual.length).toBeGreaterThan(target.length);
    for (const text of [`${target}\n${actual}`, `${actual}\n${target}`]) {
      const sentences = rankSentences(question, ranked(passage(text)));
      expect(sentences[0]!.units[sentences[0]!.unit]).toBe(actual);
    }
  });

  it('quotes the heading when it alone carries the asked rank, and never a heading without it', () => {
    const p = passage('Phát biểu kết luận hội nghị, Bí thư Quận ủy nhấn mạnh nhiều hạn chế cần khắc phục.', {
      section: 'Hội nghị Ban Chấp hành lần thứ XIV (Mở rộng)',
    });
    const choice = chooseExcerpt(analyse('hoi nghi ban chap hanh lan thu may'), ranked(p));
    expect(choice!.excerpt).toBe('Hội nghị Ban Chấp hành lần thứ XIV (Mở rộng)');
    expect(choice!.form).toBe(1);
    const undated = chooseExcerpt(analyse('Hội nghị Ban Chấp hành diễn ra khi nào?'), ranked(p));
    expect(undated!.excerpt).not.toContain('lần thứ XIV');
  });

  it('gives no coverage to a sentence without the deputy the question asks about', () => {
    const p = passage(
      'Đồng chí Huỳnh Thị Tam Thanh – Bí thư Quận ủy phát biểu. Phó Bí thư Quận ủy là đồng chí Lê Văn A.',
    );
    const deputy = rankSentences(analyse('Phó bí thư quận ủy là ai?'), ranked(p));
    const bySentence = new Map(deputy.map((s) => [s.units[s.unit], s.coverage]));
    expect(bySentence.get('Đồng chí Huỳnh Thị Tam Thanh – Bí thư Quận ủy phát biểu.')).toBe(0);
    expect(bySentence.get('Phó Bí thư Quận ủy là đồng chí Lê Văn A.')).toBeGreaterThan(0.5);
    const only = passage('Đồng chí Huỳnh Thị Tam Thanh – Bí thư Quận ủy phát biểu.');
    expect(chooseExcerpt(analyse('pho bi thu quan uy la ai'), ranked(only))!.sentenceCoverage).toBe(0);
  });

  it('returns null when there is nothing to choose from', () => {
    const question = analyse('Thu ngân sách đạt bao nhiêu?');
    expect(chooseExcerpt(question, [])).toBeNull();
    expect(chooseExcerpt(question, ranked(passage('')))).toBeNull();
    expect(chooseExcerpt(question, ranked(passage('Thu ngân sách đạt 98%.')), () => false)).toBeNull();
  });
});

describe('chooseExcerpt: neighbours', () => {
  const question = analyse('Quận thu hút được bao nhiêu dự án đầu tư?');

  it('appends the relevant neighbour of a short sentence, in reading order', () => {
    const p = passage(
      'Công tác thu hút đầu tư được quan tâm. Quận đã thu hút 12 dự án đầu tư với tổng vốn 500 tỷ đồng. Tình hình an ninh ổn định.',
    );
    const choice = chooseExcerpt(question, ranked(p));
    expect(choice!.excerpt).toBe(
      'Công tác thu hút đầu tư được quan tâm. Quận đã thu hút 12 dự án đầu tư với tổng vốn 500 tỷ đồng.',
    );
    // The scored unit is one of the two; the excerpt holds both.
    expect(choice!.excerpt).toContain(choice!.sentence);
    expect(choice!.excerpt).not.toContain('an ninh');
  });

  it('leaves out a neighbour that is not about the question', () => {
    const p = passage('Tình hình an ninh ổn định. Quận đã thu hút 12 dự án đầu tư. Phong trào văn hóa sôi nổi.');
    const choice = chooseExcerpt(question, ranked(p));
    expect(choice!.excerpt).toBe('Quận đã thu hút 12 dự án đầu tư.');
  });

  it('does not add a neighbour to a sentence of 160 characters or more', () => {
    const long =
      'Quận đã thu hút 12 dự án đầu tư với tổng vốn đăng ký khoảng 500 tỷ đồng, tập trung vào các lĩnh vực thương mại, dịch vụ, du lịch và công nghiệp hỗ trợ trên địa bàn các phường.';
    expect(long.length).toBeGreaterThanOrEqual(160);
    const choice = chooseExcerpt(question, ranked(passage(`Công tác thu hút đầu tư được quan tâm. ${long}`)));
    expect(choice!.sentence).toBe(long);
    expect(choice!.excerpt).toBe(long);
    // The same sentence, shorter, gets the neighbour.
    const short = 'Quận đã thu hút 12 dự án đầu tư với tổng vốn đăng ký khoảng 500 tỷ đồng.';
    const shortChoice = chooseExcerpt(question, ranked(passage(`Công tác thu hút đầu tư được quan tâm. ${short}`)));
    expect(shortChoice!.excerpt).toBe(`Công tác thu hút đầu tư được quan tâm. ${short}`);
  });

  it('takes a neighbour from the same passage only', () => {
    const first = passage('Quận đã thu hút 12 dự án đầu tư.');
    const second = passage('Công tác thu hút đầu tư được quan tâm.');
    const choice = chooseExcerpt(question, ranked(first, second));
    expect(choice!.passage).toBe(0);
    expect(choice!.excerpt).toBe('Quận đã thu hút 12 dự án đầu tư.');
  });
});

describe('chooseExcerpt: long sentences and length', () => {
  it('cuts a long sentence at its ";" clauses and quotes the clause that answers', () => {
    const clauses = [
      'Tập trung chỉ đạo thực hiện tốt công tác chỉnh trang đô thị, xây dựng nếp sống văn minh trên địa bàn các phường',
      'đẩy mạnh công tác giải phóng mặt bằng các dự án trọng điểm của thành phố trên địa bàn quận',
      'tỷ lệ hộ nghèo giảm còn 1,2%, đạt chỉ tiêu Nghị quyết Hội đồng nhân dân quận đề ra',
      'tiếp tục củng cố quốc phòng, giữ vững an ninh chính trị và trật tự an toàn xã hội trên địa bàn.',
    ];
    const sentence = clauses.join('; ');
    expect(sentence.length).toBeGreaterThan(260);
    const choice = chooseExcerpt(analyse('Tỷ lệ hộ nghèo giảm còn bao nhiêu phần trăm?'), ranked(passage(sentence)));
    expect(choice!.sentence).toBe(clauses[2]);
    expect(choice!.excerpt).toContain(clauses[2]);
    expect(choice!.excerpt).not.toContain(';');
  });

  it('keeps a short sentence with ";" whole', () => {
    const sentence = 'Tỷ lệ hộ nghèo giảm còn 1,2%; tỷ lệ hộ cận nghèo giảm còn 2,5%.';
    expect(readPassage(passage(sentence)).units).toEqual([sentence]);
  });

  it(`never returns an excerpt over ${MAX_EXCERPT_CHARS} characters`, () => {
    const words = Array.from({ length: 150 }, (_, i) =>
      i % 10 === 0 ? 'thu ngân sách đạt 105%' : 'và các nội dung khác',
    ).join(' ');
    const choice = chooseExcerpt(analyse('Thu ngân sách đạt bao nhiêu phần trăm?'), ranked(passage(words)));
    expect(words.length).toBeGreaterThan(MAX_EXCERPT_CHARS);
    expect(choice!.excerpt.length).toBeLessThanOrEqual(MAX_EXCERPT_CHARS);
    expect(choice!.excerpt.endsWith('…')).toBe(true);
    expect(choice!.sentence).toBe(words);
  });
});

describe('rankSentences', () => {
  const question = analyse('Thu ngân sách đạt bao nhiêu phần trăm?');

  it('scores every unit of the passages considered, best first', () => {
    const list = ranked(
      passage('Thu ngân sách đạt 98% dự toán. Tình hình an ninh ổn định.'),
      passage('Thu ngân sách được quan tâm.'),
    );
    const sentences = rankSentences(question, list);
    expect(sentences).toHaveLength(3);
    for (let i = 1; i < sentences.length; i++)
      expect(sentences[i - 1]!.score).toBeGreaterThanOrEqual(sentences[i]!.score);
    expect(sentences[0]!.units[sentences[0]!.unit]).toBe('Thu ngân sách đạt 98% dự toán.');
    expect(sentences.map((s) => s.passage).sort()).toEqual([0, 0, 1]);
  });

  it('considers the five best passages only, and only the eligible ones', () => {
    const list = ranked(
      ...Array.from({ length: 7 }, (_, i) => passage(`Thu ngân sách phường ${i} đạt ${90 + i}% dự toán.`)),
    );
    expect(new Set(rankSentences(question, list).map((s) => s.passage))).toEqual(new Set([0, 1, 2, 3, 4]));
    const odd = rankSentences(question, list, (i) => i % 2 === 1);
    expect(new Set(odd.map((s) => s.passage))).toEqual(new Set([1, 3]));
  });

  it("weighs a sentence by its passage's score relative to the best", () => {
    const same = 'Thu ngân sách đạt 98% dự toán.';
    const sentences = rankSentences(question, ranked([passage(same), 1], [passage(same), 0.5]));
    const [a, b] = [sentences.find((s) => s.passage === 0)!, sentences.find((s) => s.passage === 1)!];
    expect(b.score).toBeCloseTo(a.score / 2, 12);
  });

  it('breaks a tie by the shorter unit', () => {
    // Same terms, same form; the second only longer by words the question does not have.
    const sentences = rankSentences(
      question,
      ranked(passage('Thu ngân sách đạt 98%, một con số khả quan.\nThu ngân sách đạt 98%.')),
    );
    expect(sentences[0]!.score).toBe(sentences[1]!.score);
    expect(sentences[0]!.units[sentences[0]!.unit]).toBe('Thu ngân sách đạt 98%.');
  });
});

describe('truncate', () => {
  it('leaves a text that fits as it is', () => {
    expect(truncate('Thu ngân sách đạt 98%.', 22)).toBe('Thu ngân sách đạt 98%.');
    expect(truncate('', 5)).toBe('');
  });

  it('cuts at a space in the second half, drops trailing punctuation, ends with "…"', () => {
    expect(truncate('Thu ngân sách đạt 98%, vượt kế hoạch', 24)).toBe('Thu ngân sách đạt 98%…');
    expect(truncate('một hai ba bốn năm sáu', 12)).toBe('một hai ba…');
  });

  it('cuts inside a word when the last space is in the first half', () => {
    const out = truncate('ab ' + 'c'.repeat(20), 10);
    expect(out).toBe('ab cccccc…');
    expect(out.length).toBe(10);
  });

  it('never splits a surrogate pair', () => {
    // Without spaces the cut falls at max − 1; here that is between the halves of an emoji.
    const text = 'x'.repeat(10) + '😀'.repeat(10);
    const out = truncate(text, 12);
    expect(out).toBe('x'.repeat(10) + '…');
    expect(truncate('x'.repeat(9) + '😀'.repeat(10), 12)).toBe('x'.repeat(9) + '😀' + '…');
  });

  it('for any text: at most max characters, ends with "…" when cut, no lone surrogate, a prefix of the text', () => {
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'ư', ' ', ',', ';', '😀', '👍🏽', 'Đ'), maxLength: 80 }),
        fc.integer({ min: 2, max: 60 }),
        (text, max) => {
          const out = truncate(text, max);
          if (text.length <= max) return out === text;
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out.endsWith('…')).toBe(true);
          expect(loneSurrogate.test(out)).toBe(false);
          expect(text.startsWith(out.slice(0, -1))).toBe(true);
          return true;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('readPassage', () => {
  const p = passage('Thu ngân sách đạt 98% dự toán. Tình hình an ninh ổn định.\nPhong trào văn hóa sôi nổi.', {
    docTitle: 'Báo cáo năm 2018',
    section: 'I. Kinh tế',
  });

  it('returns the same reading for the same passage', () => {
    expect(readPassage(p)).toBe(readPassage(p));
  });

  it('reads an equal passage to an equal reading', () => {
    const copy = { ...p };
    expect(readPassage(copy)).toEqual(readPassage(p));
  });

  it('splits the passage into sentences, with per-unit terms and syllable positions', () => {
    const reading = readPassage(p);
    expect(reading.units).toEqual([
      'Thu ngân sách đạt 98% dự toán.',
      'Tình hình an ninh ổn định.',
      'Phong trào văn hóa sôi nổi.',
    ]);
    expect(reading.unitTerms).toHaveLength(reading.units.length);
    expect(reading.unitPositions).toHaveLength(reading.units.length);
    reading.units.forEach((unit, u) => {
      expect(reading.unitTerms[u]).toEqual(textTerms(unit));
      // One entry per syllable, each a form the unit's terms know, the syllable itself among them.
      const syllables = phrases(unit).flat();
      expect(reading.unitPositions[u]).toHaveLength(syllables.length);
      reading.unitPositions[u]!.forEach((forms, i) => {
        expect(forms.includes(syllables[i]!), syllables[i]).toBe(true);
      });
      for (const forms of reading.unitPositions[u]!)
        for (const f of forms) expect(reading.unitTerms[u]!.has(f), f).toBe(true);
    });
    expect(reading.unitTerms[0]!.has('ngân_sách')).toBe(true);
    expect(reading.unitTerms[0]!.has('ngan_sach')).toBe(true);
  });

  it("the passage's terms hold every unit's terms and its title and heading's", () => {
    const reading = readPassage(p);
    for (const terms of reading.unitTerms) for (const t of terms) expect(reading.terms.has(t), t).toBe(true);
    expect(reading.contextTerms).toEqual(textTerms('Báo cáo năm 2018\nI. Kinh tế'));
    for (const t of reading.contextTerms) expect(reading.terms.has(t), t).toBe(true);
    expect(reading.terms.has('báo_cáo')).toBe(true);
    expect(reading.terms.has('kinh_tế')).toBe(true);
    // The title's words are not a unit's.
    expect(reading.unitTerms.some((terms) => terms.has('báo_cáo'))).toBe(false);
  });

  it('reads no units from an empty passage', () => {
    const reading = readPassage(passage(''));
    expect(reading.units).toEqual([]);
    expect(reading.unitTerms).toEqual([]);
  });
});
