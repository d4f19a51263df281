// Questions about the report itself: who wrote it (the byline it ends with) and which period it covers.
import { describe, expect, it } from 'vitest';
import { aboutTheReport, bylineOf } from '../../src/answer/about-report.js';
import { analyse, passage } from './helpers.js';

const asks = (q: string) => aboutTheReport(analyse(q)) === 'writer';
const asksPeriod = (q: string) => aboutTheReport(analyse(q)) === 'period';

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
      passage('Tổng thu ngân sách đạt 57%.', { source: 'a.txt', position: 0 }),
      passage('Quận phấn đấu vượt 15%.\n\nHồng Hạnh', { source: 'a.txt', position: 1 }),
    ];
    expect(bylineOf(report, 'a.txt')).toMatchObject({ byline: 'Hồng Hạnh', passage: report[1] });
    const unsigned = [
      passage('Quận phấn đấu vượt 15%.', { source: 'b.txt', position: 0 }),
      passage('Hội nghị Ban Chấp hành lần thứ XIV', { source: 'b.txt', position: 1 }),
    ];
    expect(bylineOf(unsigned, 'b.txt')).toBeNull();
    expect(bylineOf(report, 'missing.txt')).toBeNull();
  });

  it('asks which period the report covers as "báo cáo này … giai đoạn / khoảng thời gian nào"', () => {
    for (const q of ['Báo cáo này nói về khoảng thời gian nào?', 'bao cao nay noi ve giai doan nao vay'])
      expect(asksPeriod(q), q).toBe(true);
    for (const q of ['Thu ngân sách giai đoạn nào tăng?', 'Báo cáo này nói gì về an ninh?'])
      expect(asksPeriod(q), q).toBe(false);
  });
});
