// Nobody gets in: every admin action is checked against ADMIN_IDS when it runs, for the sender of that
// very update. From a non-admin, in a private chat and in a group, every admin command (also with the
// bot's @username or with arguments), an upload, and every callback_data an admin button
// can carry (pressed on the admin's own message, or forged) → a polite refusal and nothing else: no
// reload (counted at the engine), the corpus unchanged, no statistics or report list shown, no question
// counted. ADMIN_IDS comes from the settings read at start-up (src/config.ts, .env); there is no
// runtime reload, so removing an admin means a restart, which is tested too, along with the check
// being made per update rather than remembered (the set consulted at the moment the update runs).
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CALLBACK } from '../../src/bot/composers/admin.js';
import { MSG } from '../../src/bot/messages.vi.js';
import type { AnswerEngine, AskOptions, IndexSummary, ProgressEvent } from '../../src/engine-api.js';
import { Engine, engineOptionsFromSettings } from '../../src/engine.js';
import { BotApiEmulator, type EmulatedUser, type SentMessage } from '../emulator/bot-api-emulator.js';
import {
  ADMIN,
  ask,
  buttonsOf,
  callbackAnswers,
  captureLogs,
  citizen,
  logsMatching,
  makeCorpus,
  makeTempDir,
  newMessages,
  quietFor,
  startTestBot,
  testSettings,
  type TestBot,
} from '../bot/helpers.js';
import { BUDGET_QUESTION, SEED_FILE } from '../fixtures/seed-report.js';

/** The real engine, with every reload counted: "nothing happens" is checked where it would happen. */
class CountingEngine implements AnswerEngine {
  reloads = 0;
  constructor(readonly inner: Engine) {}
  ask(question: string, options?: AskOptions) {
    return this.inner.ask(question, options);
  }
  status() {
    return this.inner.status();
  }
  close() {
    return this.inner.close();
  }
  reload(onProgress?: (event: ProgressEvent) => void): Promise<IndexSummary> {
    this.reloads++;
    return this.inner.reload(onProgress);
  }
}

const GROUP = -4_200_001;
// What only an admin may see: the /stats and /docs texts.
const ADMIN_ONLY_TEXT = /Thống kê câu hỏi|Số câu hỏi|Báo cáo đã nạp|Chế độ tìm kiếm|Tệp: /;

let dir: string;
let emu: BotApiEmulator;
let engine: CountingEngine;
let t: TestBot;

