// End to end, as a citizen sees it: the real start-up path (startBot), the real Engine on a temp corpus,
// and the Bot API emulator in place of Telegram.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK } from '../../src/bot/composers/questions.js';
import { MSG } from '../../src/bot/messages.vi.js';
import {
  ADMIN,
  ask,
  buttonsOf,
  CAM_LE_TITLE,
  callbackAnswers,
  captureLogs,
  citizen,
  logLines,
  logsMatching,
  newMessages,
  quietFor,
  SECOND_TITLE,
  startTestBot,
  type TestBot,
} from './helpers.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE } from '../fixtures/seed-report.js';

const QUESTION_NO_ACCENTS = 'muc tieu thu ngan sach cuoi nam cua quan la bao nhieu';

let t: TestBot;

beforeAll(async () => {
  captureLogs();
  t = await startTestBot({ env: { RATE_LIMIT_PER_MINUTE: '10' } });
});

afterAll(async () => {
  await t?.stop();
});

describe('answers', () => {
  it('answers a question with the excerpt and its citation, in HTML ("typing", if shown, before it)', async () => {
    const user = citizen();
    const reply = await ask(t.emu, user, BUDGET_QUESTION);
    expect(reply.parse_mode).toBe('HTML');
    expect(reply.plain_text).toContain(BUDGET_SENTENCE);
    expect(reply.plain_text).toContain(CAM_LE_TITLE);
    expect(reply.entities?.some((e) => e.type === 'blockquote')).toBe(true);
    expect(buttonsOf(reply).map((d) => d.split(':')[0])).toEqual(['more', 'full', 'fb', 'fb']);
    // Callback data stays far below Telegram's 64 bytes.
    for (const data of buttonsOf(reply)) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);

    const typing = t.emu.callsOf('sendChatAction').filter((c) => Number(c.params.chat_id) === user.id);
    const sent = t.emu.callsOf('sendMessage').filter((c) => Number(c.params.chat_id) === user.id);
    // A quick answer goes out without "typing" (TYPING_DELAY_MS); a slow one on a loaded machine gets it first.
    for (const action of typing) {
      expect(action.params.action).toBe('typing');
      expect(action.at).toBeLessThanOrEqual(sent[0]!.at);
    }

    // The log line names the citizen by the record's pseudonym, never by the Telegram id.
    const line = logsMatching('question').find((r) => r.user === t.bot.records.pseudonym(user.id))!;
    expect(line).toMatchObject({ answered: true, chars: BUDGET_QUESTION.length, text: BUDGET_QUESTION });
    expect(logsMatching('question').some((r) => Object.values(r).includes(user.id))).toBe(false);
    expect(typeof line.ms).toBe('number');
  });

  it('gives the same answer to the question typed without diacritics', async () => {
    const user = citizen();
    const accented = await ask(t.emu, user, BUDGET_QUESTION);
    const plain = await ask(t.emu, user, QUESTION_NO_ACCENTS);
    expect(plain.plain_text).toContain(BUDGET_SENTENCE);
    expect(plain.plain_text).toBe(accented.plain_text);
  });

  it('says kindly when the reports do not cover the question, and lists what they cover', async () => {
    const reply = await ask(t.emu, citizen(), 'Thời tiết ngày mai thế nào?');
    expect(reply.plain_text).toContain('Xin lỗi, các báo cáo hiện có không đề cập');
    expect(reply.plain_text).toContain(CAM_LE_TITLE);
    expect(reply.plain_text).toContain(SECOND_TITLE);
    // Only the 👍/👎 row: there are no passages to show.
    expect(buttonsOf(reply).map((d) => d.replace(/^fb:[A-Za-z0-9_-]+:/, 'fb:'))).toEqual(['fb:up', 'fb:down']);
  });

  it('keeps each chat in order while chats run concurrently', async () => {
    const user = citizen();
    const questions = [
      BUDGET_QUESTION,
      'Phường Khuê Trung trồng bao nhiêu cây xanh?',
      'Thời tiết ngày mai thế nào?',
      'Kinh phí trồng cây xanh là bao nhiêu?',
    ];
    for (const q of questions) t.emu.sendText(user, q);
    const replies = await newMessages(t.emu, user.id, 0, questions.length);
    expect(replies[0]!.plain_text).toContain('15%');
    expect(replies[1]!.plain_text).toContain('350 cây xanh');
    expect(replies[2]!.plain_text).toContain('Xin lỗi');
    expect(replies[3]!.plain_text).toContain('1,2 tỷ đồng');
  });
});

