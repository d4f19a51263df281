import { describe, expect, it } from 'vitest';
import { chunkDocument, DEFAULT_CHUNK_OPTIONS } from '../../src/corpus/chunker.js';
import type { SourceDocument } from '../../src/corpus/types.js';

function doc(text: string): SourceDocument {
  return { title: 'Tài liệu', date: '2018', source: 'tai-lieu.txt', text };
}

describe('chunkDocument', () => {
  it('splits a law by articles and keeps the article heading as the section', () => {
    const passages = chunkDocument(
      doc(
        'Luật Du lịch\n\nChương I\nNHỮNG QUY ĐỊNH CHUNG\n\nĐiều 1. Phạm vi điều chỉnh\nLuật này quy định về tài nguyên du lịch.\n\n' +
          'Điều 2. Đối tượng áp dụng\n1. Cơ quan, tổ chức, cá nhân Việt Nam.\n2. Tổ chức, cá nhân nước ngoài.',
      ),
    );
    expect(passages.map((p) => p.section)).toEqual(['Điều 1. Phạm vi điều chỉnh', 'Điều 2. Đối tượng áp dụng']);
    // "1." inside an article is a clause, not a heading.
    expect(passages[1]!.text).toBe('1. Cơ quan, tổ chức, cá nhân Việt Nam.\n2. Tổ chức, cá nhân nước ngoài.');
    expect(passages.map((p) => p.id)).toEqual(['tai-lieu.txt#0', 'tai-lieu.txt#1']);
    expect(passages[0]).toMatchObject({ docTitle: 'Tài liệu', date: '2018', source: 'tai-lieu.txt', position: 0 });
  });

  it('uses report headings: roman numerals, numbered titles, markdown and short title lines', () => {
    const passages = chunkDocument(
      doc(
        '# Báo cáo\n\nI. Kinh tế\nTổng thu ngân sách đạt 57%.\n\n1. Thu hút đầu tư\nĐầu tư chưa có chiều sâu.\n\nAn ninh trật tự\nỔn định.\n\nHồng Hạnh',
      ),
    );
    expect(passages.map((p) => [p.section, p.text])).toEqual([
      ['I. Kinh tế', 'Tổng thu ngân sách đạt 57%.'],
      ['1. Thu hút đầu tư', 'Đầu tư chưa có chiều sâu.'],
      // The last line (a byline) is not a heading.
      ['An ninh trật tự', 'Ổn định.\nHồng Hạnh'],
    ]);
  });

  it('cuts long sections on sentence boundaries under the size limit', () => {
    const sentence = 'Toàn quận phấn đấu thu ngân sách vượt từ 15,5% trở lên so với dự toán của TP. Đà Nẵng giao. ';
    const passages = chunkDocument(doc('Điều 3. Dài\n' + sentence.repeat(60)));
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(DEFAULT_CHUNK_OPTIONS.maxChars);
      expect(p.section).toBe('Điều 3. Dài');
      expect(p.text.startsWith('Toàn quận')).toBe(true);
      expect(p.text.endsWith('giao.')).toBe(true);
    }
  });

  it('cuts a single enormous sentence at spaces', () => {
    const passages = chunkDocument(doc('chữ '.repeat(3000)));
    expect(passages.length).toBeGreaterThan(3);
    for (const p of passages) expect(p.text.length).toBeLessThanOrEqual(DEFAULT_CHUNK_OPTIONS.maxChars);
  });

  it('gives nothing for an empty document', () => {
    expect(chunkDocument(doc(''))).toEqual([]);
  });
});
