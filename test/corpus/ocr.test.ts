// Scanned PDFs made in the test from the seed report's text (ImageMagick draws it at 200 dpi with a
// slight rotation and noise) are read by OCR. Needs tesseract-ocr, tesseract-ocr-vie, poppler-utils and
// imagemagick (installed by .ci/run); without them these tests are skipped and say why.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, METADATA_SECTION, SCANNED_MARK } from '../../src/corpus/chunker.js';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import { OCR_PACKAGES, resetOcrAvailability } from '../../src/corpus/loaders/ocr.js';
import { Engine } from '../../src/engine.js';
import { setLogSink } from '../../src/log.js';
import { DEFAULT_PARTS, FOOTER_MARKERS, footerLines, headerLines } from '../fixtures/official-report.js';
import { makeDoc } from '../fixtures/make-doc.js';
import { makeDocx, makePdf } from '../fixtures/make-files.js';
import { budgetSheet, makeXlsx } from '../fixtures/make-sheets.js';
import {
  characterErrorRate,
  makeImagePdf,
  noiseImage,
  renderPage,
  scanToolsAvailable,
  wrapText,
} from '../fixtures/scans.js';

const available = scanToolsAvailable();
if (!available) console.warn(`OCR tests skipped: install ${OCR_PACKAGES} imagemagick (see .ci/run)`);

const BODY = [
  'Tổng thu ngân sách ước đạt gần 57% so với dự toán. Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ năm 2017.',
  'Toàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên so với dự toán thành phố giao.',
];
const SCAN_LINES = wrapText([...headerLines(), ...BODY, ...footerLines()].join('\n'), 60);
const BODY_LINES = wrapText(BODY.join('\n'), 60).filter((l) => l !== '');
const DPI = 200;
// OCR is bounded by its own budgets; on a busy shared machine a page can take tens of seconds.
const OCR_TEST_TIMEOUT = 300_000;

const dirs: string[] = [];
const logs: string[] = [];
let scanPdf: Buffer;

