// "Ai viết báo cáo này?": the byline a report ends with, read off the document.
import { describe, expect, it } from 'vitest';
import { asksWhoWrote, bylineOf } from '../../src/answer/byline.js';
import type { Passage } from '../../src/corpus/types.js';
import { analyseQuestion, type QuestionContext } from '../../src/question/analyse.js';
import { builtInThesaurus } from '../../src/question/synonyms.js';

const context: QuestionContext = {
  idf: () => 1,
  correctSpelling: (text) => text,
  thesaurus: builtInThesaurus(),
  newestYear: 2018,
  placeNames: [['cam', 'le']],
};
const asks = (q: string) => asksWhoWrote(analyseQuestion(q, context));

const passage = (source: string, position: number, text: string): Passage => ({
  id: `${source}#${position}`,
  docTitle: 'Báo cáo',
  date: '2018',
  section: null,
  source,
  position,
  text,
});

describe('who wrote the report', () => {
  it('is asked as "ai viết", "tác giả", or "bài … của ai", with or without diacritics', () => {
    for (const q of [
      'ai viết bài báo cáo này',
      'bai viet nay cua ai',
      'bai bao cao nay ai viet vay?',
      'Tác giả báo cáo?',
    ])
      expect(asks(q), q).toBe(true);
    for (const q of ['trách nhiệm này của ai', 'Ai là Bí thư Quận ủy?', 'viet nam co bao nhieu tinh'])
      expect(asks(q), q).toBe(false);
  });

  it("is the document's last line when it is a name alone, else nothing", () => {
    const report = [
      passage('a.txt', 0, 'Tổng thu ngân sách đạt 57%.'),
      passage('a.txt', 1, 'Quận phấn đấu vượt 15%.\n\nHồng Hạnh'),
    ];
    expect(bylineOf(report, 'a.txt')).toMatchObject({ byline: 'Hồng Hạnh', passage: report[1] });
    const unsigned = [
      passage('b.txt', 0, 'Quận phấn đấu vượt 15%.'),
      passage('b.txt', 1, 'Hội nghị Ban Chấp hành lần thứ XIV'),
    ];
    expect(bylineOf(unsigned, 'b.txt')).toBeNull();
    expect(bylineOf(report, 'missing.txt')).toBeNull();
  });
});
