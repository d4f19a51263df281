// End to end, as the district office sees it: reloads, uploads, /docs, /stats, and refusals for everyone
// else. Real start-up path, real Engine on a temp corpus, the Bot API emulator for Telegram.
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CALLBACK } from '../../src/bot/composers/admin.js';
import { MSG } from '../../src/bot/messages.vi.js';
import { makeCorruptPdf, makeDocx } from '../fixtures/make-files.js';
import { BotApiEmulator, type SentMessage } from '../emulator/bot-api-emulator.js';
import {
  ADMIN,
  ask,
  buttonsOf,
  CAM_LE_TITLE,
  callbackAnswers,
  captureLogs,
  citizen,
  logsMatching,
  makeCorpus,
  makeTempDir,
  newMessages,
  quietFor,
  SECOND_FILE,
  startTestBot,
  type TestBot,
} from './helpers.js';
import { BUDGET_QUESTION, SEED_FILE } from '../fixtures/seed-report.js';

let t: TestBot;
let corpusDir: string;

beforeAll(async () => {
  captureLogs();
  t = await startTestBot({ env: { RATE_LIMIT_PER_MINUTE: '1000', MAX_UPLOAD_MB: '2' } });
  corpusDir = t.settings.CORPUS_DIR;
});

afterAll(async () => {
  await t?.stop();
});

/** Sends an admin command and waits for `count` new messages in the admin chat. */
async function adminSays(command: string, count = 1): Promise<SentMessage[]> {
  const before = t.emu.messagesTo(ADMIN.id).length;
  t.emu.sendCommand(ADMIN, command);
  return newMessages(t.emu, ADMIN.id, before, count);
}

/** Waits for the admin chat to receive a message matching `pattern`, counting from `before`. */
async function adminReceives(before: number, pattern: RegExp, timeoutMs = 15_000): Promise<SentMessage> {
  let found: SentMessage | undefined;
  await t.emu.waitFor(() => {
    found = t.emu
      .messagesTo(ADMIN.id)
      .slice(before)
      .find((m) => pattern.test(m.plain_text ?? m.text));
    return found !== undefined;
  }, timeoutMs);
  return found!;
}

async function upload(fileName: string, bytes: Buffer, mime?: string): Promise<number> {
  const before = t.emu.messagesTo(ADMIN.id).length;
  t.emu.sendDocument(ADMIN, fileName, bytes, mime);
  return before;
}

const corpusFiles = async () => (await readdir(corpusDir)).filter((n) => !n.startsWith('.')).sort();

