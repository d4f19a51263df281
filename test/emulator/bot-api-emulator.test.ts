import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot, GrammyError, InputFile } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { run } from '@grammyjs/runner';
import { BotApiEmulator, parseTelegramHtml } from './bot-api-emulator.js';

const alice = { id: 1001, first_name: 'Alice' };
const bob = { id: 1002, first_name: 'Bob' };

let emu: BotApiEmulator;

beforeEach(async () => {
  emu = await BotApiEmulator.start();
});
afterEach(async () => {
  await emu.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const makeBot = (token = emu.token) => new Bot(token, { client: { apiRoot: emu.apiRoot } });

/** Runs `fn` while a grammY bot long-polls the emulator, then stops the bot cleanly. */
async function withPollingBot(setup: (bot: Bot) => void, fn: (bot: Bot) => Promise<void>): Promise<void> {
  const bot = makeBot();
  setup(bot);
  const errors: unknown[] = [];
  bot.catch((err) => errors.push(err.error));
  const running = bot.start({ timeout: 1 });
  try {
    await fn(bot);
  } finally {
    await bot.stop();
    await running;
  }
  expect(errors).toEqual([]);
}

/** The Bot API's response envelope; `result` is whatever the method returns. */
interface ApiResponse<T = unknown> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
}

async function rawCall(method: string, params: unknown = {}, token = emu.token) {
  const res = await fetch(`${emu.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse };
}

async function apiError(promise: Promise<unknown>): Promise<GrammyError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('message flow with a polling grammY bot', () => {
  it('round-trips a user text to the bot reply', async () => {
    await withPollingBot(
      (bot) => {
        bot.command('start', (ctx) => ctx.reply('Chào mừng!'));
        bot.on('message:text', (ctx) =>
          ctx.reply(`echo: ${ctx.message.text}`, { reply_parameters: { message_id: ctx.message.message_id } }),
        );
      },
      async () => {
        emu.sendCommand(alice, 'start');
        const sentId = emu.sendText(alice, 'xin chào');
        const messages = await emu.waitForMessages(alice.id, 2);
        expect(messages.map((m) => m.text)).toEqual(['Chào mừng!', 'echo: xin chào']);
        expect(messages[1]).toMatchObject({ chat_id: alice.id, reply_to_message_id: sentId });
        expect(emu.messagesTo(bob.id)).toEqual([]);
      },
    );
  });

  it('delivers an update once: bot.stop() confirms the offset, a new bot only sees new updates', async () => {
    const seen: string[] = [];
    const setup = (bot: Bot) =>
      bot.on('message:text', async (ctx) => {
        seen.push(ctx.message.text);
        await ctx.reply(`got ${ctx.message.text}`);
      });
    await withPollingBot(setup, async () => {
      emu.sendText(alice, 'one');
      emu.sendText(alice, 'two');
      await emu.waitForMessages(alice.id, 2);
    });
    expect(emu.pendingUpdateCount()).toBe(0);
    await withPollingBot(setup, async () => {
      emu.sendText(alice, 'three');
      await emu.waitForMessages(alice.id, 3);
    });
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it('works with @grammyjs/runner and concurrent handlers', async () => {
    const bot = makeBot();
    bot.on('message:text', async (ctx) => {
      await ctx.replyWithChatAction('typing');
      await sleep(20);
      await ctx.reply(ctx.message.text.toUpperCase());
    });
    const handle = run(bot, { runner: { fetch: { timeout: 1 } } });
    try {
      for (let i = 0; i < 5; i++) emu.sendText({ id: 2000 + i }, `user ${i}`);
      for (let i = 0; i < 5; i++) {
        const [m] = await emu.waitForMessages(2000 + i, 1);
        expect(m!.text).toBe(`USER ${i}`);
      }
      expect(emu.callsOf('sendChatAction')).toHaveLength(5);
    } finally {
      await handle.stop();
    }
  });

  it('presses inline buttons, answers the callback once, edits the message', async () => {
    await withPollingBot(
      (bot) => {
        bot.command('menu', (ctx) =>
          ctx.reply('Chọn quận', {
            reply_markup: { inline_keyboard: [[{ text: 'Cẩm Lệ', callback_data: 'district:camle' }]] },
          }),
        );
        bot.on('callback_query:data', async (ctx) => {
          await ctx.answerCallbackQuery({ text: 'ok' });
          await ctx.editMessageText(`<b>Đã chọn</b> ${ctx.callbackQuery.data}`, { parse_mode: 'HTML' });
        });
      },
      async (bot) => {
        emu.sendCommand(alice, '/menu');
        const [menu] = await emu.waitForMessages(alice.id, 1);
        expect(() => emu.pressButton(alice, menu!, 'nope')).toThrow(/district:camle/);
        const queryId = emu.pressButton(alice, menu!, 'district:camle');
        await emu.waitFor(() => emu.messagesTo(alice.id)[0]?.edited === true);
        const [edited] = emu.messagesTo(alice.id);
        expect(edited).toMatchObject({
          text: '<b>Đã chọn</b> district:camle',
          plain_text: 'Đã chọn district:camle',
          parse_mode: 'HTML',
        });
        expect(edited!.reply_markup).toBeUndefined(); // editing text without reply_markup drops the keyboard
        expect(emu.callsOf('answerCallbackQuery').map((c) => c.params)).toEqual([
          { callback_query_id: queryId, text: 'ok' },
        ]);
        const again = await apiError(bot.api.answerCallbackQuery(queryId));
        expect(again.description).toMatch(/query is too old/);
      },
    );
  });
});

describe('getUpdates', () => {
  it('redelivers until confirmed with offset, with increasing update ids', async () => {
    const api = makeBot().api;
    emu.sendText(alice, 'one');
    const first = await api.getUpdates();
    expect(first).toHaveLength(1);
    const again = await api.getUpdates();
    expect(again.map((u) => u.update_id)).toEqual([first[0]!.update_id]);
    expect(await api.getUpdates({ offset: first[0]!.update_id + 1 })).toEqual([]);
    emu.sendText(alice, 'two');
    emu.sendText(alice, 'three');
    const limited = await api.getUpdates({ limit: 1 });
    expect(limited.map((u) => u.message?.text)).toEqual(['two']);
    expect(limited[0]!.update_id).toBeGreaterThan(first[0]!.update_id);
    const last = await api.getUpdates({ offset: -1 });
    expect(last.map((u) => u.message?.text)).toEqual(['three']);
  });

  it('holds a long poll and answers as soon as an update arrives', async () => {
    const api = makeBot().api;
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 5 });
    await sleep(300);
    emu.sendText(alice, 'during the hold');
    const updates = await poll;
    const elapsed = Date.now() - started;
    expect(updates.map((u) => u.message?.text)).toEqual(['during the hold']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('returns [] when the poll timeout elapses, and answers a superseded poll with []', async () => {
    const api = makeBot().api;
    const started = Date.now();
    expect(await api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const older = api.getUpdates({ timeout: 10 });
    await sleep(100);
    const newer = api.getUpdates({ timeout: 10 });
    expect(await older).toEqual([]);
    emu.sendText(alice, 'x');
    expect((await newer).map((u) => u.message?.text)).toEqual(['x']);
    expect(emu.stats.getUpdatesCalls).toBe(3);
  });

  it('stop() ends a held long poll promptly', async () => {
    const started = Date.now();
    const poll = rawCall('getUpdates', { timeout: 25 });
    await sleep(150);
    await emu.stop();
    const { status, body } = await poll;
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses getUpdates while a webhook is set (409)', async () => {
    const api = makeBot().api;
    await expect(api.setWebhook('http://insecure.example')).rejects.toThrow(/HTTPS URL/);
    await api.setWebhook('https://bot.example/hook');
    emu.sendText(alice, 'queued');
    expect(await api.getWebhookInfo()).toMatchObject({ url: 'https://bot.example/hook', pending_update_count: 1 });
    expect((await apiError(api.getUpdates())).error_code).toBe(409);
    await api.deleteWebhook({ drop_pending_updates: true });
    expect(await api.getUpdates()).toEqual([]);
  });
});

describe('sendMessage validation', () => {
  it('accepts valid Telegram HTML and returns the parsed text and entities', async () => {
    const api = makeBot().api;
    const msg = await api.sendMessage(alice.id, '<b>a</b> &amp; <i>b</i>', { parse_mode: 'HTML' });
    expect(msg.text).toBe('a & b');
    expect(msg.entities).toEqual([
      { type: 'bold', offset: 0, length: 1 },
      { type: 'italic', offset: 4, length: 1 },
    ]);
    expect(msg.from).toMatchObject({ id: 123456789, is_bot: true });
    expect(msg.chat).toMatchObject({ id: alice.id, type: 'private' });
    expect(typeof msg.date).toBe('number');

    const rich = await api.sendMessage(
      alice.id,
      '<a href="https://x.example/?a=1&amp;b=2">link</a> <pre><code class="language-ts">x</code></pre> ' +
        '<blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> &#39;&#x1F600; a > b',
      { parse_mode: 'HTML' },
    );
    expect(rich.text).toBe("link x q s t '😀 a > b");
    expect(rich.entities).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://x.example/?a=1&b=2' },
      { type: 'pre', offset: 5, length: 1, language: 'ts' },
      { type: 'expandable_blockquote', offset: 7, length: 1 },
      { type: 'spoiler', offset: 9, length: 1 },
      { type: 'spoiler', offset: 11, length: 1 },
    ]);
  });

  it.each([
    ['<b>unclosed', /Can't find end tag corresponding to start tag "b"/],
    ['<script>alert(1)</script>', /Unsupported start tag "script" at byte offset 0/],
    ['a < b', /Unsupported start tag "" at byte offset 2/],
    ['&foo; bar', /Invalid HTML entity "&foo;"/],
    ['AT&T', /Invalid HTML entity/],
    ['<b><i>x</b></i>', /Unmatched end tag at byte offset 7, expected "<\/i>", found "<\/b>"/],
    ['x</b>', /Unexpected end tag/],
    ['<span>x</span>', /Tag "span" must have class "tg-spoiler"/],
    ['<br>', /Unsupported start tag "br"/],
    ['ô <b', /Unclosed start tag at byte offset 3/],
  ])('rejects bad HTML %j', async (text, message) => {
    const err = await apiError(makeBot().api.sendMessage(alice.id, text, { parse_mode: 'HTML' }));
    expect(err.error_code).toBe(400);
    expect(err.description).toMatch(/^Bad Request: can't parse entities: /);
    expect(err.description).toMatch(message);
  });

  it('enforces the 4096 UTF-16 code unit limit on the visible text', async () => {
    const api = makeBot().api;
    await api.sendMessage(alice.id, 'a'.repeat(4096));
    expect((await apiError(api.sendMessage(alice.id, 'a'.repeat(4097)))).description).toBe(
      'Bad Request: message is too long',
    );
    await api.sendMessage(alice.id, '😀'.repeat(2048)); // 2 code units each
    await expect(api.sendMessage(alice.id, '😀'.repeat(2049))).rejects.toThrow(/message is too long/);
    await api.sendMessage(alice.id, `<b>${'a'.repeat(4096)}</b>`, { parse_mode: 'HTML' }); // tags do not count
    expect((await apiError(api.sendMessage(alice.id, ' \n '))).description).toBe('Bad Request: message text is empty');
    expect((await apiError(api.sendMessage(alice.id, '<b> </b>', { parse_mode: 'HTML' }))).description).toBe(
      'Bad Request: message text is empty',
    );
    expect(emu.messagesTo(alice.id)).toHaveLength(3);
  });

  it('validates callback_data length in bytes', async () => {
    const api = makeBot().api;
    const keyboard = (data: string) => ({ reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: data }]] } });
    await api.sendMessage(alice.id, 'ok', keyboard('ă'.repeat(32))); // 64 bytes
    for (const data of ['ă'.repeat(33), '']) {
      expect((await apiError(api.sendMessage(alice.id, 'bad', keyboard(data)))).description).toBe(
        'Bad Request: BUTTON_DATA_INVALID',
      );
    }
  });

  it('also parses form-urlencoded requests', async () => {
    const res = await fetch(`${emu.apiRoot}/bot${emu.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        chat_id: String(alice.id),
        text: '<i>hi</i>',
        parse_mode: 'HTML',
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'go', callback_data: 'go' }]] }),
      }),
    });
    const body = (await res.json()) as ApiResponse;
    expect(body.ok).toBe(true);
    expect(body.result).toMatchObject({ text: 'hi', entities: [{ type: 'italic', offset: 0, length: 2 }] });
    expect(emu.messagesTo(alice.id)[0]!.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'go', callback_data: 'go' }]],
    });
  });
  it('also parses plain multipart/form-data and rejects malformed JSON', async () => {
    const form = new FormData();
    form.set('chat_id', String(alice.id));
    form.set('caption', 'từ curl');
    form.set('document', new Blob([Buffer.from('raw bytes')]), 'raw.bin');
    const res = await fetch(`${emu.apiRoot}/bot${emu.token}/sendDocument`, { method: 'POST', body: form });
    const body = (await res.json()) as ApiResponse<{ document: unknown }>;
    expect(body.result?.document).toMatchObject({ file_name: 'raw.bin', file_size: 9 });
    expect(emu.messagesTo(alice.id)[0]!.text).toBe('từ curl');

    const bad = await fetch(`${emu.apiRoot}/bot${emu.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"chat_id": 1',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiResponse).ok).toBe(false);
  });
});

describe('editing and deleting', () => {
  it('rejects no-op edits, applies edits and deletions', async () => {
    const api = makeBot().api;
    const markup = { inline_keyboard: [[{ text: 'more', callback_data: 'more' }]] };
    const msg = await api.sendMessage(alice.id, '<b>x</b>', { parse_mode: 'HTML', reply_markup: markup });
    const notModified = await apiError(
      api.editMessageText(alice.id, msg.message_id, '<b>x</b>', { parse_mode: 'HTML', reply_markup: markup }),
    );
    expect(notModified.description).toMatch(/^Bad Request: message is not modified/);
    // Same visible text without the bold entity is a real change.
    await api.editMessageText(alice.id, msg.message_id, 'x', { reply_markup: markup });
    await expect(api.editMessageReplyMarkup(alice.id, msg.message_id, { reply_markup: markup })).rejects.toThrow(
      /not modified/,
    );
    await api.editMessageReplyMarkup(alice.id, msg.message_id);
    expect(emu.messagesTo(alice.id)).toMatchObject([{ message_id: msg.message_id, text: 'x', edited: true }]);
    expect(emu.messagesTo(alice.id)[0]!.reply_markup).toBeUndefined();
    await expect(api.editMessageText(alice.id, 999, 'y')).rejects.toThrow(/message to edit not found/);

    expect(await api.deleteMessage(alice.id, msg.message_id)).toBe(true);
    expect(emu.messagesTo(alice.id)).toEqual([]);
    expect(emu.historyTo(alice.id)).toMatchObject([{ message_id: msg.message_id, deleted: true }]);
    await expect(api.deleteMessage(alice.id, msg.message_id)).rejects.toThrow(/message to delete not found/);
  });
});

describe('faults', () => {
  it('surfaces an injected 429 as a GrammyError with retry_after', async () => {
    const api = makeBot().api;
    emu.failNext('sendMessage', { code: 429, retryAfter: 7 });
    const err = await apiError(api.sendMessage(alice.id, 'hi'));
    expect(err.error_code).toBe(429);
    expect(err.description).toBe('Too Many Requests: retry after 7');
    expect(err.parameters.retry_after).toBe(7);
    await api.sendMessage(alice.id, 'hi'); // only the next call was faulted
    expect(emu.callsOf('sendMessage')).toHaveLength(2);
    expect(emu.messagesTo(alice.id)).toHaveLength(1);
  });

  it('lets @grammyjs/auto-retry wait out a 429', async () => {
    const bot = makeBot();
    bot.api.config.use(autoRetry());
    emu.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const started = Date.now();
    await bot.api.sendMessage(alice.id, 'eventually');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(emu.callsOf('sendMessage')).toHaveLength(2);
    expect(emu.messagesTo(alice.id).map((m) => m.text)).toEqual(['eventually']);
  });

  it('fails `times` calls with other codes and records them', async () => {
    const api = makeBot().api;
    emu.failNext('sendChatAction', { code: 500 }, 2);
    emu.failNext('sendMessage', { code: 400, description: 'Bad Request: chat not found' });
    await expect(api.sendChatAction(alice.id, 'typing')).rejects.toThrow(/500: Internal Server Error/);
    await expect(api.sendChatAction(alice.id, 'typing')).rejects.toThrow(/500/);
    expect(await api.sendChatAction(alice.id, 'typing')).toBe(true);
    await expect(api.sendMessage(alice.id, 'x')).rejects.toThrow(/chat not found/);
    expect(emu.callsOf('sendChatAction')).toHaveLength(3);
    expect(emu.failedCalls().map((f) => `${f.method} ${f.error_code}`)).toEqual([
      'sendChatAction 500',
      'sendChatAction 500',
      'sendMessage 400',
    ]);
    expect(() => emu.failNext('sendMesage', { code: 500 })).toThrow(/does not implement/);
  });

  it('answers 403 once the user blocked the bot', async () => {
    const api = makeBot().api;
    emu.blockBot(alice.id);
    const err = await apiError(api.sendMessage(alice.id, 'hello?'));
    expect(err.error_code).toBe(403);
    expect(err.description).toBe('Forbidden: bot was blocked by the user');
    await expect(api.sendChatAction(alice.id, 'typing')).rejects.toThrow(/blocked/);
    await api.sendMessage(bob.id, 'still fine');
    const [update] = await api.getUpdates();
    expect(update!.my_chat_member?.new_chat_member.status).toBe('kicked');
    emu.unblockBot(alice.id);
    await api.sendMessage(alice.id, 'welcome back');
  });

  it('rejects a wrong token with 401 and unknown methods with 404', async () => {
    const wrong = makeBot('999999:WrongTokenWrongTokenWrongToken');
    const err = await apiError(wrong.api.getMe());
    expect(err.error_code).toBe(401);
    expect(err.description).toBe('Unauthorized');
    await expect(wrong.init()).rejects.toThrow(/401/);
    expect(await rawCall('getMe', {}, 'nope')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect(await rawCall('frobnicate')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
  });

  it('reports what was received when waitForMessages times out', async () => {
    await makeBot().api.sendMessage(alice.id, 'only one');
    emu.sendText(alice, 'nobody polls');
    const err = await emu.waitForMessages(alice.id, 2, 150).catch((e: Error) => e);
    expect(String(err)).toMatch(/expected at least 2 message\(s\) to chat 1001/);
    expect(String(err)).toMatch(/#1 "only one"/);
    expect(String(err)).toMatch(/1 update\(s\) not yet confirmed/);
  });
});

describe('files and bot settings', () => {
  it('serves documents sent by users through getFile and the download URL', async () => {
    const api = makeBot().api;
    const bytes = Buffer.from('%PDF-1.4 báo cáo quận Cẩm Lệ\n');
    emu.sendDocument(alice, 'bao-cao.pdf', bytes, 'application/pdf');
    const [update] = await api.getUpdates();
    const doc = update!.message!.document!;
    expect(doc).toMatchObject({ file_name: 'bao-cao.pdf', mime_type: 'application/pdf', file_size: bytes.length });
    const file = await api.getFile(doc.file_id);
    const res = await fetch(`${emu.apiRoot}/file/bot${emu.token}/${file.file_path}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${emu.apiRoot}/file/bot${emu.token}/documents/missing.pdf`)).status).toBe(404);
    await expect(api.getFile('no-such-file')).rejects.toThrow(/invalid file_id/);
  });

  it('accepts sendDocument as a multipart upload and by file_id', async () => {
    const api = makeBot().api;
    const bytes = Buffer.from('ghi chú\n'.repeat(100));
    const uploaded = await api.sendDocument(alice.id, new InputFile(bytes, 'notes.txt'), {
      caption: '<b>Ghi chú</b>',
      parse_mode: 'HTML',
    });
    expect(uploaded.document).toMatchObject({ file_name: 'notes.txt', file_size: bytes.length });
    expect(uploaded.caption).toBe('Ghi chú');
    const path = (await api.getFile(uploaded.document!.file_id)).file_path!;
    const res = await fetch(`${emu.apiRoot}/file/bot${emu.token}/${path}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    await api.sendDocument(bob.id, uploaded.document!.file_id);
    expect(emu.messagesTo(bob.id)[0]!.document?.file_name).toBe('notes.txt');
    await expect(api.sendDocument(bob.id, 'bogus-id')).rejects.toThrow(/wrong file identifier/);
    expect(emu.messagesTo(alice.id)[0]).toMatchObject({ text: '<b>Ghi chú</b>', plain_text: 'Ghi chú' });
  });

  it('stores commands, chat actions and simple settings', async () => {
    const api = makeBot().api;
    const commands = [
      { command: 'start', description: 'Bắt đầu' },
      { command: 'help', description: 'Trợ giúp' },
    ];
    await api.setMyCommands(commands);
    expect(emu.myCommands()).toEqual({ commands });
    expect(await api.getMyCommands()).toEqual(commands);
    expect(await api.getMyCommands({ language_code: 'en' })).toEqual([]);
    await expect(api.setMyCommands([{ command: 'Start!', description: 'x' }])).rejects.toThrow(/BOT_COMMAND_INVALID/);
    await api.deleteMyCommands();
    expect(await api.getMyCommands()).toEqual([]);

    await api.sendChatAction(alice.id, 'typing');
    await expect(api.sendChatAction(alice.id, 'dancing' as 'typing')).rejects.toThrow(/wrong parameter action/);
    expect(emu.callsOf('sendChatAction').map((c) => c.params.action)).toEqual(['typing', 'dancing']);
    expect(await api.close()).toBe(true);
    expect(await api.logOut()).toBe(true);
    expect(emu.stats.requests).toBe(10);
  });

  it('applies the configured latency to every response', async () => {
    const slow = await BotApiEmulator.start({ latencyMs: 80, token: '42:AnotherTokenForTheLatencyTest' });
    try {
      const bot = new Bot(slow.token, { client: { apiRoot: slow.apiRoot } });
      const started = Date.now();
      expect((await bot.api.getMe()).id).toBe(42);
      expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    } finally {
      await slow.stop();
    }
  });
});

describe('parseTelegramHtml', () => {
  it('reports byte offsets like Telegram and entity offsets in UTF-16', () => {
    expect(parseTelegramHtml('😀 <b>x</b>')).toEqual({
      text: '😀 x',
      entities: [{ type: 'bold', offset: 3, length: 1 }],
    });
    expect(() => parseTelegramHtml('😀 <x>')).toThrow(/Unsupported start tag "x" at byte offset 5/);
  });
});
