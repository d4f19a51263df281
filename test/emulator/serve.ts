// The Bot API emulator in a process of its own, so that the bot under test and the emulator do not share
// one event loop: a bot busy answering cannot delay the emulator accepting the bot's own connections, and
// the emulator's bookkeeping does not slow the bot. Prints one JSON line on stdout when ready:
//   {"apiRoot": "http://127.0.0.1:PORT", "token": "...", "control": "http://127.0.0.1:PORT2"}
// and then serves a small control API for the test process (JSON in, JSON out):
//   POST /send   {from, text}                 queue one text message; → {updateId, queuedAt}
//   POST /burst  {messages: [{from, text}]}   queue them all in one event-loop turn; → {queuedAt}
//   POST /wait   {chats: [id], count, timeoutMs}  until every chat has ≥ count bot messages; → {ok}
//   POST /press  {from, chat, prefixes}        the callback_query pressing a button of the newest message
//                                              to `chat` that has one whose data starts with a prefix (the
//                                              first prefix found wins); not queued: → {callbackQuery} or
//                                              {callbackQuery: null}. A bot reaching the emulator at
//                                              `${apiRoot}/c/<tag>` is named by that tag in /report
//   POST /webhook-burst {url, secret, messages, connections}  as /burst, then delivers the updates to the
//                                              bot's webhook as Telegram does (POSTs with the secret header,
//                                              at most `connections` at once, each again until it gets a 200);
//                                              → {queuedAt, retriedPosts} once every update was taken
//   GET  /report                              what was queued and what the bot sent, with times (ms)
//   POST /stop                                stop the emulator and exit
// Times are Date.now() in this process, so latencies computed from the report (bot's sendMessage
// reaching the emulator minus the question being queued) do not depend on the bot's event loop.
//
// Run: npx tsx test/emulator/serve.ts   (test/emulator/remote.ts spawns it and talks to it)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotApiEmulator, type EmulatedUser } from './bot-api-emulator.js';

interface Queued {
  updateId: number;
  chat: number;
  text: string;
  queuedAt: number;
}

const emu = await BotApiEmulator.start(process.env.EMULATOR_TOKEN ? { token: process.env.EMULATOR_TOKEN } : {});
const queued: Queued[] = [];
/** Chat of each callback query handed out by /press, and who sent the pressed message, by query id. */
const pressedIn = new Map<string, { chat: number; sentBy: string | null }>();

/** See POST /press above. */
function press(from: EmulatedUser, chat: number, prefixes: string[]) {
  const messages = emu.messagesTo(chat).reverse();
  const buttonsOf = (m: (typeof messages)[number]) =>
    ((m.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][])
      .flat()
      .map((b) => b.callback_data ?? '');
  for (const prefix of prefixes) {
    for (const message of messages) {
      const data = buttonsOf(message).find((d) => d.startsWith(prefix));
      if (data === undefined) continue;
      const callbackQuery = emu.callbackQuery(from, message, data);
      pressedIn.set(callbackQuery.id, { chat, sentBy: message.sent_by ?? null });
      return { callbackQuery };
    }
  }
  return { callbackQuery: null };
}

function queue(from: EmulatedUser, text: string, at: number): Queued {
  const updateId = emu.sendText(from, text);
  const item = { updateId, chat: from.id, text, queuedAt: at };
  queued.push(item);
  return item;
}

// Hundreds of waiting users must not cost the emulator more than the bot: instead of one emulator
// waitFor per waiter (each re-checked, with a copy of the chat's messages, on every API call and every
// 25 ms), one timer counts the bot's messages per chat from the emulator's own state.
function sentCount(chat: number): number {
  const state = (
    emu as unknown as { chats: Map<number, { messages: Map<number, { sent?: unknown; deleted: boolean }> }> }
  ).chats.get(chat);
  if (!state) return 0;
  let n = 0;
  for (const m of state.messages.values()) if (m.sent && !m.deleted) n++;
  return n;
}

interface Waiter {
  chats: number[];
  count: number;
  deadline: number;
  resolve: (result: { ok: boolean; missing?: number[] }) => void;
}
const waiters = new Set<Waiter>();
setInterval(() => {
  const now = Date.now();
  for (const w of waiters) {
    const missing = w.chats.filter((c) => sentCount(c) < w.count);
    if (missing.length === 0) {
      waiters.delete(w);
      w.resolve({ ok: true });
    } else if (now > w.deadline) {
      waiters.delete(w);
      w.resolve({ ok: false, missing });
    }
  }
}, 10).unref();

