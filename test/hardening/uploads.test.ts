// Hostile uploads from an admin's phone, through the real bot and the Bot API emulator: zip bombs, a PDF
// that stalls the parser, file names that try to leave the corpus folder or break the file system, a
// disk that refuses the file, and quick successive replacements of one report. After each: a clear
// reply, the corpus exactly as it was (or changed exactly as intended), and a bot that still answers.
// (test/bot/admin.test.ts already covers ordinary uploads, a corrupt PDF, a traversal name with a
// hidden part, too-large and unsupported files, and one replacement.)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MSG } from '../../src/bot/messages.vi.js';
import { installUpload, sanitizeFileName } from '../../src/bot/uploads.js';
import { loadCorpus, readDocumentFile } from '../../src/corpus/load-corpus.js';
import { makeZipBombDocx, withDeclaredSize } from '../fixtures/make-files.js';
import { makeXlsxBomb } from '../fixtures/make-sheets.js';
import type { SentMessage } from '../emulator/bot-api-emulator.js';
import {
  ADMIN,
  ask,
  captureLogs,
  citizen,
  logLines,
  logsMatching,
  makeTempDir,
  quietFor,
  startTestBot,
  type TestBot,
} from '../bot/helpers.js';
import { makeStallingPdf } from './hostile-files.js';
import { BUDGET_QUESTION } from '../fixtures/seed-report.js';

// Every PDF worker thread this process starts, to prove a timed-out one is really gone.
const workers = vi.hoisted(() => ({ exits: [] as Promise<number>[] }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  class TrackedWorker extends original.Worker {
    constructor(...args: ConstructorParameters<typeof original.Worker>) {
      super(...args);
      workers.exits.push(new Promise((resolve) => this.once('exit', resolve)));
    }
  }
  return { ...original, default: { ...original, Worker: TrackedWorker }, Worker: TrackedWorker };
});

const PARSE_BUDGET_MS = 1500;

let t: TestBot;
let corpusDir: string;

beforeAll(async () => {
  captureLogs();
  t = await startTestBot({
    env: { RATE_LIMIT_PER_MINUTE: '1000', MAX_UPLOAD_MB: '5' },
    start: { uploadParseTimeoutMs: PARSE_BUDGET_MS },
  });
  corpusDir = t.settings.CORPUS_DIR;
});

afterAll(async () => {
  await t?.stop();
});

/**
 * Every file under the corpus folder (hidden ones included) with a hash of its content, once the
 * incoming folder is empty again (the temporary copy is removed just after the reply is sent).
 */