describe('reload', () => {
  it('reloads in the background while questions keep being answered', async () => {
    // Enough extra reports that the rebuild takes a moment.
    for (let i = 0; i < 30; i++) {
      const body = Array.from(
        { length: 40 },
        (_, j) => `Nội dung thứ ${j} của báo cáo phụ số ${i} về giao thông, y tế và giáo dục.`,
      ).join(' ');
      const title = `Phụ lục ${i}: tình hình giao thông, y tế, giáo dục và đời sống dân cư trên địa bàn quận năm 2024`;
      await writeFile(path.join(corpusDir, `phu-luc-${i}.txt`), `---\ntitle: ${title}\n---\n\n${body}\n`);
    }
    try {
      const user = citizen();
      const before = t.emu.messagesTo(ADMIN.id).length;
      t.emu.sendCommand(ADMIN, '/reload');
      const [status] = await newMessages(t.emu, ADMIN.id, before);
      expect(status!.text).toBe(MSG.reloadStarted);

      // Ask continuously until the reload reports; every question gets its answer.
      let asked = 0;
      let answeredDuringReload = 0;
      let result: SentMessage | undefined;
      while (!result) {
        const reply = await ask(t.emu, user, BUDGET_QUESTION);
        asked++;
        expect(reply.plain_text).toContain('15%');
        result = t.emu
          .messagesTo(ADMIN.id)
          .slice(before)
          .find((m) => m.plain_text?.includes('Đã nạp lại xong'));
        if (!result) answeredDuringReload++;
      }
      expect(answeredDuringReload).toBeGreaterThan(0);
      expect(t.emu.messagesTo(user.id)).toHaveLength(asked);
      expect(result.plain_text).toContain('Báo cáo: 32');
      expect(result.plain_text).toContain('Không có tệp nào bị bỏ qua');
      // The status message no longer says it is loading.
      expect(t.emu.messagesTo(ADMIN.id).find((m) => m.message_id === status!.message_id)!.text).toBe(
        MSG.reloadStatusFinished(true),
      );
      expect(t.bot.engine.status().documents).toHaveLength(32);
      // Progress was shown by editing the status message, no more often than the throttle (200 ms here;
      // timed where the bot decides, since request arrival jitters while the index is being built).
      const edits = t.emu
        .callsOf('editMessageText')
        .filter((c) => Number(c.params.chat_id) === ADMIN.id && Number(c.params.message_id) === status!.message_id);
      expect(edits.some((c) => /Đang (đọc tệp|lưu)/.test(String(c.params.text)))).toBe(true);
      const shown = logsMatching('reload progress shown').map((r) => Date.parse(String(r.time)));
      expect(shown.length).toBeGreaterThan(0);
      for (let i = 1; i < shown.length; i++) expect(shown[i]! - shown[i - 1]!).toBeGreaterThanOrEqual(199);

      // /docs for 32 reports is longer than one Telegram message: it comes in parts, nothing lost.
      const docsBefore = t.emu.messagesTo(ADMIN.id).length;
      t.emu.sendCommand(ADMIN, '/docs');
      await adminReceives(docsBefore, /Chế độ tìm kiếm/);
      const parts = t.emu.messagesTo(ADMIN.id).slice(docsBefore);
      expect(parts.length).toBeGreaterThan(1);
      const all = parts.map((m) => m.plain_text).join('\n');
      for (let i = 0; i < 30; i++) expect(all).toContain(`Phụ lục ${i}: tình hình giao thông`);
      // The reload button sits under the last part only.
      expect(parts.map((m) => buttonsOf(m).length)).toEqual([...parts.slice(1).map(() => 0), 1]);
    } finally {
      // Later tests expect the two-report corpus.
      for (let i = 0; i < 30; i++) await rm(path.join(corpusDir, `phu-luc-${i}.txt`));
    }
  });

  it('a failed reload says why, and the old index keeps serving', async () => {
    const aside = corpusDir + '-aside';
    await rename(corpusDir, aside);
    try {
      const before = t.emu.messagesTo(ADMIN.id).length;
      t.emu.sendCommand(ADMIN, '/reload');
      const failure = await adminReceives(before, /Nạp lại không thành công\./);
      expect(failure.plain_text).toContain('does not exist');
      expect(failure.plain_text).toContain('chỉ mục cũ');
      // Still answering from the index built before.
      expect((await ask(t.emu, citizen(), BUDGET_QUESTION)).plain_text).toContain('15%');
    } finally {
      await rename(aside, corpusDir);
    }
    const before = t.emu.messagesTo(ADMIN.id).length;
    t.emu.sendCommand(ADMIN, '/reload');
    const ok = await adminReceives(before, /Đã nạp lại xong/);
    expect(ok.plain_text).toContain('Báo cáo: 2');
  });

  it('/docs lists the documents with file, date and passages, and a reload button that works', async () => {
    const [docs] = await adminSays('/docs');
    expect(docs!.plain_text).toContain(CAM_LE_TITLE);
    expect(docs!.plain_text).toContain(`Tệp: ${SEED_FILE}`);
    expect(docs!.plain_text).toContain(`Tệp: ${SECOND_FILE}`);
    expect(docs!.plain_text).toMatch(/Ngày: 2018 · \d+ đoạn/);
    expect(buttonsOf(docs!)).toEqual([ADMIN_CALLBACK.reload]);

    const before = t.emu.messagesTo(ADMIN.id).length;
    t.emu.pressButton(ADMIN, docs!, ADMIN_CALLBACK.reload);
    await adminReceives(before, /Đã nạp lại xong/);
  });
});