describe('/start, /help and the command menu', () => {
  it('/start greets with three example questions as buttons; pressing one asks it', async () => {
    const user = citizen('Hùng');
    t.emu.sendCommand(user, '/start');
    const [greeting] = await newMessages(t.emu, user.id, 0);
    expect(greeting!.plain_text).toContain('Xin chào Hùng');
    expect(buttonsOf(greeting!)).toEqual(['ex:0', 'ex:1', 'ex:2']);

    const queryId = t.emu.pressButton(user, greeting!, 'ex:0');
    const [answer] = await newMessages(t.emu, user.id, 1);
    expect(answer!.plain_text).toContain(BUDGET_QUESTION); // the question is echoed, the user did not type it
    expect(answer!.plain_text).toContain(BUDGET_SENTENCE);
    expect(t.emu.callsOf('answerCallbackQuery').some((c) => c.params.callback_query_id === queryId)).toBe(true);
  });

  it('/help lists the documents and how to ask; admin commands only for admins', async () => {
    const user = citizen();
    t.emu.sendCommand(user, '/help');
    const [help] = await newMessages(t.emu, user.id, 0);
    expect(help!.plain_text).toContain(CAM_LE_TITLE);
    expect(help!.plain_text).toContain(SECOND_TITLE);
    expect(help!.plain_text).toContain('không dấu');
    expect(help!.plain_text).not.toContain('/reload');

    const before = t.emu.messagesTo(ADMIN.id).length;
    t.emu.sendCommand(ADMIN, '/help');
    const [adminHelp] = await newMessages(t.emu, ADMIN.id, before);
    expect(adminHelp!.plain_text).toContain('/reload');
  });

  it('registers the citizen menu, and the admin menu in each admin chat', () => {
    const calls = t.emu.callsOf('setMyCommands').map((c) => ({
      scope: typeof c.params.scope === 'string' ? JSON.parse(c.params.scope) : c.params.scope,
      commands: (typeof c.params.commands === 'string' ? JSON.parse(c.params.commands) : c.params.commands) as {
        command: string;
      }[],
    }));
    const citizenMenu = calls.find((c) => !c.scope);
    expect(citizenMenu?.commands.map((c) => c.command)).toEqual(['start', 'help', 'privacy', 'forget']);
    const adminMenu = calls.find((c) => c.scope?.type === 'chat' && c.scope.chat_id === ADMIN.id);
    expect(adminMenu?.commands.map((c) => c.command)).toEqual([
      'start',
      'help',
      'privacy',
      'forget',
      'reload',
      'docs',
      'stats',
      'export',
      'synonym',
    ]);
  });

  it('answers an unknown command with a hint', async () => {
    const user = citizen();
    t.emu.sendCommand(user, '/foo');
    const [hint] = await newMessages(t.emu, user.id, 0);
    expect(hint!.text).toBe(MSG.unknownCommand);
  });
});

describe('buttons under an answer', () => {
  it('"Xem thêm" shows the further passages with citations; "Toàn văn đoạn" the whole passage', async () => {
    const user = citizen();
    const answer = await ask(t.emu, user, BUDGET_QUESTION);
    const [more, full] = buttonsOf(answer);

    const moreQuery = t.emu.pressButton(user, answer, more!);
    const [further] = await newMessages(t.emu, user.id, 1);
    expect(further!.plain_text).toContain(MSG.morePassagesTitle);
    expect(further!.plain_text).toMatch(/📄 (Báo cáo 6 tháng|Kế hoạch phát triển cây xanh)/);

    const fullQuery = t.emu.pressButton(user, answer, full!);
    const [passage] = await newMessages(t.emu, user.id, 2);
    expect(passage!.plain_text).toContain(MSG.fullPassageTitle);
    expect(passage!.plain_text).toContain(BUDGET_SENTENCE);
    expect(passage!.plain_text!.length).toBeGreaterThan(answer.plain_text!.length);
    // The excerpt is bold inside the passage.
    expect(
      passage!.entities?.some(
        (e) => e.type === 'bold' && passage!.plain_text!.slice(e.offset, e.offset + e.length).includes('15%'),
      ),
    ).toBe(true);

    const answered = t.emu.callsOf('answerCallbackQuery').map((c) => c.params.callback_query_id);
    expect(answered).toContain(moreQuery);
    expect(answered).toContain(fullQuery);
  });

  it('an unknown, forged or other-chat answer id gets a polite "hết hạn" and nothing else', async () => {
    const owner = citizen();
    const answer = await ask(t.emu, owner, BUDGET_QUESTION);
    const realId = buttonsOf(answer)[0]!.slice(CALLBACK.more.length);

    const stranger = citizen();
    const strangerMsg = await ask(t.emu, stranger, BUDGET_QUESTION);
    const cases = [CALLBACK.more + 'AAAAAAAA', CALLBACK.full + 'zzzzzzzz', CALLBACK.more + realId, 'garbage', 'ex:99'];
    const ids = cases.map((data) => t.emu.pressButton(stranger, strangerMsg, data, { force: true }));
    const answers = await callbackAnswers(t.emu, ids);
    expect(answers.map((a) => a.text)).toEqual(ids.map(() => MSG.callbackExpired));
    await quietFor(200);
    expect(t.emu.messagesTo(stranger.id)).toHaveLength(1);
  });
});