async function corpusFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const corpusDir = t.settings.CORPUS_DIR;
  for (const entry of (await readdir(corpusDir, { recursive: true, withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hash.update(path.relative(corpusDir, file)).update(await readFile(file));
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  captureLogs();
  dir = await makeTempDir('auth-');
  await makeCorpus(dir);
  emu = await BotApiEmulator.start();
  engine = new CountingEngine(await Engine.open(engineOptionsFromSettings(testSettings(dir, emu))));
  t = await startTestBot({ dir, emu, env: { RATE_LIMIT_PER_MINUTE: '1000' }, start: { engine } });
});

afterAll(async () => {
  await t?.stop();
  await emu?.stop();
  await engine?.inner.close();
  await rm(dir, { recursive: true, force: true });
});

/** Everything the bot sent in a chat since `before`, and every callback answer it gave to `user`. */
function repliesTo(chatId: number, before: number): SentMessage[] {
  return emu.messagesTo(chatId).slice(before);
}

/** Every callback_data an admin button can carry, the way the bot builds them, plus forgeries of the prefix. */
const ADMIN_BUTTON_DATA = [
  ...Object.values(ADMIN_CALLBACK),
  'adm:',
  'adm:reload:now',
  'adm:stats ',
  'adm:docs',
  'adm:upload',
  'adm:' + 'x'.repeat(60),
];

describe('a non-admin', () => {
  it('sending every admin command, in private and in a group, gets a polite refusal and nothing happens', async () => {
    const intruder = citizen('Kẻ lạ');
    const reloadsBefore = engine.reloads;
    const corpusBefore = await corpusFingerprint();
    await t.bot.records.writer.flush();
    const statsBefore = await t.bot.records.store.window(0, Date.now() + 1);
    const commands = [
      '/reload',
      '/docs',
      '/stats',
      '/reload@emulator_test_bot',
      '/stats@emulator_test_bot',
      '/docs all',
      '/reload now please',
    ];
    for (const chat of [intruder.id, GROUP]) {
      const before = emu.messagesTo(chat).length;
      for (const command of commands) emu.sendCommand(intruder, command, chat);
      const replies = await newMessages(emu, chat, before, commands.length);
      expect(replies.map((m) => m.text)).toEqual(commands.map(() => MSG.notAdmin));
    }
    await quietFor(300);
    expect(engine.reloads).toBe(reloadsBefore);
    expect(logsMatching('reload started')).toEqual([]);
    expect(await corpusFingerprint()).toBe(corpusBefore);
    // Refused commands are not questions either.
    await t.bot.records.writer.flush();
    expect(await t.bot.records.store.window(0, Date.now() + 1)).toMatchObject({
      questions: statsBefore.questions,
      answered: statsBefore.answered,
    });
    for (const chat of [intruder.id, GROUP]) {
      expect(emu.messagesTo(chat).every((m) => !ADMIN_ONLY_TEXT.test(m.plain_text ?? ''))).toBe(true);
    }
    expect(logsMatching('admin action refused').length).toBeGreaterThanOrEqual(2 * commands.length);
  });

  it('an upload (named like an existing report, also in a group) is not stored and starts nothing', async () => {
    const intruder = citizen('Kẻ lạ');
    const reloadsBefore = engine.reloads;
    const corpusBefore = await corpusFingerprint();
    const body = Buffer.from('---\ntitle: Báo cáo giả\n---\n\nQuận thu ngân sách vượt 900%.\n');
    for (const chat of [intruder.id, GROUP]) {
      const before = emu.messagesTo(chat).length;
      emu.sendDocument(intruder, SEED_FILE, body, 'text/plain', chat);
      const [reply] = await newMessages(emu, chat, before);
      expect(reply!.text).toBe(MSG.documentFromCitizen);
    }
    await quietFor(300);
    expect(emu.callsOf('getFile')).toEqual([]); // never even downloaded
    expect(engine.reloads).toBe(reloadsBefore);
    expect(await corpusFingerprint()).toBe(corpusBefore);
    expect((await ask(emu, citizen(), BUDGET_QUESTION)).plain_text).toContain('15%');
  });

  it('pressing or forging any admin button, on the admin’s own message in a group or on its own answer, is refused', async () => {
    // The admin opens /docs and /stats in a group; the buttons under them are real.
    let before = emu.messagesTo(GROUP).length;
    emu.sendCommand(ADMIN, '/docs', GROUP);
    emu.sendCommand(ADMIN, '/stats', GROUP);
    const [docs, stats] = await newMessages(emu, GROUP, before, 2);
    expect(buttonsOf(docs!)).toEqual([ADMIN_CALLBACK.reload]);
    expect(buttonsOf(stats!)).toEqual(['adm:stats:today', 'adm:stats:7', 'adm:stats:30']);

    const intruder = citizen('Kẻ lạ');
    const own = await ask(emu, intruder, BUDGET_QUESTION);
    const reloadsBefore = engine.reloads;
    const corpusBefore = await corpusFingerprint();
    const ids: string[] = [];
    for (const data of ADMIN_BUTTON_DATA) {
      ids.push(emu.pressButton(intruder, docs!, data, { force: true }));
      ids.push(emu.pressButton(intruder, stats!, data, { force: true }));
      ids.push(emu.pressButton(intruder, own, data, { force: true }));
    }
    before = emu.messagesTo(GROUP).length;
    const privateBefore = emu.messagesTo(intruder.id).length;
    for (const answer of await callbackAnswers(emu, ids)) {
      expect(answer.text).toBe(MSG.notAdmin);
      expect(answer.show_alert).toBe(true);
    }
    await quietFor(300);
    // No new message anywhere: no stats, no reload status, no report list.
    expect(repliesTo(GROUP, before)).toEqual([]);
    expect(emu.messagesTo(intruder.id).length).toBe(privateBefore);
    expect(engine.reloads).toBe(reloadsBefore);
    expect(await corpusFingerprint()).toBe(corpusBefore);
    // The admin's messages were not edited either.
    expect(emu.messagesTo(GROUP).find((m) => m.message_id === stats!.message_id)!.text).toBe(stats!.text);
  });
});

describe('an admin removed from ADMIN_IDS', () => {
  it('is refused from the next update on: nothing about admin rights is remembered', async () => {
    const before = emu.messagesTo(ADMIN.id).length;
    emu.sendCommand(ADMIN, '/docs');
    const [docs] = await newMessages(emu, ADMIN.id, before);
    expect(docs!.plain_text).toContain('Báo cáo đã nạp');

    // The set the running bot consults (the settings object it was started with).
    t.settings.ADMIN_IDS.delete(ADMIN.id);
    try {
      const reloadsBefore = engine.reloads;
      const now = emu.messagesTo(ADMIN.id).length;
      emu.sendCommand(ADMIN, '/reload');
      emu.sendCommand(ADMIN, '/stats');
      const id = emu.pressButton(ADMIN, docs!, ADMIN_CALLBACK.reload);
      const replies = await newMessages(emu, ADMIN.id, now, 2);
      expect(replies.map((m) => m.text)).toEqual([MSG.notAdmin, MSG.notAdmin]);
      expect((await callbackAnswers(emu, [id]))[0]!.text).toBe(MSG.notAdmin);
      await quietFor(300);
      expect(engine.reloads).toBe(reloadsBefore);
      // Their uploads are now a citizen's documents.
      const n = emu.messagesTo(ADMIN.id).length;
      emu.sendDocument(ADMIN, 'moi.txt', Buffer.from('Nội dung mới.'), 'text/plain');
      expect((await newMessages(emu, ADMIN.id, n))[0]!.text).toBe(MSG.documentFromCitizen);
    } finally {
      t.settings.ADMIN_IDS.add(ADMIN.id);
    }
    // And back: the button works again for them.
    const reloadsBefore = engine.reloads;
    const now = emu.messagesTo(ADMIN.id).length;
    emu.pressButton(ADMIN, docs!, ADMIN_CALLBACK.reload);
    await emu.waitFor(
      () =>
        emu
          .messagesTo(ADMIN.id)
          .slice(now)
          .some((m) => m.plain_text?.includes('Đã nạp lại xong')),
      15_000,
    );
    expect(engine.reloads).toBe(reloadsBefore + 1);
  });

  it('in production: ADMIN_IDS is read at start-up, so a restart without them takes the rights away', async () => {
    const otherDir = await makeTempDir('auth-restart-');
    await makeCorpus(otherDir);
    const otherEmu = await BotApiEmulator.start();
    try {
      const first = await startTestBot({ dir: otherDir, emu: otherEmu });
      const before = otherEmu.messagesTo(ADMIN.id).length;
      otherEmu.sendCommand(ADMIN, '/stats');
      expect((await newMessages(otherEmu, ADMIN.id, before))[0]!.plain_text).toContain('Thống kê câu hỏi');
      await first.bot.stop();

      const successor: EmulatedUser = { id: 9002, first_name: 'Người kế nhiệm' };
      const second = await startTestBot({ dir: otherDir, emu: otherEmu, env: { ADMIN_IDS: String(successor.id) } });
      try {
        const now = otherEmu.messagesTo(ADMIN.id).length;
        otherEmu.sendCommand(ADMIN, '/stats');
        otherEmu.sendCommand(ADMIN, '/reload');
        expect((await newMessages(otherEmu, ADMIN.id, now, 2)).map((m) => m.text)).toEqual([
          MSG.notAdmin,
          MSG.notAdmin,
        ]);
        otherEmu.sendCommand(successor, '/stats');
        expect((await newMessages(otherEmu, successor.id, 0))[0]!.plain_text).toContain('Thống kê câu hỏi');
      } finally {
        await second.bot.stop();
      }
    } finally {
      await otherEmu.stop();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
