import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrontMatter } from '../../src/corpus/front-matter.js';
import {
  loadCorpus,
  readDocumentFile,
  SUPPORTED_EXTENSIONS,
  UnreadableFileError,
} from '../../src/corpus/load-corpus.js';
import { detectContent } from '../../src/corpus/loaders/detect.js';
import { setLogSink } from '../../src/log.js';
import { makeCorruptPdf, makeDocx, makePdf, makeZipBombDocx, withDeclaredSize } from '../fixtures/make-files.js';
import { REPO_CORPUS, SEED_FILE, SEED_PATH } from '../fixtures/seed-report.js';

const tempDirs: string[] = [];
async function tempDir(files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'corpus-loaders-'));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const logLines: string[] = [];
let zipBomb: Buffer;

beforeAll(async () => {
  setLogSink((line) => logLines.push(line));
  zipBomb = await makeZipBombDocx(); // 200 MB of zeros, ~0.9 MB on disk; the slow part of this file
});

afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'));
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const isNfc = (text: string) => text === text.normalize('NFC');

describe('parseFrontMatter', () => {
  it('reads title and date, with or without quotes, and returns the rest as body', () => {
    expect(parseFrontMatter('---\ntitle: "Báo cáo quý I"\ndate: \'2019-04\'\n---\nNội dung')).toEqual({
      title: 'Báo cáo quý I',
      date: '2019-04',
      body: 'Nội dung',
    });
    expect(parseFrontMatter('\uFEFF---\r\nTitle: A\r\n---\r\nB').title).toBe('A');
  });

  it('leaves text alone when the block is not closed or is really a horizontal rule', () => {
    expect(parseFrontMatter('---\ntitle: A\nNội dung')).toEqual({ body: '---\ntitle: A\nNội dung' });
    const rule = '---\nMột đoạn văn bình thường.\n---\nTiếp';
    expect(parseFrontMatter(rule)).toEqual({ body: rule });
    expect(parseFrontMatter('Không có header')).toEqual({ body: 'Không có header' });
  });
});

describe('detectContent', () => {
  it('tells formats apart by their bytes', () => {
    expect(detectContent(new Uint8Array()).kind).toBe('empty');
    expect(detectContent(makePdf({ pages: [['x']] })).kind).toBe('pdf');
    expect(detectContent(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])).kind).toBe('ole');
    expect(detectContent(Buffer.from('Tiếng Việt')).text).toBe('Tiếng Việt');
    expect(detectContent(Buffer.from('\uFEFFcó BOM')).text).toBe('có BOM');
    expect(detectContent(Buffer.from([0x61, 0xe1, 0x62])).kind).toBe('not-utf8'); // Latin-1 "aáb"
    expect(detectContent(Buffer.from([0x61, 0x00, 0x62])).kind).toBe('binary');
  });
});

describe('loadCorpus on the real corpus', () => {
  it('loads the Cẩm Lệ report with its front-matter title and date', async () => {
    const corpus = await loadCorpus(REPO_CORPUS);
    const doc = corpus.documents.find((d) => d.source === SEED_FILE);
    expect(doc).toBeDefined();
    expect(doc!.title).toBe('Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ');
    expect(doc!.date).toBe('2018');
    expect(doc!.text.startsWith('6 tháng đầu năm, tình hình các mặt công tác')).toBe(true);
    expect(doc!.text).not.toContain('title:');
    expect(doc!.text).not.toMatch(/\n{3,}/);
    expect(isNfc(doc!.text)).toBe(true);
    const bytes = await readFile(SEED_PATH);
    expect(corpus.fileHashes[SEED_FILE]).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(corpus.skipped).toEqual([]);
  });
});

