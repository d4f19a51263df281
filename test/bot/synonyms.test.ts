// End to end: an admin teaches the bot a citizen's word with /synonym, and the next citizen who uses it
// gets the answer the report gives under its own word. Real start-up path, the Bot API emulator.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMessage } from '../emulator/bot-api-emulator.js';
import { ADMIN, ask, captureLogs, citizen, newMessages, startTestBot, type TestBot } from './helpers.js';

// "ngân khố" is nowhere in the report nor in the built-in thesaurus; the report says "thu ngân sách".
const QUESTION = 'ngân khố đạt bao nhiêu';
const NOT_FOUND = /không đề cập/;

let t: TestBot;

beforeAll(async () => {
  captureLogs();
  t = await startTestBot({ env: { RATE_LIMIT_PER_MINUTE: '1000' } });
});

afterAll(async () => {
  await t?.stop();
});

async function adminSays(command: string): Promise<SentMessage> {
  const before = t.emu.messagesTo(ADMIN.id).length;
  t.emu.sendCommand(ADMIN, command);
  return (await newMessages(t.emu, ADMIN.id, before))[0]!;
}

const textOf = (m: SentMessage) => m.plain_text ?? m.text;

describe('/synonym', () => {
  it('makes a citizen word answerable from the next question on, and keeps it in the synonyms file', async () => {
    const lan = citizen('Lan');
    expect(textOf(await ask(t.emu, lan, QUESTION))).toMatch(NOT_FOUND);

    const confirmation = await adminSays('/synonym ngân khố = ngân sách');
    expect(textOf(confirmation)).toContain('Đã thêm nhóm từ đồng nghĩa');
    expect(textOf(confirmation)).toContain('ngân khố');

    const answer = textOf(await ask(t.emu, lan, QUESTION));
    expect(answer).not.toMatch(NOT_FOUND);
    expect(answer).toContain('57%');
    expect(await readFile(t.settings.SYNONYMS_FILE, 'utf8')).toContain('ngân khố = ngân sách\n');
  });

  it('refuses a line that is not a group, in Vietnamese, and leaves the file as it was', async () => {
    const fileBefore = await readFile(t.settings.SYNONYMS_FILE, 'utf8').catch(() => '');
    const reply = textOf(await adminSays('/synonym ngân khố'));
    expect(reply).toContain('Chưa thêm được');
    expect(reply).toContain('cần ít nhất hai cụm từ');
    expect(await readFile(t.settings.SYNONYMS_FILE, 'utf8').catch(() => '')).toBe(fileBefore);
  });

  it('shows how to use it when sent alone', async () => {
    expect(textOf(await adminSays('/dongnghia'))).toContain('/synonym yếu kém = hạn chế');
  });

  it('is refused to a citizen, whose line is not written', async () => {
    const minh = citizen('Minh');
    const fileBefore = await readFile(t.settings.SYNONYMS_FILE, 'utf8').catch(() => '');
    const before = t.emu.messagesTo(minh.id).length;
    t.emu.sendCommand(minh, '/synonym đường = ngân sách');
    const [reply] = await newMessages(t.emu, minh.id, before);
    expect(textOf(reply!)).toContain('chỉ dành cho cán bộ quản trị');
    expect(await readFile(t.settings.SYNONYMS_FILE, 'utf8').catch(() => '')).toBe(fileBefore);
  });
});