describe('uploads', () => {
  it('an uploaded .txt report is added, the index reloaded, and its content answered', async () => {
    const report = [
      '---',
      'title: Kế hoạch phòng chống thiên tai năm 2024, quận Cẩm Lệ',
      'date: 1/2024',
      '---',
      '',
      'Quận bố trí 12 điểm sơ tán dân khi có bão mạnh, tại các trường học và nhà văn hóa khu dân cư.',
    ].join('\n');
    const before = await upload('Kế hoạch thiên tai 2024.txt', Buffer.from(report), 'text/plain');
    const saved = await adminReceives(before, /Đã thêm báo cáo/);
    expect(saved.plain_text).toContain('Kế-hoạch-thiên-tai-2024.txt');
    expect(saved.plain_text).toContain('Kế hoạch phòng chống thiên tai năm 2024');
    const done = await adminReceives(before, /Đã nạp lại xong/);
    expect(done.plain_text).toContain('Báo cáo: 3');
    expect(existsSync(path.join(corpusDir, 'Kế-hoạch-thiên-tai-2024.txt'))).toBe(true);

    const reply = await ask(t.emu, citizen(), 'Quận bố trí bao nhiêu điểm sơ tán dân khi có bão?');
    expect(reply.plain_text).toContain('12 điểm sơ tán');
    expect(reply.plain_text).toContain('Kế hoạch phòng chống thiên tai năm 2024, quận Cẩm Lệ');
  });

  it('an uploaded .docx report is added and answered', async () => {
    const docx = await makeDocx({
      coreTitle: 'Báo cáo công tác y tế quý I năm 2024',
      paragraphs: [
        { text: 'Báo cáo công tác y tế quý I năm 2024', style: 'Title' },
        { text: 'Tiêm chủng', style: 'Heading1' },
        { text: 'Trong quý I, trạm y tế phường tiêm chủng đầy đủ cho 1.850 trẻ em dưới một tuổi.' },
      ],
    });
    const before = await upload('bao-cao-y-te-q1-2024.docx', docx);
    await adminReceives(before, /Đã thêm báo cáo/);
    await adminReceives(before, /Đã nạp lại xong/);
    const reply = await ask(t.emu, citizen(), 'Trạm y tế tiêm chủng cho bao nhiêu trẻ em?');
    expect(reply.plain_text).toContain('1.850 trẻ em');
  });

  it('replacing a report keeps the old version in .history', async () => {
    const v1 =
      '---\ntitle: Thông báo lịch tiếp công dân\n---\n\nChủ tịch quận tiếp công dân vào sáng thứ Hai hằng tuần.\n';
    const v2 =
      '---\ntitle: Thông báo lịch tiếp công dân\n---\n\nChủ tịch quận tiếp công dân vào sáng thứ Năm hằng tuần.\n';
    let before = await upload('lich-tiep-dan.md', Buffer.from(v1));
    await adminReceives(before, /Đã nạp lại xong/);
    before = await upload('lich-tiep-dan.md', Buffer.from(v2));
    const saved = await adminReceives(before, /Đã thay báo cáo/);
    expect(saved.plain_text).toContain('.history');
    await adminReceives(before, /Đã nạp lại xong/);

    expect(await readFile(path.join(corpusDir, 'lich-tiep-dan.md'), 'utf8')).toBe(v2);
    const history = (await readdir(path.join(corpusDir, '.history'))).filter((n) => n.startsWith('lich-tiep-dan.md.'));
    expect(history).toHaveLength(1);
    expect(await readFile(path.join(corpusDir, '.history', history[0]!), 'utf8')).toBe(v1);
    const reply = await ask(t.emu, citizen(), 'Chủ tịch quận tiếp công dân vào ngày nào?');
    expect(reply.plain_text).toContain('thứ Năm');
  });

  it('a corrupt file is refused with the reason, and the corpus is untouched', async () => {
    const filesBefore = await corpusFiles();
    const reloadsBefore = logsMatching('reload started').length;
    const before = await upload('bao-cao-hong.pdf', makeCorruptPdf());
    const refused = await adminReceives(before, /không đọc được/);
    expect(refused.plain_text).toContain('bao-cao-hong.pdf');
    expect(refused.plain_text).toContain('không thay đổi');
    await quietFor(300);
    expect(await corpusFiles()).toEqual(filesBefore);
    expect(await readdir(path.join(corpusDir, '.uploads'))).toEqual([]);
    expect(logsMatching('reload started').length).toBe(reloadsBefore);

    // A Word file renamed to .pdf is caught by its content, not its name.
    const docx = await makeDocx({ paragraphs: [{ text: 'Nội dung' }] });
    const before2 = await upload('gia-mao.pdf', docx);
    await adminReceives(before2, /không đọc được/);
    expect(await corpusFiles()).toEqual(filesBefore);
  });

  it('a path-traversal file name is reduced to a safe name inside the corpus', async () => {
    const report = '---\ntitle: Tệp tên lạ\n---\n\nPhường tổ chức ngày hội đọc sách cho thiếu nhi vào tháng 6.\n';
    const before = await upload('../../../tmp/.evil name?.txt', Buffer.from(report));
    const saved = await adminReceives(before, /Đã thêm báo cáo/);
    expect(saved.plain_text).toContain('evil-name.txt');
    expect(saved.plain_text).toContain('Tên tệp được đổi');
    await adminReceives(before, /Đã nạp lại xong/);
    expect(existsSync(path.join(corpusDir, 'evil-name.txt'))).toBe(true);
    expect(existsSync(path.resolve(corpusDir, '../../../tmp/.evil name?.txt'))).toBe(false);
    expect(existsSync(path.join(path.dirname(corpusDir), 'tmp'))).toBe(false);
  });

  it('refuses a file too large (before downloading) and an unsupported type', async () => {
    const getFileBefore = t.emu.callsOf('getFile').length;
    let before = await upload('bao-cao-lon.pdf', Buffer.alloc(3 * 1024 * 1024, 0x20));
    const tooBig = await adminReceives(before, /Tệp quá lớn/);
    expect(tooBig.plain_text).toContain('giới hạn là 2 MB');
    before = await upload('virus.exe', Buffer.from('MZ'));
    const unsupported = await adminReceives(before, /chỉ nhận báo cáo dạng/);
    expect(unsupported.plain_text).toContain('.docx');
    expect(t.emu.callsOf('getFile').length).toBe(getFileBefore);
  });
});