describe('text files', () => {
  it('turns decomposed (NFD) Vietnamese into composed (NFC) text and titles', async () => {
    const nfd = 'Thu ngân sách quận Hải Châu năm 2019\n\nTổng thu đạt 57% dự toán.'.normalize('NFD');
    const dir = await tempDir({ 'nfd.txt': nfd });
    const [doc] = (await loadCorpus(dir)).documents;
    expect(doc!.text).toBe('Thu ngân sách quận Hải Châu năm 2019\n\nTổng thu đạt 57% dự toán.');
    expect(doc!.title).toBe('Thu ngân sách quận Hải Châu năm 2019');
    expect(isNfc(doc!.title)).toBe(true);
  });

  it('takes a .md title from its first # heading, and front matter before that', async () => {
    const dir = await tempDir({
      'ke-hoach.md':
        'Lời mở đầu ngắn\n\n# Kế hoạch phát triển **du lịch** [Sơn Trà](https://x.vn)\n\n## Mục tiêu\n\nTăng lượng khách.',
      'co-header.md': '---\ntitle: Tiêu đề từ header\ndate: 6/2020\n---\n# Heading\n\nNội dung.',
    });
    const docs = (await loadCorpus(dir)).documents;
    expect(docs.map((d) => d.source)).toEqual(['co-header.md', 'ke-hoach.md']);
    expect(docs[0]).toMatchObject({ title: 'Tiêu đề từ header', date: '6/2020' });
    expect(docs[1]!.title).toBe('Kế hoạch phát triển du lịch Sơn Trà');
    expect(docs[1]!.text).toContain('## Mục tiêu');
  });

  it('falls back to the file name for the title and finds the year in it', async () => {
    const dir = await tempDir({
      'bao-cao_quy-2_2021.txt': 'Một câu dài kết thúc bằng dấu chấm nên không phải tiêu đề.\n\nĐoạn hai.',
      'khong-nam.txt': 'Dòng đầu tiên',
    });
    const [a, b] = (await loadCorpus(dir)).documents;
    expect(a).toMatchObject({ title: 'bao cao quy 2 2021', date: '2021' });
    expect(b).toMatchObject({ title: 'Dòng đầu tiên', date: null });
  });

  it('looks past the letterhead of an official document for its title', async () => {
    const letterhead = [
      'ĐẢNG BỘ QUẬN CẨM LỆ',
      'ỦY BAN NHÂN DÂN',
      'QUẬN CẨM LỆ',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số: 123/BC-UBND',
      'Cẩm Lệ, ngày 5 tháng 7 năm 2018',
    ].join('\n');
    const dir = await tempDir({
      'a.txt': `${letterhead}\n\nBÁO CÁO\nTình hình kinh tế - xã hội 6 tháng đầu năm 2018\n\nNội dung.`,
      'b.txt': `${letterhead}\n\nKẾ HOẠCH TỔ CHỨC LỄ HỘI NĂM 2019\n\nNội dung.`,
    });
    const [a, b] = (await loadCorpus(dir)).documents;
    // Decree 30 header: the citation form, and the header is no longer part of the text.
    expect(a!.title).toBe('Báo cáo số 123/BC-UBND ngày 5/7/2018 của UBND quận Cẩm Lệ');
    expect(a!.official?.summary).toBe('Tình hình kinh tế - xã hội 6 tháng đầu năm 2018');
    expect(a!.text).toBe('Nội dung.');
    expect(b!.title).toBe('Kế hoạch số 123/BC-UBND ngày 5/7/2018 của UBND quận Cẩm Lệ');
    expect(b!.official?.summary).toBe('TỔ CHỨC LỄ HỘI NĂM 2019');
  });

  it('accepts UTF-16 text with a BOM (Notepad "Unicode")', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Xin chào Đà Nẵng', 'utf16le')]);
    const dir = await tempDir({ 'utf16.txt': utf16 });
    expect((await loadCorpus(dir)).documents[0]!.text).toBe('Xin chào Đà Nẵng');
  });
});