describe('unusual input', () => {
  it.each([
    ['whitespace', '   \n\t  ', MSG.emptyQuestion],
    ['only emoji', '😀😀🙏', MSG.emptyQuestion],
    ['10,000 characters', 'thu ngân sách '.repeat(715).slice(0, 10_000), MSG.tooLong(1000)],
  ])('%s gets exactly one clear reply', async (_label, text, expected) => {
    const user = citizen();
    t.emu.sendText(user, text);
    const [reply] = await newMessages(t.emu, user.id, 0);
    expect(reply!.plain_text).toBe(expected.replace(/<[^>]+>/g, ''));
    await quietFor(300);
    expect(t.emu.messagesTo(user.id)).toHaveLength(1);
  });

  it('a sticker, a photo and a voice note each get a short hint', async () => {
    const user = citizen();
    t.emu.sendSticker(user);
    t.emu.sendPhoto(user);
    t.emu.sendVoice(user);
    const replies = await newMessages(t.emu, user.id, 0, 3);
    for (const r of replies) expect(r.text).toBe(MSG.nonText);
  });

  it('a document from a citizen gets a hint and is not stored', async () => {
    const user = citizen();
    const getFileBefore = t.emu.callsOf('getFile').length;
    t.emu.sendDocument(user, 'bao-cao.txt', Buffer.from('Nội dung giả'), 'text/plain');
    const [reply] = await newMessages(t.emu, user.id, 0);
    expect(reply!.text).toBe(MSG.documentFromCitizen);
    expect(t.emu.callsOf('getFile').length).toBe(getFileBefore);
  });
});

describe('production behaviour', () => {
  it('a flood of 30 messages gets answers up to the limit plus exactly one notice', async () => {
    const user = citizen();
    for (let i = 0; i < 30; i++) t.emu.sendText(user, `${BUDGET_QUESTION} (${i})`);
    await t.emu.waitForMessages(user.id, 11);
    await quietFor(500);
    const replies = t.emu.messagesTo(user.id);
    expect(replies).toHaveLength(11);
    const notices = replies.filter((r) => r.text === MSG.rateLimited(10));
    expect(notices).toHaveLength(1);
    expect(replies.filter((r) => r.plain_text?.includes('15%'))).toHaveLength(10);
    // The notice comes after the answers it follows, in order.
    expect(replies[10]!.text).toBe(MSG.rateLimited(10));
    // Someone else is not affected.
    expect((await ask(t.emu, citizen(), BUDGET_QUESTION)).plain_text).toContain('15%');
  });

  it('honours a 429 retry_after on sendMessage: the reply still arrives', async () => {
    const user = citizen();
    t.emu.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const started = Date.now();
    const reply = await ask(t.emu, user, BUDGET_QUESTION);
    expect(reply.plain_text).toContain(BUDGET_SENTENCE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const failed = t.emu.failedCalls().filter((f) => f.method === 'sendMessage' && f.error_code === 429);
    expect(failed.some((f) => Number(f.params.chat_id) === user.id)).toBe(true);
  });

  it('a user who blocked the bot causes no retry storm, and everyone else is still served', async () => {
    const blocker = citizen();
    t.emu.blockBot(blocker.id);
    for (let i = 0; i < 3; i++) t.emu.sendText(blocker, BUDGET_QUESTION);
    await t.emu.waitFor(() => t.emu.failedCalls().filter((f) => Number(f.params.chat_id) === blocker.id).length >= 3);
    await quietFor(500);
    const toBlocker = (method: string) =>
      t.emu.callsOf(method).filter((c) => Number(c.params.chat_id) === blocker.id).length;
    // One attempt per message (the reply, or "typing" had the answer been slow), nothing retried.
    expect(toBlocker('sendChatAction') + toBlocker('sendMessage')).toBe(3);
    const blockedLogs = logsMatching('user blocked the bot; not retrying').filter((r) => r.user === blocker.id);
    expect(blockedLogs).toHaveLength(3);
    expect(blockedLogs.every((r) => r.level === 'info')).toBe(true);

    expect((await ask(t.emu, citizen(), BUDGET_QUESTION)).plain_text).toContain('15%');
  });

  it('never logs the token', () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.join('\n')).not.toContain(t.emu.token);
    expect(logLines.join('\n')).not.toContain(t.emu.token.split(':')[1]!);
  });
});