function waitForReplies(
  chats: number[],
  count: number,
  timeoutMs: number,
): Promise<{ ok: boolean; missing?: number[] }> {
  return new Promise((resolve) => waiters.add({ chats, count, deadline: Date.now() + timeoutMs, resolve }));
}

/** POSTs one update to the webhook; resolves with the HTTP status (0: no connection). */
function postUpdate(url: string, secret: string, update: unknown, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify(update);
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-telegram-bot-api-secret-token': secret,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** See POST /webhook-burst above: the queued updates leave the getUpdates queue, as Telegram delivers them by webhook. */
async function webhookBurst(
  url: string,
  secret: string,
  messages: { from: EmulatedUser; text: string }[],
  connections: number,
) {
  const at = Date.now();
  const pending = emu as unknown as { updates: { update_id: number }[] };
  const before = new Set(pending.updates.map((u) => u.update_id));
  for (const m of messages) queue(m.from, m.text, at);
  const updates = pending.updates.filter((u) => !before.has(u.update_id));
  pending.updates = pending.updates.filter((u) => before.has(u.update_id));
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let retriedPosts = 0;
  let next = 0;
  const connection = async () => {
    while (next < updates.length) {
      const update = updates[next++]!;
      while ((await postUpdate(url, secret, update, agent)) !== 200) {
        retriedPosts++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, connection));
  agent.destroy();
  return { queuedAt: at, retriedPosts };
}

// biome-ignore lint/suspicious/noExplicitAny: the control API's JSON bodies, read per route.
async function body(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function report() {
  const sends = emu
    .callsOf('sendMessage')
    .map((c) => ({ chat: Number(c.params.chat_id), at: c.at, text: String(c.params.text ?? '') }));
  const actions = emu.callsOf('sendChatAction').map((c) => ({ chat: Number(c.params.chat_id), at: c.at }));
  const callbackAnswers = emu.callsOf('answerCallbackQuery').map((c) => {
    const pressed = pressedIn.get(String(c.params.callback_query_id));
    return {
      chat: pressed?.chat ?? null,
      text: typeof c.params.text === 'string' ? c.params.text : null,
      sentBy: pressed?.sentBy ?? null,
      answeredBy: c.client ?? null,
    };
  });
  return {
    queued,
    sends,
    actions,
    callbackAnswers,
    failedCalls: emu.failedCalls().length,
    pendingUpdates: emu.pendingUpdateCount(),
  };
}

const control = http.createServer((req, res) => {
  void (async () => {
    try {
      const input = req.method === 'POST' ? await body(req) : {};
      let out: unknown;
      switch (`${req.method} ${req.url}`) {
        case 'POST /send':
          out = queue(input.from, input.text, Date.now());
          break;
        case 'POST /burst': {
          const at = Date.now();
          for (const m of input.messages as { from: EmulatedUser; text: string }[]) queue(m.from, m.text, at);
          out = { queuedAt: at };
          break;
        }
        case 'POST /webhook-burst':
          out = await webhookBurst(
            String(input.url),
            String(input.secret),
            input.messages,
            Number(input.connections ?? 40),
          );
          break;
        case 'POST /wait': {
          const chats = input.chats as number[];
          const count = Number(input.count ?? 1);
          out = await waitForReplies(chats, count, Number(input.timeoutMs ?? 30_000));
          break;
        }
        case 'POST /press':
          out = press(input.from, Number(input.chat), input.prefixes as string[]);
          break;
        case 'GET /report':
          out = report();
          break;
        case 'POST /stop':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          await emu.stop();
          control.close();
          process.exit(0);
          break;
        default:
          res.writeHead(404).end();
          return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    }
  })();
});
await new Promise<void>((resolve) => control.listen({ port: 0, host: '127.0.0.1' }, () => resolve()));
const port = (control.address() as AddressInfo).port;
process.stdout.write(
  JSON.stringify({ apiRoot: emu.apiRoot, token: emu.token, control: `http://127.0.0.1:${port}` }) + '\n',
);
// The parent going away (killed test run) must not leave the emulator behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
