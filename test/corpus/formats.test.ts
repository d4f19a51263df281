// Reports in the formats district offices have: .docx with tables, .xlsx and .csv annexes, .doc, each
// with the Decree 30 header and footer; and the bad inputs each reader must survive.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, METADATA_SECTION } from '../../src/corpus/chunker.js';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import { parseDelimited, tableToLines } from '../../src/corpus/loaders/table-text.js';
import { Engine } from '../../src/engine.js';
import { setLogSink } from '../../src/log.js';
import { makeDoc, type DocBlock } from '../fixtures/make-doc.js';
import { makeDocx, makePdf } from '../fixtures/make-files.js';
import { budgetSheet, makeXlsx, makeXlsxBomb, type Cell } from '../fixtures/make-sheets.js';
import { FOOTER_MARKERS, footerLines, headerLines } from '../fixtures/official-report.js';

const CITATION = 'Báo cáo số 123/BC-UBND ngày 10/7/2019 của UBND quận Cẩm Lệ';
const ROW_LINE = 'Thu ngân sách nhà nước — Dự toán: 1.250 tỷ đồng — Ước thực hiện 6 tháng: 712 tỷ đồng — Tỷ lệ: 57%.';

const dirs: string[] = [];
const logs: string[] = [];
beforeAll(() => setLogSink((line) => logs.push(line)));
afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function corpus(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'formats-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

function x(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
const para = (text: string) => `<w:p><w:r><w:t xml:space="preserve">${x(text)}</w:t></w:r></w:p>`;
const cell = (lines: string[], span = 1) =>
  `<w:tc>${span > 1 ? `<w:tcPr><w:gridSpan w:val="${span}"/></w:tcPr>` : ''}${lines.map(para).join('') || '<w:p/>'}</w:tc>`;
const table = (rows: string[][][]) =>
  `<w:tbl>${rows.map((r) => `<w:tr>${r.map((c) => cell(c)).join('')}</w:tr>`).join('')}</w:tbl>`;

/** A .docx as Word users lay a report out: header and signature in borderless tables, a data table. */
async function officialDocx(): Promise<Buffer> {
  const base = await JSZip.loadAsync(await makeDocx({ paragraphs: [{ text: 'x' }] }));
  const body = [
    table([
      [['UBND QUẬN CẨM LỆ'], ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc']],
      [['Số: 123/BC-UBND'], ['Cẩm Lệ, ngày 10 tháng 7 năm 2019']],
    ]),
    para('BÁO CÁO'),
    para('Tình hình kinh tế - xã hội 6 tháng đầu năm 2019'),
    para('Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ năm 2018.'),
    para('Kết quả thu chi ngân sách 6 tháng đầu năm'),
    table([
      [['STT'], ['Nội dung'], ['Dự toán (tỷ đồng)'], ['Ước thực hiện 6 tháng (tỷ đồng)'], ['Tỷ lệ']],
      [['1'], ['Thu ngân sách nhà nước'], ['1.250'], ['712'], ['57%']],
      [['2'], ['Chi ngân sách địa phương'], ['980'], ['431'], ['44%']],
    ]),
    para('Toàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên so với dự toán thành phố giao.'),
    table([
      [
        ['Nơi nhận:', '- Thường trực Quận ủy;', '- Lưu: VT, VP.'],
        ['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', '(Đã ký)', 'Nguyễn Văn An'],
      ],
    ]),
  ].join('');
  base.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return base.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** The spreadsheet annex with the header rows above the table and the signature rows under it. */
function officialSheetRows(): Cell[][] {
  const budget = budgetSheet().rows;
  return [
    ['UBND QUẬN CẨM LỆ', null, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', null, null],
    [null, null, 'Độc lập - Tự do - Hạnh phúc', null, null],
    ['Số: 123/BC-UBND', null, 'Cẩm Lệ, ngày 10 tháng 7 năm 2019', null, null],
    ['BÁO CÁO', null, null, null, null],
    ['Tình hình thu chi ngân sách 6 tháng đầu năm 2019', null, null, null, null],
    ...budget,
    ['Nơi nhận:', null, 'TM. ỦY BAN NHÂN DÂN', null, null],
    ['- Lưu: VT.', null, 'KT. CHỦ TỊCH', null, null],
    [null, null, 'PHÓ CHỦ TỊCH', null, null],
    [null, null, 'Nguyễn Văn An', null, null],
  ];
}

function officialCsv(): string {
  const header = headerLines()
    .filter(Boolean)
    .map((l) => `"${l}"`);
  const rows = [
    'STT;Nội dung;Dự toán (tỷ đồng);Ước thực hiện 6 tháng (tỷ đồng);Tỷ lệ',
    '1;Thu ngân sách nhà nước;1.250;712;57%',
    '2;"Chi ngân sách; địa phương";980;431;44%',
  ];
  const footer = footerLines()
    .filter(Boolean)
    .map((l) => `"${l}"`);
  return '\uFEFF' + [...header, ...rows, ...footer].join('\r\n');
}

describe('tables as rows with their headers', () => {
  it('carries title, headers, units, and skips the ordinal column', () => {
    const lines = tableToLines({
      title: null,
      rows: budgetSheet().rows.map((r) =>
        r.map((c) =>
          c === null
            ? ''
            : typeof c === 'object'
              ? 'percent' in c && !('formula' in c)
                ? `${c.percent * 100}%`
                : String((c as { value: number }).value)
              : typeof c === 'number'
                ? c.toLocaleString('vi-VN')
                : c,
        ),
      ),
    });
    expect(lines[0]).toBe('## THU CHI NGÂN SÁCH 6 THÁNG ĐẦU NĂM 2019');
    expect(lines[1]).toMatch(
      /^Thu ngân sách nhà nước — Dự toán: 1\.250 tỷ đồng — Ước thực hiện 6 tháng: 712 tỷ đồng — Tỷ lệ: /,
    );
  });

  it('splits delimited text with quotes, embedded delimiters and a row cap', () => {
    expect(parseDelimited('a;b\n"x; y";"say ""hi"""\n', 10).rows).toEqual([
      ['a', 'b'],
      ['x; y', 'say "hi"'],
    ]);
    const capped = parseDelimited('h1,h2\n' + '1,2\n'.repeat(50), 10);
    expect(capped.rows).toHaveLength(10);
    expect(capped.truncated).toBe(true);
  });
});

describe('every format with the official header', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await corpus({
      'bc-bang.docx': await officialDocx(),
      'phu-luc.xlsx': await makeXlsx([{ name: 'Biểu 01', rows: officialSheetRows(), merges: ['A6:E6'] }]),
      'phu-luc.csv': officialCsv(),
    });
  });

  it('reads title, number, date and issuer; rows keep their headers; no header or signature in passages', async () => {
    const loaded = await loadCorpus(dir);
    expect(loaded.skipped).toEqual([]);
    expect(loaded.documents).toHaveLength(3);
    for (const doc of loaded.documents) {
      expect(doc.title, doc.source).toBe(CITATION);
      expect(doc.date).toBe('10/7/2019');
      expect(doc.official).toMatchObject({
        number: '123/BC-UBND',
        issuerName: 'UBND quận Cẩm Lệ',
        signerName: 'Nguyễn Văn An',
      });
      expect(doc.text, doc.source).toContain(ROW_LINE);
      const passages = chunkDocument(doc);
      for (const p of passages.filter((q) => q.section !== METADATA_SECTION)) {
        for (const m of FOOTER_MARKERS) expect(p.text, `${doc.source}: ${p.text}`).not.toMatch(m);
        expect(p.text).not.toContain('Nguyễn Văn An');
      }
    }
    const xlsx = loaded.documents.find((d) => d.source === 'phu-luc.xlsx')!;
    expect(chunkDocument(xlsx).find((p) => p.text.includes(ROW_LINE))!.section).toBe(
      'THU CHI NGÂN SÁCH 6 THÁNG ĐẦU NĂM 2019',
    );
    const docx = loaded.documents.find((d) => d.source === 'bc-bang.docx')!;
    expect(chunkDocument(docx).find((p) => p.text.includes(ROW_LINE))!.section).toBe(
      'Kết quả thu chi ngân sách 6 tháng đầu năm',
    );
    const csv = loaded.documents.find((d) => d.source === 'phu-luc.csv')!;
    expect(csv.text).toContain('Chi ngân sách; địa phương — Dự toán: 980 tỷ đồng');
  });

  it('answers a question about a table row with the row and the official citation, and who signed', async () => {
    const engine = await Engine.open({
      corpusDir: dir,
      indexDir: path.join(dir, '.index'),
      searchMode: 'lexical',
      embedder: null,
    });
    const answer = await engine.ask('Dự toán thu ngân sách nhà nước là bao nhiêu?');
    expect(answer.answered).toBe(true);
    expect(answer.excerpt).toContain('Thu ngân sách nhà nước — Dự toán: 1.250 tỷ đồng');
    expect(answer.citation?.title).toBe(CITATION);
    const signer = await engine.ask('ai ký báo cáo?');
    expect(signer.answered).toBe(true);
    expect(signer.excerpt).toContain('PHÓ CHỦ TỊCH Nguyễn Văn An');
    for (const q of ['nơi nhận báo cáo', 'thường trực quận ủy', 'lưu VT']) {
      const a = await engine.ask(q);
      for (const m of FOOTER_MARKERS) expect(a.excerpt).not.toMatch(m);
    }
  });
});

describe('bad inputs', () => {
  it('reads a .docx saved under a .doc name as the .docx it is; refuses a .doc that is text, an .xls, random bytes', async () => {
    const ole = Buffer.alloc(2048);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    const dir = await corpus({
      'that-la-docx.doc': await makeDocx({
        paragraphs: [{ text: 'Báo cáo kết quả tiếp dân quý I năm 2019 của quận.' }],
      }),
      'van-ban.doc': 'Chỉ là văn bản thường, không phải Word.',
      'hong.doc': ole,
      'rac.doc': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 251)),
    });
    const loaded = await loadCorpus(dir);
    expect(loaded.documents.map((d) => d.source)).toEqual(['that-la-docx.doc']);
    const reasons = Object.fromEntries(loaded.skipped.map((s) => [s.source, s.reason]));
    expect(reasons['van-ban.doc']).toMatch(/not a valid \.doc/);
    expect(reasons['rac.doc']).toMatch(/not a valid \.doc/);
    expect(reasons['hong.doc']).toMatch(/\.doc/);
  });

  it('titles a sheet without an official header by its table title, not a markdown heading', async () => {
    const dir = await corpus({
      'phu-luc.xlsx': await makeXlsx([budgetSheet()]),
      'bang.csv': 'Chỉ tiêu,Kết quả\nSố hộ nghèo giảm,120 hộ\n',
    });
    const titles = (await loadCorpus(dir)).documents.map((d) => d.title);
    expect(titles).toEqual(['bang', 'THU CHI NGÂN SÁCH 6 THÁNG ĐẦU NĂM 2019']);
  });

  it('refuses an .xlsx zip bomb before inflating it, and an .xls named .xlsx', async () => {
    const ole = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    const dir = await corpus({
      'bom.xlsx': await makeXlsxBomb(120 * 1024 * 1024),
      'cu.xlsx': ole,
      'ok.csv': 'Chỉ tiêu,Kết quả\nSố hộ nghèo giảm,120 hộ\n',
    });
    const loaded = await loadCorpus(dir);
    expect(loaded.documents.map((d) => d.source)).toEqual(['ok.csv']);
    const reasons = Object.fromEntries(loaded.skipped.map((s) => [s.source, s.reason]));
    expect(reasons['bom.xlsx']).toMatch(/zip bomb/);
    expect(reasons['cu.xlsx']).toMatch(/Excel 97-2003 \.xls.*save it as \.xlsx/);
  });

  it('reads a 100,000-row sheet with merged cells and formulas up to its row cap', async () => {
    const rows: Cell[][] = [
      ['DANH SÁCH HỘ KINH DOANH', null, null],
      ['Tên hộ', 'Phường', 'Thuế (triệu đồng)'],
    ];
    for (let i = 0; i < 100_000; i++)
      rows.push([
        `Hộ kinh doanh số ${i + 1}`,
        i % 2 ? 'Hòa Thọ Đông' : 'Khuê Trung',
        { formula: `C${i + 2}+1`, value: (i % 50) + 1 },
      ]);
    const dir = await corpus({
      'lon.xlsx': await makeXlsx([{ name: 'DS', rows, merges: ['A1:C1'] }]),
      'ok.csv': 'Chỉ tiêu,Kết quả\nSố hộ nghèo giảm,120 hộ\n',
    });
    const loaded = await loadCorpus(dir);
    expect(loaded.skipped).toEqual([]);
    const doc = loaded.documents.find((d) => d.source === 'lon.xlsx')!;
    const lines = doc.text.split('\n').filter((l) => l.startsWith('Hộ kinh doanh số'));
    expect(lines[0]).toBe('Hộ kinh doanh số 1 — Phường: Khuê Trung — Thuế: 1 triệu đồng.');
    expect(lines.length).toBeLessThan(20_000);
    expect(lines.length).toBeGreaterThan(19_000);
    expect(logs.some((l) => l.includes('lon.xlsx: only the first rows'))).toBe(true);
  });
});

