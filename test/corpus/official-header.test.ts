import { describe, expect, it } from 'vitest';
import { chunkDocument, METADATA_SECTION } from '../../src/corpus/chunker.js';
import { issuerAsName, metadataText, officialCitation, parseOfficialLayout } from '../../src/corpus/official-header.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { FOOTER_MARKERS, officialReport, SEED_TEXT } from '../fixtures/official-report.js';

const BODY =
  'Tổng thu ngân sách ước đạt gần 57% so với dự toán.\n\nToàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên.';

describe('Decree 30 header and footer', () => {
  it('reads issuer, number, place and date, type, summary, signer from the usual layout', () => {
    const layout = parseOfficialLayout(officialReport(BODY.split('\n\n')));
    expect(layout).not.toBeNull();
    expect(layout!.header).toMatchObject({
      issuer: 'UBND QUẬN CẨM LỆ',
      issuerName: 'UBND quận Cẩm Lệ',
      number: '123/BC-UBND',
      place: 'Cẩm Lệ',
      date: '10/7/2019',
      type: 'Báo cáo',
      summary: 'Tình hình kinh tế - xã hội 6 tháng đầu năm 2019',
      signerTitles: ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'],
      signerName: 'Nguyễn Văn An',
    });
    expect(layout!.header.recipients).toEqual(['Thường trực Quận ủy', 'Lưu: VT, VP']);
    expect(layout!.body).toBe(BODY);
    expect(officialCitation(layout!.header)).toBe('Báo cáo số 123/BC-UBND ngày 10/7/2019 của UBND quận Cẩm Lệ');
  });

  it('reads the two columns flattened onto shared lines, as PDF and OCR give them', () => {
    const text = [
      'ỦY BAN NHÂN DÂN CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'QUẬN CẨM LỆ Độc lập – Tự do – Hạnh phúc',
      'Số: 45/BC-UBND Cẩm Lệ, ngày 3 tháng 1 năm 2020',
      'BÁO CÁO',
      'Kết quả thu ngân sách',
      'năm 2019',
      BODY,
      'Nơi nhận: TM. ỦY BAN NHÂN DÂN',
      '- Như trên; KT. CHỦ TỊCH',
      '- Lưu: VT. PHÓ CHỦ TỊCH',
      'Trần Thị Bình',
    ].join('\n');
    const layout = parseOfficialLayout(text)!;
    expect(layout.header).toMatchObject({
      issuerName: 'UBND quận Cẩm Lệ',
      number: '45/BC-UBND',
      date: '3/1/2020',
      summary: 'Kết quả thu ngân sách năm 2019',
      signerTitles: ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'],
      signerName: 'Trần Thị Bình',
    });
    expect(layout.body).toBe(BODY);
  });

  it('reads unaccented and upper-case variants (old fonts, OCR without the model)', () => {
    const unaccented = foldDiacritics(officialReport(BODY.split('\n\n'))).replace('Nguyen Van An', 'NGUYEN VAN AN');
    const layout = parseOfficialLayout(unaccented)!;
    expect(layout.header).toMatchObject({
      number: '123/BC-UBND',
      date: '10/7/2019',
      type: 'Báo cáo',
      issuerName: 'UBND quan Cam Le',
      signerName: 'Nguyen Van An',
    });
    expect(layout.body).toBe(foldDiacritics(BODY));
    const upper = officialReport(BODY.split('\n\n'))
      .replace('Số:', 'SỐ:')
      .replace('Cẩm Lệ, ngày', 'CẨM LỆ, NGÀY')
      .replace(/tháng/g, 'THÁNG')
      .replace(/ năm 2019$/m, ' NĂM 2019');
    expect(parseOfficialLayout(upper)!.header).toMatchObject({ number: '123/BC-UBND', date: '10/7/2019' });
  });

  it('does not take a body line starting with an abbreviation for the signature block', () => {
    const body =
      'Tổng thu ngân sách ước đạt gần 57% so với dự toán.\nQ. Cẩm Lệ tiếp tục đẩy mạnh cải cách hành chính trong quý III.';
    const layout = parseOfficialLayout(officialReport(body.split('\n')))!;
    expect(layout.body).toContain('Q. Cẩm Lệ tiếp tục đẩy mạnh cải cách hành chính');
    expect(layout.header.signerName).toBe('Nguyễn Văn An');
  });

  it('leaves a text without the layout alone', () => {
    expect(parseOfficialLayout(SEED_TEXT)).toBeNull();
    expect(parseOfficialLayout('BÁO CÁO\nMột ghi chú ngắn.')).toBeNull();
  });

  it('names the issuer as a sentence would', () => {
    expect(issuerAsName('ỦY BAN NHÂN DÂN QUẬN CẨM LỆ')).toBe('UBND quận Cẩm Lệ');
    expect(issuerAsName('UBND THÀNH PHỐ ĐÀ NẴNG')).toBe('UBND thành phố Đà Nẵng');
    expect(issuerAsName('PHÒNG TÀI CHÍNH - KẾ HOẠCH')).toBe('Phòng Tài chính - Kế hoạch');
  });

  it('keeps header, recipients and signature out of passages; the particulars are one metadata passage', () => {
    const layout = parseOfficialLayout(officialReport())!;
    const passages = chunkDocument({
      title: officialCitation(layout.header)!,
      date: layout.header.date!,
      source: 'bc.txt',
      text: layout.body,
      official: layout.header,
    });
    const body = passages.filter((p) => p.section !== METADATA_SECTION);
    expect(body.length).toBeGreaterThan(0);
    for (const p of body) for (const marker of FOOTER_MARKERS) expect(p.text).not.toMatch(marker);
    const meta = passages.filter((p) => p.section === METADATA_SECTION);
    expect(meta).toHaveLength(1);
    expect(meta[0]!.text).toContain(
      'Người ký báo cáo: PHÓ CHỦ TỊCH Nguyễn Văn An, ký thay CHỦ TỊCH, thay mặt ỦY BAN NHÂN DÂN.',
    );
    expect(meta[0]!.text).not.toMatch(/Nơi nhận|TM\.|KT\./);
    expect(metadataText(layout.header)).toContain('Số, ký hiệu: 123/BC-UBND.');
  });
});