describe('refusals for non-admins', () => {
  it('/reload, /docs, /stats and uploads are refused politely, and nothing happens', async () => {
    const user = citizen();
    const reloadsBefore = logsMatching('reload started').length;
    const filesBefore = await corpusFiles();
    for (const command of ['/reload', '/docs', '/stats']) t.emu.sendCommand(user, command);
    t.emu.sendDocument(user, 'bao-cao-moi.txt', Buffer.from('---\ntitle: X\n---\n\nNội dung.'), 'text/plain');
    const replies = await newMessages(t.emu, user.id, 0, 4);
    expect(replies.map((r) => r.text)).toEqual([MSG.notAdmin, MSG.notAdmin, MSG.notAdmin, MSG.documentFromCitizen]);
    await quietFor(300);
    expect(t.emu.messagesTo(user.id)).toHaveLength(4);
    expect(logsMatching('reload started').length).toBe(reloadsBefore);
    expect(await corpusFiles()).toEqual(filesBefore);
  });

  it('a forged admin button from a non-admin is refused', async () => {
    const user = citizen();
    const answer = await ask(t.emu, user, BUDGET_QUESTION);
    const reloadsBefore = logsMatching('reload started').length;
    const ids = [ADMIN_CALLBACK.reload, ADMIN_CALLBACK.stats, 'adm:wipe'].map((data) =>
      t.emu.pressButton(user, answer, data, { force: true }),
    );
    const answers = await callbackAnswers(t.emu, ids);
    expect(answers.map((a) => a.text)).toEqual(ids.map(() => MSG.notAdmin));
    await quietFor(300);
    expect(t.emu.messagesTo(user.id)).toHaveLength(1);
    expect(logsMatching('reload started').length).toBe(reloadsBefore);
  });
});

describe('/stats', () => {
  it('shows questions asked, the share answered, and the most frequent unanswered questions', async () => {
    await ask(t.emu, citizen(), 'Giá vé xe buýt năm nay là bao nhiêu tiền?');
    await t.bot.records.writer.flush();
    const [stats] = await adminSays('/stats');
    const w = await t.bot.records.store.window(0, Date.now() + 1);
    expect(w.questions).toBeGreaterThan(0);
    expect(stats!.plain_text).toContain(`30 ngày: ${w.questions.toLocaleString('vi-VN')} câu hỏi`);
    expect(stats!.plain_text).toContain(`(${Math.round((100 * w.answered) / w.questions)}%)`);
    expect(stats!.plain_text).toContain('Giá vé xe buýt năm nay là bao nhiêu tiền?');
  });
});

describe('restart', () => {
  it('the record survives a restart of startBot', async () => {
    const dir = await makeTempDir();
    await makeCorpus(dir);
    // Its own emulator: two bots polling one token would share the updates.
    const emu = await BotApiEmulator.start();
    try {
      const first = await startTestBot({ dir, emu });
      const user = citizen();
      await ask(emu, user, BUDGET_QUESTION);
      await ask(emu, user, 'Vì sao cá heo biết bơi?');
      // stop() writes what waits in the buffer.
      await first.bot.stop();

      const second = await startTestBot({ dir, emu });
      try {
        expect(await second.bot.records.store.window(0, Date.now() + 1)).toMatchObject({ questions: 2, answered: 1 });
        emu.sendCommand(ADMIN, '/stats');
        const [stats] = await newMessages(emu, ADMIN.id, 0);
        expect(stats!.plain_text).toContain('Hôm nay: 2 câu hỏi · trả lời được 1 (50%)');
        expect(stats!.plain_text).toContain('Vì sao cá heo biết bơi?');
      } finally {
        await second.bot.stop();
      }
    } finally {
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