describe('.docx', () => {
  it('extracts paragraphs, keeps headings as their own lines and uses the core title', async () => {
    const docx = await makeDocx({
      coreTitle: 'Báo cáo công tác cải cách hành chính năm 2019',
      paragraphs: [
        { text: 'Báo cáo cải cách hành chính', style: 'Title' },
        { text: 'I. Kết quả đạt được', style: 'Heading1' },
        { text: 'Quận đã tiếp nhận 12.345 hồ sơ, giải quyết đúng hạn 99%.'.normalize('NFD') },
        { text: 'II. Tồn tại & hạn chế', style: 'Heading1' },
        { text: 'Một số thủ tục còn chậm <đặc biệt> về đất đai.' },
      ],
    });
    const dir = await tempDir({ 'cchc-2019.docx': docx });
    const [doc] = (await loadCorpus(dir)).documents;
    expect(doc).toMatchObject({
      title: 'Báo cáo công tác cải cách hành chính năm 2019',
      date: '2019',
      source: 'cchc-2019.docx',
    });
    expect(doc!.text).toBe(
      [
        'Báo cáo cải cách hành chính',
        'I. Kết quả đạt được',
        'Quận đã tiếp nhận 12.345 hồ sơ, giải quyết đúng hạn 99%.',
        'II. Tồn tại & hạn chế',
        'Một số thủ tục còn chậm <đặc biệt> về đất đai.',
      ].join('\n\n'),
    );
    expect(isNfc(doc!.text)).toBe(true);
  });

  it('without a core title, takes the first short line', async () => {
    const docx = await makeDocx({
      paragraphs: [{ text: 'Kế hoạch năm 2020', style: 'Heading1' }, { text: 'Nội dung kế hoạch.' }],
    });
    const doc = await readDocumentFile(await writeTemp('upload.bin', docx), 'ke-hoach.docx');
    expect(doc).toMatchObject({ title: 'Kế hoạch năm 2020', source: 'ke-hoach.docx', date: null });
  });
});

async function writeTemp(name: string, content: Buffer | string): Promise<string> {
  const dir = await tempDir({ [name]: content });
  return path.join(dir, name);
}

describe('.pdf', () => {
  it('extracts text per page, with blank lines between paragraphs and pages', async () => {
    const pdf = makePdf({
      pages: [
        [
          'Annual report 2019\nDistrict caf\u00e9 (Cam Le)',
          'Second paragraph: 57% of budget.\nIts second line\nand a third',
        ],
        ['Page two text'],
      ],
    });
    const dir = await tempDir({ 'report.pdf': pdf });
    const corpus = await loadCorpus(dir);
    expect(corpus.skipped).toEqual([]);
    expect(corpus.documents[0]).toMatchObject({
      title: 'Annual report 2019',
      date: null,
      text: [
        'Annual report 2019\nDistrict café (Cam Le)',
        'Second paragraph: 57% of budget.\nIts second line\nand a third',
        'Page two text',
      ].join('\n\n'),
    });
  });

  it('starts a paragraph at an indented first line when there is no extra space', async () => {
    const pdf = makePdf({
      layout: 'indented',
      pages: [['First paragraph line one\nline two\nline three', 'Second paragraph line one\nline two']],
    });
    const doc = await readDocumentFile(await writeTemp('p.pdf', pdf), 'p.pdf');
    expect(doc.text).toBe('First paragraph line one\nline two\nline three\n\nSecond paragraph line one\nline two');
  });

  it('reads Vietnamese through a ToUnicode CMap and composes decomposed output', async () => {
    const dir = await tempDir({
      'vi.pdf': makePdf({
        unicode: true,
        pages: [['Báo cáo tình hình kinh tế - xã hội quận Cẩm Lệ', 'Thu ngân sách đạt 57%.']],
      }),
      'vi-nfd.pdf': makePdf({ unicode: true, decomposedToUnicode: true, pages: [['Tiếng Việt Đà Nẵng']] }),
    });
    const [nfd, vi] = (await loadCorpus(dir)).documents;
    expect(vi!.text).toBe('Báo cáo tình hình kinh tế - xã hội quận Cẩm Lệ\n\nThu ngân sách đạt 57%.');
    expect(nfd!.text).toBe('Tiếng Việt Đà Nẵng');
  });
});