describe('.doc (Word 97-2003)', () => {
  it('reads an old Word report with the official header and a table', async () => {
    const blocks: DocBlock[] = [
      ...headerLines().filter(Boolean),
      'Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ năm 2018.',
      'Kết quả thu chi ngân sách 6 tháng đầu năm',
      {
        table: [
          ['STT', 'Nội dung', 'Dự toán (tỷ đồng)', 'Ước thực hiện 6 tháng (tỷ đồng)', 'Tỷ lệ'],
          ['1', 'Thu ngân sách nhà nước', '1.250', '712', '57%'],
          ['2', 'Chi ngân sách địa phương', '980', '', '44%'],
        ],
      },
      'Toàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên so với dự toán thành phố giao.',
      ...footerLines().filter(Boolean),
    ];
    const dir = await corpus({ 'bc-cu.doc': makeDoc(blocks) });
    const loaded = await loadCorpus(dir);
    expect(loaded.skipped).toEqual([]);
    const doc = loaded.documents[0]!;
    expect(doc.title).toBe(CITATION);
    expect(doc.official).toMatchObject({
      number: '123/BC-UBND',
      date: '10/7/2019',
      issuerName: 'UBND quận Cẩm Lệ',
      signerName: 'Nguyễn Văn An',
    });
    expect(doc.text).toContain(ROW_LINE);
    expect(doc.text).toContain('Chi ngân sách địa phương — Dự toán: 980 tỷ đồng — Tỷ lệ: 44%.');
    for (const p of chunkDocument(doc).filter((q) => q.section !== METADATA_SECTION))
      for (const m of FOOTER_MARKERS) expect(p.text).not.toMatch(m);
  });

  it('refuses a .doc whose Word stream is damaged, with a reason', async () => {
    const doc = makeDoc(['Một đoạn văn bản.']);
    doc.writeUInt16LE(0x1234, 512 * 3); // the FIB's magic number (sector 2, after the header)
    const dir = await corpus({ 'hong.doc': doc });
    expect((await loadCorpus(dir)).skipped[0]!.reason).toMatch(/\.doc/);
  });
});

describe('tables in PDF', () => {
  it('keeps a table row with its headers instead of a run of cells', async () => {
    const pdf = makePdf({
      unicode: true,
      pages: [
        [
          'Kết quả thu chi ngân sách 6 tháng đầu năm',
          'Nội dung\tDự toán (tỷ đồng)\tƯớc thực hiện\tTỷ lệ\nThu ngân sách nhà nước\t1.250\t712\t57%\nChi ngân sách địa phương\t980\t431\t44%',
          'Toàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên so với dự toán thành phố giao.',
        ],
      ],
    });
    const dir = await corpus({ 'bang.pdf': pdf });
    const loaded = await loadCorpus(dir);
    expect(loaded.skipped).toEqual([]);
    expect(loaded.documents[0]!.text).toContain(
      'Thu ngân sách nhà nước — Dự toán: 1.250 tỷ đồng — Ước thực hiện: 712 — Tỷ lệ: 57%.',
    );
    expect(loaded.documents[0]!.text).toContain('Toàn quận phấn đấu cuối năm');
  });
});