async function corpusSnapshot(): Promise<Record<string, string>> {
  const incoming = path.join(corpusDir, '.uploads');
  const pending = () => {
    try {
      return readdirSync(incoming).length;
    } catch {
      return 0; // no incoming folder (or a file in its place)
    }
  };
  await t.emu.waitFor(() => pending() === 0, 10_000);
  const out: Record<string, string> = {};
  for (const entry of await readdir(corpusDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(corpusDir, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }
  return out;
}

/** Sends a document as the admin and waits until the admin chat got a message matching `until`. */
async function upload(fileName: string, bytes: Buffer, until: RegExp, timeoutMs = 20_000): Promise<SentMessage[]> {
  const before = t.emu.messagesTo(ADMIN.id).length;
  t.emu.sendDocument(ADMIN, fileName, bytes);
  await t.emu.waitFor(
    () =>
      t.emu
        .messagesTo(ADMIN.id)
        .slice(before)
        .some((m) => until.test(m.plain_text ?? m.text)),
    timeoutMs,
  );
  return t.emu.messagesTo(ADMIN.id).slice(before);
}

async function expectStillAnswering(): Promise<void> {
  expect((await ask(t.emu, citizen(), BUDGET_QUESTION)).plain_text).toContain('15%');
}

const report = (body: string) => Buffer.from(`---\ntitle: Báo cáo thử\n---\n\n${body}\n`);

describe('files that attack the parser', () => {
  it('a zip-bomb .docx (honest or lying about its size) is refused with a clear reply; corpus untouched, no reload', async () => {
    const bomb = await makeZipBombDocx(24 * 1024 * 1024); // 24 MB of zeros in ~25 KB
    const liar = withDeclaredSize(bomb, 'word/document.xml', 1000);
    const before = await corpusSnapshot();
    const reloads = logsMatching('reload started').length;
    const cases = [
      ['bao-cao-bom.docx', bomb, /looks like a zip bomb \(24 MB of content/],
      // jszip notices the lie once the real data has been counted (never more than the budget).
      ['bao-cao-noi-doi.docx', liar, /looks like a zip bomb|part word\/document\.xml is damaged/],
    ] as const;
    for (const [name, bytes, reason] of cases) {
      const replies = await upload(name, bytes, /không đọc được/);
      const refusal = replies.at(-1)!.plain_text!;
      expect(refusal).toContain(name);
      expect(refusal).toMatch(reason);
      expect(refusal).toContain('Các báo cáo hiện có không thay đổi');
    }
    await quietFor(200);
    expect(await corpusSnapshot()).toEqual(before);
    expect(logsMatching('reload started').length).toBe(reloads);
    await expectStillAnswering();
  });

  it('an .xlsx zip bomb and a .doc that lies about its contents are refused with a clear reply; corpus untouched', async () => {
    const before = await corpusSnapshot();
    const reloads = logsMatching('reload started').length;
    const cases = [
      ['phu-luc-bom.xlsx', await makeXlsxBomb(24 * 1024 * 1024), /looks like a zip bomb/],
      ['bao-cao-cu.doc', Buffer.from('Không phải Word, chỉ là chữ.'), /not a valid \.doc/],
      [
        'bang.xlsx',
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(1016).fill(0)]),
        /Excel 97-2003 \.xls/,
      ],
    ] as const;
    for (const [name, bytes, reason] of cases) {
      const replies = await upload(name, bytes, /không đọc được/);
      const refusal = replies.at(-1)!.plain_text!;
      expect(refusal).toContain(name);
      expect(refusal).toMatch(reason);
    }
    await quietFor(200);
    expect(await corpusSnapshot()).toEqual(before);
    expect(logsMatching('reload started').length).toBe(reloads);
    await expectStillAnswering();
  });

  it('a PDF that stalls pdf.js is stopped by the upload time budget and its worker thread ends', async () => {
    const before = await corpusSnapshot();
    const reloads = logsMatching('reload started').length;
    const workersBefore = workers.exits.length;
    const replies = await upload('bao-cao-treo.pdf', makeStallingPdf(), /không đọc được/);
    expect(replies.at(-1)!.plain_text).toContain(`parser timed out after ${PARSE_BUDGET_MS / 1000} s`);
    expect(await corpusSnapshot()).toEqual(before);
    expect(logsMatching('reload started').length).toBe(reloads);
    // The parser thread was terminated, not left spinning (bounded wait, not a speed limit).
    const started = workers.exits.slice(workersBefore);
    expect(started.length).toBe(1);
    await expect(
      Promise.race([
        Promise.all(started),
        new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]),
    ).resolves.not.toBe('still running');
    await expectStillAnswering();
  });

  it('readDocumentFile and loadCorpus give the stalling PDF up after parseTimeoutMs and keep the rest', async () => {
    const dir = await makeTempDir('stall-');
    try {
      await writeFile(path.join(dir, 'treo.pdf'), makeStallingPdf());
      await writeFile(path.join(dir, 'tot.txt'), report('Phường hoàn thành 12 công trình thủy lợi.'));
      const workersBefore = workers.exits.length;
      await expect(readDocumentFile(path.join(dir, 'treo.pdf'), 'treo.pdf', { parseTimeoutMs: 800 })).rejects.toThrow(
        'parser timed out after 800 ms',
      );
      const corpus = await loadCorpus(dir, { parseTimeoutMs: 800 });
      expect(corpus.documents.map((d) => d.source)).toEqual(['tot.txt']);
      expect(corpus.skipped).toEqual([{ source: 'treo.pdf', reason: 'parser timed out after 800 ms' }]);
      const started = workers.exits.slice(workersBefore);
      expect(started.length).toBe(2);
      await Promise.all(started);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('file names', () => {
  const LONG_VI = 'Báo cáo tình hình kinh tế xã hội quận Cẩm Lệ '.repeat(12);
  it.each([
    ['../../x.txt', 'x.txt'],
    ['/etc/passwd.txt', 'passwd.txt'],
    ['.hidden.txt', 'hidden.txt'],
    ['a\u0000b.txt', 'ab.txt'],
    ['~$bao-cao.docx', 'bao-cao.docx'],
    ['C:\\Users\\vanphong\\bao cao.md', 'bao-cao.md'],
    ['bao\u202Ecod.txt', 'bao-cod.txt'], // right-to-left override
    ['\u200Bbáo\u200Bcáo.txt', 'báo-cáo.txt'], // zero-width spaces
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it.each(['!!!.txt', '@#$%^&*().md', '....txt', '-_-.pdf', '🙂🙂.docx', '\u0000\u0001.txt', '../.txt', 'abc', 'x.'])(
    'refuses %j',
    (input) => {
      expect(sanitizeFileName(input)).toBeNull();
    },
  );

  it('keeps very long names within the file system limit, whole characters only', () => {
    for (const input of [
      `${'ệ'.repeat(300)}.txt`,
      `${LONG_VI}.docx`,
      `${'𠀀'.repeat(200)}.md`,
      `${'a'.repeat(5000)}.pdf`,
    ]) {
      const name = sanitizeFileName(input)!;
      expect(name, input.slice(0, 20)).not.toBeNull();
      expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(160);
      expect(name).toBe(Buffer.from(name, 'utf8').toString('utf8')); // no half surrogate pair
      expect(name.endsWith(path.extname(input))).toBe(true);
    }
  });

  it('any name at all: null, or one plain file name that stays inside the corpus folder', () => {
    const corpus = path.resolve('/srv/corpus');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc
            .tuple(
              fc.string({ unit: 'grapheme', maxLength: 300 }),
              fc.constantFrom('.txt', '.md', '.docx', '.pdf', '.TXT'),
            )
            .map(([a, b]) => a + b),
          fc
            .array(fc.constantFrom('..', '.', '/', '\\', 'a', 'ệ', ' ', '\u0000', '~$', '\u202E', 'C:'), {
              maxLength: 30,
            })
            .map((parts) => parts.join('') + '.txt'),
        ),
        (input) => {
          const name = sanitizeFileName(input);
          if (name === null) return;
          expect(name).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
          expect(name.startsWith('.') || name.startsWith('~$') || name.startsWith('-')).toBe(false);
          expect(path.dirname(path.join(corpus, name))).toBe(corpus);
          expect(name).toBe(name.normalize('NFC'));
          expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(200);
          expect(name).toBe(Buffer.from(name, 'utf8').toString('utf8'));
          expect(name).toMatch(/\.[a-z0-9]+$/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('through the bot: hostile names are saved inside the corpus under a safe name, or refused; nothing lands elsewhere', async () => {
    const parent = path.dirname(corpusDir);
    const parentBefore = (await readdir(parent)).sort();
    const cases: [string, string | null][] = [
      ['../../x.txt', 'x.txt'],
      ['/etc/passwd.txt', 'passwd.txt'],
      ['.hidden.txt', 'hidden.txt'],
      ['a\u0000b.txt', 'ab.txt'],
      [`${'ệ'.repeat(200)}.txt`, sanitizeFileName(`${'ệ'.repeat(200)}.txt`)],
      [`${LONG_VI}.md`, sanitizeFileName(`${LONG_VI}.md`)],
      ['!!!.txt', null],
      ['@#$%.md', null],
    ];
    for (const [i, [original, expected]] of cases.entries()) {
      const body = report(`Tệp thử số ${i}: phường tổ chức ${100 + i} lớp học bơi cho thiếu nhi.`);
      if (expected === null) {
        const replies = await upload(original, body, /Tên tệp không hợp lệ/);
        expect(replies.map((m) => m.text)).toEqual([MSG.uploadBadName]);
        continue;
      }
      const replies = await upload(original, body, /Đã nạp lại xong|không đọc được|trục trặc/);
      const saved = replies.find((m) => /Đã (thêm|thay) báo cáo/.test(m.plain_text ?? ''));
      expect(saved, `${JSON.stringify(original)}: ${replies.map((m) => m.plain_text).join(' | ')}`).toBeDefined();
      expect(saved!.plain_text).toContain(expected);
      expect(await readFile(path.join(corpusDir, expected))).toEqual(body);
    }
    // Nothing was written beside or above the corpus folder, and no temporary file is left.
    expect((await readdir(parent)).sort()).toEqual(parentBefore);
    expect(existsSync(path.resolve(corpusDir, '../../x.txt'))).toBe(false);
    expect(existsSync('/etc/passwd.txt')).toBe(false);
    expect(await readdir(path.join(corpusDir, '.uploads'))).toEqual([]);
    expect(logsMatching('update failed')).toEqual([]);
    await expectStillAnswering();
  });
});

describe('the disk refuses the file', () => {
  it('the admin is told, the corpus is unchanged and the bot keeps running', async () => {
    // A file where the incoming folder should be: every write of an upload fails.
    const incoming = path.join(corpusDir, '.uploads');
    await rm(incoming, { recursive: true, force: true });
    await writeFile(incoming, 'not a folder');
    try {
      const before = await corpusSnapshot();
      const replies = await upload('bao-cao-moi.txt', report('Nội dung mới.'), /trục trặc/);
      expect(replies.at(-1)!.text).toBe(MSG.internalError);
      expect(await corpusSnapshot()).toEqual(before);
      expect(logsMatching('upload failed').length).toBeGreaterThan(0);
    } finally {
      await rm(incoming, { force: true });
      await mkdir(incoming);
    }
    await expectStillAnswering();
  });
});

describe('replacing a report keeps every earlier version', () => {
  const versions = ['một', 'hai', 'ba', 'bốn'].map((n) => report(`Lịch tiếp công dân, phiên bản ${n}.`));

  it('installUpload called back to back: each replaced version gets its own .history file', async () => {
    const dir = await makeTempDir('history-');
    try {
      for (const [i, bytes] of versions.entries()) {
        const temp = path.join(dir, `incoming-${i}`);
        await writeFile(temp, bytes);
        await installUpload(dir, 'lich.md', temp);
      }
      expect(await readFile(path.join(dir, 'lich.md'))).toEqual(versions.at(-1));
      const history = (await readdir(path.join(dir, '.history'))).sort();
      expect(history).toHaveLength(versions.length - 1);
      const kept = await Promise.all(history.map((name) => readFile(path.join(dir, '.history', name), 'utf8')));
      expect(kept.sort()).toEqual(versions.slice(0, -1).map(String).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('through the bot: three quick replacements leave the three earlier versions in .history', async () => {
    const before = t.emu.messagesTo(ADMIN.id).length;
    for (const bytes of versions) t.emu.sendDocument(ADMIN, 'lich-tiep-dan.md', bytes);
    await t.emu.waitFor(
      () =>
        t.emu
          .messagesTo(ADMIN.id)
          .slice(before)
          .filter((m) => /Đã (thêm|thay) báo cáo/.test(m.plain_text ?? '')).length === 4,
      20_000,
    );
    // Done when a reload that started after the last install has finished (earlier ones may be coalesced).
    let lastInstall = -1;
    logLines.forEach((l, i) => {
      if (l.includes('"upload installed"') && l.includes('lich-tiep-dan.md')) lastInstall = i;
    });
    await t.emu.waitFor(() => {
      const started = logLines.findIndex((l, i) => i > lastInstall && l.includes('"reload started"'));
      return started >= 0 && logLines.some((l, i) => i > started && l.includes('"reload done"'));
    }, 20_000);
    expect(await readFile(path.join(corpusDir, 'lich-tiep-dan.md'))).toEqual(versions.at(-1));
    const history = (await readdir(path.join(corpusDir, '.history'))).filter((n) => n.startsWith('lich-tiep-dan.md.'));
    const kept = await Promise.all(history.map((name) => readFile(path.join(corpusDir, '.history', name), 'utf8')));
    expect(kept.sort()).toEqual(versions.slice(0, -1).map(String).sort());
    expect((await ask(t.emu, citizen(), 'Lịch tiếp công dân phiên bản nào?')).plain_text).toContain('phiên bản bốn');
  });
});