describe('bad files are skipped with a reason and do not stop the load', () => {
  it('skips each broken file with the right reason while the good files load', async () => {
    const goodDocx = await makeDocx({ paragraphs: [{ text: 'Văn bản tốt' }] });
    const oldDoc = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const binary = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37) % 256));
    const dir = await tempDir({
      'a-good.txt': 'Báo cáo tốt',
      'b-good.docx': goodDocx,
      'c-good.pdf': makePdf({ pages: [['Good PDF']] }),
      'corrupt.pdf': makeCorruptPdf(),
      'truncated.docx': goodDocx.subarray(0, Math.floor(goodDocx.length / 2)),
      'empty.txt': '',
      'blank.md': '  \n\n \t\n',
      'zip.pdf': goodDocx,
      'binary.txt': binary,
      'latin1.txt': Buffer.from('Caf\u00e9 ng\u00e0y', 'latin1'),
      'old.docx': oldDoc,
      'text.docx': 'chỉ là văn bản',
      'bomb.docx': zipBomb,
      'scan.pdf': makePdf({ pages: [[], []] }),
      'other.docx': await new JSZip().file('a.txt', 'x').generateAsync({ type: 'nodebuffer' }),
    });
    logLines.length = 0;
    const started = Date.now();
    const corpus = await loadCorpus(dir);
    expect(Date.now() - started).toBeLessThan(15_000);

    expect(corpus.documents.map((d) => d.source)).toEqual(['a-good.txt', 'b-good.docx', 'c-good.pdf']);
    const reasons = Object.fromEntries(corpus.skipped.map((s) => [s.source, s.reason]));
    expect(reasons).toEqual({
      'binary.txt': 'not a text file (contains binary data)',
      'blank.md': 'file contains no text',
      'bomb.docx': expect.stringMatching(/^looks like a zip bomb \(200 MB/),
      'corrupt.pdf': expect.stringMatching(/^not a valid PDF/),
      'empty.txt': 'file is empty',
      'latin1.txt': 'not UTF-8 text: save it again with UTF-8 encoding',
      'other.docx': 'not a valid .docx (zip archive without word/document.xml)',
      'old.docx': expect.stringMatching(
        /^named \.docx but the content is an old Office 97-2003 file.*rename it to \.doc/,
      ),
      // A page with neither text nor image (a grey box drawn in vector) is not sent to OCR.
      'scan.pdf': expect.stringMatching(/^PDF has no extractable text|^scanned PDF \(no text layer\) needs OCR/),
      'text.docx': 'named .docx but the content is plain text: rename it to .txt',
      'truncated.docx': expect.stringMatching(/^not a valid \.docx \(zip archive unreadable/),
      'zip.pdf': 'named .pdf but the content is a Word .docx document: rename it to .docx',
    });
    // Skipped files stay in sorted order and get no hash; every loaded one has one.
    expect(corpus.skipped.map((s) => s.source)).toEqual(Object.keys(reasons).sort());
    expect(Object.keys(corpus.fileHashes)).toEqual(['a-good.txt', 'b-good.docx', 'c-good.pdf']);
    expect(Object.values(corpus.fileHashes).every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    // Every skip is logged as a warning naming the file.
    const warnings = logLines.map((line) => JSON.parse(line)).filter((r) => r.level === 'warn');
    expect(warnings.map((w) => w.source).sort()).toEqual(Object.keys(reasons).sort());
    expect(warnings.every((w) => String(w.msg).includes(w.source))).toBe(true);
  });

  it('catches a zip bomb that lies about its size in the zip directory', async () => {
    const liar = withDeclaredSize(zipBomb, 'word/document.xml', 1000);
    // Sanity: jszip itself now believes the entry is small.
    const entry = (await JSZip.loadAsync(liar)).file('word/document.xml') as unknown as {
      _data: { uncompressedSize: number };
    };
    expect(entry._data.uncompressedSize).toBe(1000);
    await expect(readDocumentFile(await writeTemp('liar.docx', liar), 'liar.docx')).rejects.toThrow(
      /^looks like a zip bomb/,
    );
  });

  it('gives up on a PDF after parseTimeoutMs and on files above maxFileBytes', async () => {
    const dir = await tempDir({ 'slow.pdf': makePdf({ pages: [['Hello']] }), 'big.txt': 'x'.repeat(2000) });
    const corpus = await loadCorpus(dir, { parseTimeoutMs: 5, maxFileBytes: 1000 });
    expect(corpus.documents).toEqual([]);
    expect(corpus.skipped).toEqual([
      { source: 'big.txt', reason: 'file is larger than 1000 bytes' },
      { source: 'slow.pdf', reason: 'parser timed out after 5 ms' },
    ]);
  });
});