beforeAll(() => {
  setLogSink((line) => logs.push(line));
  if (available)
    scanPdf = makeImagePdf([renderPage(SCAN_LINES, { dpi: DPI, angle: 0.6, noise: 0.3, fitHeight: true })]);
});
afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function corpus(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-corpus-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

describe.skipIf(!available)('scanned PDF by OCR', () => {
  it(
    'reads a scan of an official report: header, usable text, citation marked as a scan',
    async () => {
      const dir = await corpus({
        'bc-scan.pdf': scanPdf,
        'ghi-chu.txt': 'Ghi chú về lịch tiếp dân của quận vào thứ năm hằng tuần.',
      });
      const progress: number[] = [];
      const loaded = await loadCorpus(dir, { ocr: { dpi: DPI, onProgress: (done) => progress.push(done) } });
      expect(loaded.skipped).toEqual([]);
      const doc = loaded.documents.find((d) => d.source === 'bc-scan.pdf')!;
      expect(doc.scanned).toBe(true);
      expect(doc.title).toBe('Báo cáo số 123/BC-UBND ngày 10/7/2019 của UBND quận Cẩm Lệ');
      expect(doc.date).toBe('10/7/2019');
      expect(progress).toEqual([1]);
      // The body as OCR read it, against the body as drawn: usable text, not a guess.
      const cer = characterErrorRate(BODY_LINES.join(' '), doc.text);
      expect(cer).toBeLessThan(0.05);
      const passages = chunkDocument(doc);
      for (const p of passages) expect(p.docTitle.endsWith(SCANNED_MARK)).toBe(true);
      for (const p of passages.filter((q) => q.section !== METADATA_SECTION))
        for (const m of FOOTER_MARKERS) expect(p.text).not.toMatch(m);
    },
    OCR_TEST_TIMEOUT,
  );

  it(
    'skips an image-only PDF with no text on it, with a reason',
    async () => {
      const dir = await corpus({
        'anh.pdf': makeImagePdf([noiseImage(300, 200, 100), noiseImage(300, 200, 100, 9)]),
        'ghi-chu.txt': 'Ghi chú về lịch tiếp dân của quận.',
      });
      const loaded = await loadCorpus(dir, { ocr: { dpi: 150 } });
      expect(loaded.documents.map((d) => d.source)).toEqual(['ghi-chu.txt']);
      expect(loaded.skipped).toEqual([
        { source: 'anh.pdf', reason: expect.stringMatching(/OCR found no readable Vietnamese text/) },
      ]);
    },
    OCR_TEST_TIMEOUT,
  );

  it(
    'reads a 300-page scan within its page cap, with progress, and the rest of the corpus loads',
    async () => {
      const pages = [renderPage(wrapText(BODY[1]!, 60), { dpi: 150, angle: 0.3, noise: 0.2, fitHeight: true })];
      for (let i = 1; i < 300; i++) pages.push(noiseImage(60, 40, 72, i));
      const dir = await corpus({ 'dai.pdf': makeImagePdf(pages), 'ghi-chu.txt': 'Ghi chú về lịch tiếp dân của quận.' });
      const progress: Array<[number, number]> = [];
      const loaded = await loadCorpus(dir, {
        ocr: { dpi: 150, maxPages: 5, onProgress: (d, t) => progress.push([d, t]) },
      });
      expect(loaded.documents.map((d) => d.source).sort()).toEqual(['dai.pdf', 'ghi-chu.txt']);
      expect(progress).toEqual([
        [1, 5],
        [2, 5],
        [3, 5],
        [4, 5],
        [5, 5],
      ]);
      expect(loaded.documents.find((d) => d.source === 'dai.pdf')!.text).toMatch(/thu ngân sách/);
      expect(
        logs.some((l) => l.includes('dai.pdf: 295 of 299 scanned page(s) not read') || l.includes('not read by OCR')),
      ).toBe(true);
    },
    OCR_TEST_TIMEOUT,
  );

  it(
    'gives up a page past its time budget and says so',
    async () => {
      const dir = await corpus({ 'bc-scan.pdf': scanPdf });
      const loaded = await loadCorpus(dir, { ocr: { dpi: DPI, pageTimeoutMs: 1 } });
      expect(loaded.skipped[0]?.reason).toMatch(/OCR found no readable/);
      expect(logs.some((l) => /OCR skipped page 1 of bc-scan\.pdf: .*longer than 1 ms/.test(l))).toBe(true);
    },
    OCR_TEST_TIMEOUT,
  );
});

describe.skipIf(!available)('a corpus holding one of each format', () => {
  it(
    'loads every file (the scan by OCR) through the engine and answers from them',
    async () => {
      const dir = await corpus({
        'a.txt': `${headerLines({ ...DEFAULT_PARTS, number: '77/BC-UBND' }).join('\n')}\nCông tác giảm nghèo: số hộ nghèo giảm 120 hộ so với đầu năm.\n${footerLines().join('\n')}`,
        'b.md': '# Kế hoạch tiếp dân\n\nLịch tiếp công dân của quận vào thứ năm hằng tuần.',
        'c.docx': await makeDocx({
          paragraphs: [{ text: 'Báo cáo công tác cải cách hành chính quý I năm 2019 của quận.' }],
        }),
        'd.doc': makeDoc([
          'Báo cáo kết quả giảm nghèo năm 2019 của quận.',
          {
            table: [
              ['Chỉ tiêu', 'Kết quả'],
              ['Số hộ nghèo giảm', '120 hộ'],
            ],
          },
        ]),
        'e.xlsx': await makeXlsx([budgetSheet()]),
        'f.csv': 'Chỉ tiêu,Kết quả\nSố hộ cận nghèo giảm,80 hộ\n',
        'g.pdf': makePdf({
          unicode: true,
          pages: [['Thông báo lịch tiêm chủng mở rộng tại các phường trong tháng 7.']],
        }),
        'h-scan.pdf': scanPdf,
      });
      // Through the engine, as the bot loads it: every document indexed, and the scan answers questions.
      const engine = await Engine.open({
        corpusDir: dir,
        indexDir: path.join(dir, '.index'),
        searchMode: 'lexical',
        embedder: null,
        ocr: { dpi: DPI, pageTimeoutMs: 120_000 },
      });
      expect(engine.status().documents.map((d) => d.source)).toEqual([
        'a.txt',
        'b.md',
        'c.docx',
        'd.doc',
        'e.xlsx',
        'f.csv',
        'g.pdf',
        'h-scan.pdf',
      ]);
      const answer = await engine.ask('Tổng thu ngân sách ước đạt bao nhiêu so với dự toán?');
      expect(answer.answered).toBe(true);
      expect(answer.excerpt).toMatch(/57\s*%/);
      expect(answer.citation?.title).toBe(`Báo cáo số 123/BC-UBND ngày 10/7/2019 của UBND quận Cẩm Lệ ${SCANNED_MARK}`);
      for (const m of FOOTER_MARKERS) expect(answer.excerpt).not.toMatch(m);
      const scanned = await engine.ask(
        'Toàn quận phấn đấu cuối năm thu ngân sách vượt bao nhiêu so với dự toán thành phố giao?',
      );
      expect(scanned.answered).toBe(true);
      expect(scanned.excerpt).toMatch(/15\s*%/);
      expect(scanned.citation?.title).toContain(SCANNED_MARK);
      await engine.close();
    },
    OCR_TEST_TIMEOUT,
  );
});

describe.skipIf(!available)('without OCR installed', () => {
  it(
    'skips a scanned PDF naming the packages to install',
    async () => {
      const dir = await corpus({ 'bc-scan.pdf': scanPdf, 'ghi-chu.txt': 'Ghi chú về lịch tiếp dân của quận.' });
      const savedPath = process.env.PATH;
      process.env.PATH = dir; // no tesseract, no pdftoppm
      resetOcrAvailability();
      try {
        const loaded = await loadCorpus(dir);
        expect(loaded.documents.map((d) => d.source)).toEqual(['ghi-chu.txt']);
        expect(loaded.skipped[0]!.reason).toContain('tesseract-ocr tesseract-ocr-vie poppler-utils');
        // What /docs lists before any /reload: the engine's skipped files from its start-up build.
        const engine = await Engine.open({
          corpusDir: dir,
          indexDir: path.join(dir, '.index'),
          searchMode: 'lexical',
          embedder: null,
        });
        expect(engine.skippedFiles()).toEqual([
          {
            source: 'bc-scan.pdf',
            reason: expect.stringContaining(
              'install the Debian packages tesseract-ocr tesseract-ocr-vie poppler-utils',
            ),
          },
        ]);
        await engine.close();
      } finally {
        process.env.PATH = savedPath;
        resetOcrAvailability();
      }
    },
    OCR_TEST_TIMEOUT,
  );
});