describe('corpus folder handling', () => {
  it('throws a clear error for a missing folder', async () => {
    const missing = path.join(os.tmpdir(), `no-such-corpus-${process.pid}`);
    await expect(loadCorpus(missing)).rejects.toThrow(
      `Corpus folder ${missing} does not exist: create it and put the reports (.docx, .doc, .pdf, .xlsx, .csv, .txt, .md) in it`,
    );
  });

  it('returns nothing for an empty folder', async () => {
    expect(await loadCorpus(await tempDir())).toEqual({ documents: [], skipped: [], fileHashes: {} });
  });

  it('ignores hidden files, .history, sub-folders, Word lock files and other extensions', async () => {
    const progress: Array<[number, number]> = [];
    const dir = await tempDir({
      'b.txt': 'Văn bản B',
      'a.md': '# Văn bản A',
      'C.TXT': 'Văn bản C',
      '.hidden.txt': 'ẩn',
      '.history/old.txt': 'cũ',
      'sub/nested.txt': 'lồng',
      '~$b.docx': 'lock',
      'notes.pptx': 'x',
      README: 'x',
    });
    const corpus = await loadCorpus(dir, { onProgress: (done, total) => progress.push([done, total]) });
    // Code-unit order: capitals first, whatever the machine's locale.
    expect(corpus.documents.map((d) => d.source)).toEqual(['C.TXT', 'a.md', 'b.txt']);
    expect(corpus.skipped).toEqual([]);
    expect(Object.keys(corpus.fileHashes)).toEqual(['C.TXT', 'a.md', 'b.txt']);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });
});

describe('readDocumentFile', () => {
  it('judges the format by the corpus name it will get, and throws the admin-facing reason', async () => {
    const tmp = await writeTemp('upload-123', makePdf({ pages: [['Uploaded report']] }));
    expect(await readDocumentFile(tmp, 'bao-cao-2022.pdf')).toMatchObject({
      source: 'bao-cao-2022.pdf',
      title: 'Uploaded report',
      date: '2022',
      text: 'Uploaded report',
    });
    await expect(readDocumentFile(tmp, 'bao-cao.docx')).rejects.toThrow(
      'named .docx but the content is a PDF document: rename it to .pdf',
    );
    await expect(readDocumentFile(tmp, 'bao-cao.xls')).rejects.toThrow(/^unsupported file type "\.xls"/);
    const error = await readDocumentFile(await writeTemp('e.txt', ''), 'e.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect((error as Error).message).toBe('file is empty');
  });

  it('lists the supported extensions', () => {
    expect(SUPPORTED_EXTENSIONS).toEqual(['.txt', '.md', '.docx', '.pdf', '.doc', '.xlsx', '.csv']);
  });
});
