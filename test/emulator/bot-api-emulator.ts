// In-process emulator of the Telegram Bot API for end-to-end tests.
//
// It speaks the same HTTP shapes as https://api.telegram.org so that the unmodified grammY client,
// @grammyjs/runner and @grammyjs/auto-retry can be pointed at it through `client.apiRoot`.
// Only the methods a typical text bot uses are implemented; everything else answers 404 like an
// unknown method does on the real server.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Public types

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export interface SentMessage {
  message_id: number;
  chat_id: number;
  /** The text exactly as the bot sent it (HTML markup included); for documents the caption or ''. */
  text: string;
  parse_mode?: string;
  reply_markup?: Params;
  reply_to_message_id?: number;
  date: number;
  edited?: boolean;
  /** Addition: the visible text after entity parsing and trimming, as Telegram stores it. */
  plain_text?: string;
  /** Addition: the entities Telegram would attach (UTF-16 offsets). */
  entities?: MessageEntity[];
  /** Addition: the tag of the api root (`${apiRoot}/c/<tag>`) the bot sent it through, if any. */
  sent_by?: string;
  /** Addition: set for messages sent with sendDocument. */
  document?: { file_id: string; file_unique_id: string; file_name?: string; mime_type?: string; file_size: number };
  /** Addition: true once the bot deleted the message (only visible through historyTo). */
  deleted?: boolean;
}

export interface EmulatedUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type Fault = { code: 429; retryAfter: number } | { code: 403 | 400 | 500; description?: string };

export interface FailedCall {
  method: string;
  params: Params;
  error_code: number;
  description: string;
  at: number;
}

export interface EmulatorOptions {
  token?: string;
  /** Delay added before every response, to shake out ordering assumptions. */
  latencyMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Internals

/** Decoded Bot API JSON (request parameters, Message, Chat and User objects): read field by field, never trusted. */
export type Params = Record<string, unknown>;

/** A Message object as Telegram returns it: any fields, of which the emulator relies on these. */
interface ApiMessage extends Params {
  message_id: number;
  reply_markup?: Params;
}

/** A Chat object as Telegram returns it. */
interface ApiChat extends Params {
  id: number;
}

interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  file_name?: string;
  mime_type: string;
  data: Buffer;
}

interface StoredMessage {
  message: ApiMessage; // the Message object as Telegram would return it
  fromBot: boolean;
  sent?: SentMessage; // bookkeeping for messages the bot sent
  deleted: boolean;
}

interface ChatState {
  chat: ApiChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>; // insertion order == send order
}

interface Update {
  update_id: number;
  [kind: string]: unknown;
}

interface HeldPoll {
  limit: number;
  finish(updates: Update[]): void;
}

interface CallContext {
  files: Map<string, UploadedFile>;
  res: http.ServerResponse;
  /** The tag of an api root `…/c/<tag>` the call came through (see `callsOf`). */
  client?: string;
}

type Handler = (p: Params, ctx: CallContext) => unknown;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

const DEFAULT_TOKEN = '123456789:AAEmulatorTokenForTestsOnly_abcdefghij';
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const MAX_LONG_POLL_SECONDS = 30;
const MAX_BODY_BYTES = 60 * 1024 * 1024; // real upload limit is 50 MB
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024; // getFile refuses bigger files
const DEFAULT_WAIT_MS = 10_000;
const BLOCKED = 'Forbidden: bot was blocked by the user';
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
// Update types Telegram leaves out when allowed_updates is empty/unspecified.
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

const nowSeconds = () => Math.floor(Date.now() / 1000);
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function toInt(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

function toBool(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

// Form and multipart fields arrive as strings; object-typed parameters are JSON inside them.
function toObj(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Text formatting (HTML parse mode), modelled on the rules TDLib applies for the Bot API

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
]);
const TAG_ENTITY: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
};
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

const isHtmlSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Parses Telegram-flavoured HTML into visible text + entities, throwing 400 like Telegram on bad markup. */
export function parseTelegramHtml(src: string): { text: string; entities: MessageEntity[] } {
  // Telegram reports positions as UTF-8 byte offsets.
  const at = (idx: number) => Buffer.byteLength(src.slice(0, idx), 'utf8');
  const fail = (msg: string): never => {
    throw badRequest(`can't parse entities: ${msg}`);
  };
  const n = src.length;

  const decodeEntity = (i: number): [string, number] => {
    const m = /^&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));/.exec(src.slice(i, i + 16));
    if (!m) {
      const shown = /^&[^\s&<>;]{0,24};?/.exec(src.slice(i))![0];
      return fail(
        `Invalid HTML entity "${shown}" at byte offset ${at(i)}: only &lt; &gt; &amp; &quot; and numeric &#NN; / &#xHH; ` +
          `references are supported; escape a literal "&" as &amp;`,
      );
    }
    if (m[1]) return [NAMED_ENTITIES[m[1]]!, m[0].length];
    const cp = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return fail(`Invalid HTML entity "${m[0]}" at byte offset ${at(i)}: not a valid Unicode code point`);
    }
    return [String.fromCodePoint(cp), m[0].length];
  };

  type Open = { tag: string; start: number; url?: string; language?: string; expandable: boolean };
  const open: Open[] = [];
  const entities: MessageEntity[] = [];
  let out = '';
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c === '&') {
      const [ch, len] = decodeEntity(i);
      out += ch;
      i += len;
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    i++;
    if (src[i] !== '/') {
      // Start tag.
      const nameStart = i;
      while (i < n && !isHtmlSpace(src[i]) && src[i] !== '>') i++;
      if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
      const tag = src.slice(nameStart, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) {
        fail(
          tag === ''
            ? `Unsupported start tag "" at byte offset ${at(begin)} (a literal "<" must be escaped as &lt;)`
            : `Unsupported start tag "${tag}" at byte offset ${at(begin)}`,
        );
      }
      const attrs: Record<string, string> = {};
      let expandable = false;
      for (;;) {
        while (i < n && isHtmlSpace(src[i])) i++;
        if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (src[i] === '>') break;
        const attrStart = i;
        while (i < n && !isHtmlSpace(src[i]) && src[i] !== '=' && src[i] !== '>') i++;
        const attr = src.slice(attrStart, i).toLowerCase();
        if (attr === '') fail(`Empty attribute name in the tag "${tag}" at byte offset ${at(begin)}`);
        while (i < n && isHtmlSpace(src[i])) i++;
        if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (src[i] !== '=') {
          if (tag === 'blockquote' && attr === 'expandable') {
            expandable = true;
            continue;
          }
          fail(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${at(begin)}`);
        }
        i++;
        while (i < n && isHtmlSpace(src[i])) i++;
        if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
        let value = '';
        const quote = src[i];
        if (quote === '"' || quote === "'") {
          i++;
          while (i < n && src[i] !== quote) {
            if (src[i] === '&') {
              const [ch, len] = decodeEntity(i);
              value += ch;
              i += len;
            } else value += src[i++];
          }
          if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
          i++;
        } else {
          const valueStart = i;
          while (i < n && /[A-Za-z0-9.-]/.test(src[i]!)) i++;
          value = src.slice(valueStart, i);
          if (i >= n) fail(`Unclosed start tag at byte offset ${at(begin)}`);
        }
        if (tag === 'blockquote' && attr === 'expandable') expandable = true;
        attrs[attr] = value;
      }
      i++; // '>'
      if (tag === 'span' && attrs.class !== 'tg-spoiler') {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`);
      }
      const cls = attrs.class;
      open.push({
        tag,
        start: out.length,
        url: tag === 'a' ? attrs.href : undefined,
        language: tag === 'code' && cls?.startsWith('language-') ? cls.slice('language-'.length) : undefined,
        expandable,
      });
    } else {
      // End tag.
      i++;
      const nameStart = i;
      while (i < n && !isHtmlSpace(src[i]) && src[i] !== '>') i++;
      const endName = src.slice(nameStart, i).toLowerCase();
      while (i < n && isHtmlSpace(src[i])) i++;
      if (i >= n || src[i] !== '>') fail(`Unclosed end tag at byte offset ${at(begin)}`);
      i++;
      const top = open.pop();
      if (!top) fail(`Unexpected end tag "</${endName}>" at byte offset ${at(begin)}: no tag is open`);
      if (endName !== '' && endName !== top!.tag) {
        fail(`Unmatched end tag at byte offset ${at(begin)}, expected "</${top!.tag}>", found "</${endName}>"`);
      }
      const { tag, start } = top!;
      const length = out.length - start;
      if (length === 0) continue; // Telegram drops empty entities
      const parent = open[open.length - 1];
      if (tag === 'a') {
        if (top!.url) entities.push({ type: 'text_link', offset: start, length, url: top!.url });
      } else if (tag === 'code') {
        // <pre><code class="language-x"> becomes one pre entity carrying the language.
        if (parent?.tag === 'pre' && parent.start === start) {
          if (top!.language) parent.language = top!.language;
        } else entities.push({ type: 'code', offset: start, length });
      } else if (tag === 'pre') {
        entities.push({ type: 'pre', offset: start, length, ...(top!.language ? { language: top!.language } : {}) });
      } else if (tag === 'blockquote') {
        entities.push({ type: top!.expandable ? 'expandable_blockquote' : 'blockquote', offset: start, length });
      } else {
        entities.push({ type: TAG_ENTITY[tag]!, offset: start, length });
      }
    }
  }
  if (open.length > 0) fail(`Can't find end tag corresponding to start tag "${open[open.length - 1]!.tag}"`);
  return { text: out, entities };
}

// Telegram strips surrounding whitespace from message text and shifts entities accordingly.
function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const result: MessageEntity[] = [];
  for (const e of entities) {
    const startPos = Math.max(0, e.offset - lead);
    const end = Math.min(trimmed.length, e.offset + e.length - lead);
    if (end > startPos) result.push({ ...e, offset: startPos, length: end - startPos });
  }
  result.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: trimmed, entities: result };
}

function formatText(
  raw: unknown,
  parseMode: unknown,
  explicitEntities: unknown,
  limit: number,
  kind: 'text' | 'caption',
): { text: string; entities: MessageEntity[] } {
  const text = raw === undefined || raw === null ? '' : String(raw);
  const mode = parseMode === undefined || parseMode === null ? '' : String(parseMode).toLowerCase();
  let parsed: { text: string; entities: MessageEntity[] };
  if (mode === 'html') parsed = parseTelegramHtml(text);
  else if (mode === '' || mode === 'markdown' || mode === 'markdownv2') {
    // Markdown modes are passed through unvalidated: the bot under test uses HTML.
    const ents = toObj(explicitEntities);
    parsed = { text, entities: Array.isArray(ents) ? (ents as MessageEntity[]) : [] };
  } else throw badRequest('unsupported parse_mode');
  const result = trimFormatted(parsed.text, parsed.entities);
  if (kind === 'text') {
    if (result.text.length === 0) throw badRequest('message text is empty');
    // String length is in UTF-16 code units, which is what Telegram counts.
    if (result.text.length > limit) throw badRequest('message is too long');
  } else if (result.text.length > limit) throw badRequest('message caption is too long');
  return result;
}

const INLINE_ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

function validateMarkup(raw: unknown): Params | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const markup = toObj(raw);
  if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const kb = (markup as Params).inline_keyboard;
  if (kb === undefined) return markup as Params;
  if (!Array.isArray(kb) || !kb.every((row) => Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  for (const row of kb as unknown[][]) {
    for (const button of row) {
      if (typeof button !== 'object' || button === null) {
        throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      }
      const b = button as Params;
      if (typeof b.text !== 'string') {
        throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
      }
      if (!INLINE_ACTIONS.some((k) => b[k] !== undefined)) {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
      if (b.callback_data !== undefined) {
        if (typeof b.callback_data !== 'string') {
          throw badRequest(`can't parse inline keyboard button: Field "callback_data" must be of type String`);
        }
        const bytes = Buffer.byteLength(b.callback_data, 'utf8');
        if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined) {
        let ok = typeof b.url === 'string';
        if (ok) {
          try {
            const u = new URL(b.url as string);
            ok = ['http:', 'https:', 'tg:'].includes(u.protocol);
          } catch {
            ok = false;
          }
        }
        if (!ok) throw badRequest('BUTTON_URL_INVALID');
      }
    }
  }
  return markup as Params;
}

// Only inline keyboards are echoed back in Message objects and compared for "not modified".
const inlineOnly = (markup: Params | undefined) => (markup?.inline_keyboard ? markup : undefined);
const markupKey = (markup: Params | undefined) => JSON.stringify(inlineOnly(markup) ?? null);

function inlineCallbackData(message: ApiMessage): string[] {
  const kb = message.reply_markup?.inline_keyboard as Params[][] | undefined;
  return (kb ?? []).flat().flatMap((b) => (typeof b.callback_data === 'string' ? [b.callback_data] : []));
}

// Telegram marks /commands in user text with bot_command entities.
function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const re = /(^|\s)(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)(?![A-Za-z0-9_@/])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    entities.push({ type: 'bot_command', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}

// ---------------------------------------------------------------------------------------------
// Request body parsing

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      tooBig = true; // keep draining so the connection stays usable
    else chunks.push(chunk as Buffer);
  }
  if (tooBig) throw new ApiError(413, 'Request Entity Too Large');
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { fields: Params; files: Map<string, UploadedFile> } {
  const fields: Params = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest('invalid multipart/form-data body');
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const next = body.indexOf(separator, pos);
    if (next < 0) throw badRequest('invalid multipart/form-data body: missing closing boundary');
    const part = body.subarray(pos, next);
    pos = next + 2;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue; // empty part (grammY emits one for an empty payload)
    const headers = new Map<string, string>();
    for (const line of part.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    // grammY writes `name="x"` but an unquoted `filename=x`, so accept both forms.
    const name = /(?:^|;)\s*name=(?:"([^"]*)"|([^;\s]+))/i.exec(disposition);
    if (!name) continue;
    const key = name[1] ?? name[2]!;
    const filename = /(?:^|;)\s*filename=(?:"([^"]*)"|([^;]+))/i.exec(disposition);
    const content = part.subarray(headerEnd + 4);
    if (filename) {
      files.set(key, {
        filename: (filename[1] ?? filename[2]!).trim(),
        contentType: headers.get('content-type') ?? 'application/octet-stream',
        data: Buffer.from(content),
      });
    } else fields[key] = content.toString('utf8');
  }
  return { fields, files };
}

async function readParams(
  req: http.IncomingMessage,
  url: URL,
): Promise<{ params: Params; files: Map<string, UploadedFile> }> {
  const params: Params = Object.fromEntries(url.searchParams);
  let files = new Map<string, UploadedFile>();
  const body = await readBody(req);
  if (body.length === 0) return { params, files };
  const contentType = req.headers['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    if (!boundary) throw badRequest('multipart/form-data without boundary');
    const parsed = parseMultipart(body, (boundary[1] ?? boundary[2]!).trim());
    Object.assign(params, parsed.fields);
    files = parsed.files;
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('JSON body must be an object');
    }
    Object.assign(params, parsed);
  }
  return { params, files };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

const notFound = { ok: false, error_code: 404, description: 'Not Found' };

// ---------------------------------------------------------------------------------------------
// The emulator

export class BotApiEmulator {
  readonly apiRoot: string;
  readonly token: string;
  readonly stats: { getUpdatesCalls: number; requests: number } = { getUpdatesCalls: 0, requests: 0 };

  private readonly server: http.Server;
  private readonly latencyMs: number;
  private readonly botUser: Params;
  private readonly handlers = new Map<string, { name: string; run: Handler }>();

  private readonly chats = new Map<number, ChatState>();
  private readonly users = new Map<number, Params>();
  private readonly blocked = new Set<number>();
  private readonly files = new Map<string, StoredFile>(); // by file_id
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly calls = new Map<string, { params: Params; at: number; client?: string }[]>();
  private readonly failures: FailedCall[] = [];
  private readonly faults = new Map<string, { fault: Fault; remaining: number }[]>();
  private readonly commands = new Map<string, unknown[]>();
  private lastCommands: Params | undefined = undefined;
  private webhook: { url: string; allowed_updates?: string[]; max_connections?: number } | undefined;

  private updates: Update[] = [];
  private nextUpdateId = 100_000_001; // not 1, so offset arithmetic in the bot gets exercised
  private allowedUpdates: Set<string> | undefined;
  private heldPoll: HeldPoll | undefined;
  private fileCounter = 0;
  private callbackCounter = 0;

  private stopped = false;
  private inflight = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly sleepers = new Set<() => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly stopListeners = new Set<(err: Error) => void>();

  private constructor(server: http.Server, port: number, options: EmulatorOptions) {
    this.server = server;
    this.apiRoot = `http://127.0.0.1:${port}`;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    const botId = Number.parseInt(this.token.split(':')[0] ?? '', 10);
    this.botUser = {
      id: Number.isFinite(botId) ? botId : 123456789,
      is_bot: true,
      first_name: 'Emulator Bot',
      username: 'emulator_test_bot',
    };
    this.registerMethods();
    server.on('request', (req, res) => {
      void this.onRequest(req, res);
    });
  }

  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static async start(options: EmulatorOptions = {}): Promise<BotApiEmulator> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new BotApiEmulator(server, (server.address() as AddressInfo).port, options);
  }

  /** Answers held long polls with [], rejects pending waits, closes every connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.heldPoll?.finish([]);
    for (const wake of [...this.sleepers]) wake();
    const stoppedError = new Error('BotApiEmulator was stopped');
    for (const reject of [...this.stopListeners]) reject(stoppedError);
    // Let responses already being produced (e.g. the [] for the held poll) reach their sockets.
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1000);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // --- simulating users ------------------------------------------------------------------------

  /** Queues a text message from `from` (in their private chat unless chatId is given). */
  sendText(from: EmulatedUser, text: string, chatId?: number): number {
    const entities = commandEntities(text);
    return this.userMessage(from, chatId, { text, ...(entities.length ? { entities } : {}) });
  }

  /** Queues a command message ("/start" or "start", arguments allowed: "/ask what is X"). */
  sendCommand(from: EmulatedUser, command: string, chatId?: number): number {
    const text = command.startsWith('/') ? command : `/${command}`;
    return this.sendText(from, text, chatId);
  }

  sendSticker(from: EmulatedUser, chatId?: number): number {
    const file = this.storeFile('stickers', 'webp', 'image/webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 emulated'));
    return this.userMessage(from, chatId, {
      sticker: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: '👍',
        file_size: file.data.length,
      },
    });
  }

  sendPhoto(from: EmulatedUser, chatId?: number, caption?: string): number {
    const sizes = [90, 320, 800].map((side) => {
      const file = this.storeFile('photos', 'jpg', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, side & 0xff]));
      return {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        width: side,
        height: Math.round(side * 0.75),
        file_size: file.data.length,
      };
    });
    return this.userMessage(from, chatId, { photo: sizes, ...(caption !== undefined ? { caption } : {}) });
  }

  sendVoice(from: EmulatedUser, chatId?: number): number {
    const file = this.storeFile('voice', 'oga', 'audio/ogg', Buffer.from('OggS emulated voice'));
    return this.userMessage(from, chatId, {
      voice: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        duration: 3,
        mime_type: 'audio/ogg',
        file_size: file.data.length,
      },
    });
  }

  /** Queues a document message; the bytes are stored so getFile + download return them. */
  sendDocument(from: EmulatedUser, fileName: string, bytes: Buffer, mimeType?: string, chatId?: number): number {
    const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] ?? 'dat';
    const mime = mimeType ?? 'application/octet-stream';
    const file = this.storeFile('documents', ext, mime, bytes, fileName);
    return this.userMessage(from, chatId, {
      document: {
        file_name: fileName,
        mime_type: mime,
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: bytes.length,
      },
    });
  }

  /**
   * Queues a callback_query for an inline button on one of the bot's messages and returns the
   * query id. Like a real user, it can only press a button the message currently shows; pass
   * `{ force: true }` to send arbitrary data anyway.
   */
  pressButton(
    from: EmulatedUser,
    message: SentMessage,
    callbackData: string,
    options: { force?: boolean } = {},
  ): string {
    const query = this.callbackQuery(from, message, callbackData, options);
    this.pushUpdate({ callback_query: query });
    return query.id;
  }

  /**
   * Addition: the callback_query a press of the button would send, registered so that the bot can
   * answer it, but not queued: for harnesses that post updates to the bot's webhook themselves.
   */
  callbackQuery(
    from: EmulatedUser,
    message: SentMessage,
    callbackData: string,
    options: { force?: boolean } = {},
  ): { id: string; from: Params; message: ApiMessage; chat_instance: string; data: string } {
    const stored = this.chats.get(message.chat_id)?.messages.get(message.message_id);
    if (!stored || stored.deleted) {
      throw new Error(
        `pressButton: message ${message.message_id} in chat ${message.chat_id} does not exist (deleted?)`,
      );
    }
    if (!options.force) {
      const available = inlineCallbackData(stored.message);
      if (!available.includes(callbackData)) {
        throw new Error(
          `pressButton: message ${message.message_id} in chat ${message.chat_id} has no button with callback_data ` +
            `${JSON.stringify(callbackData)}; its buttons carry ${JSON.stringify(available)}`,
        );
      }
    }
    const id = String(4_200_000_000_000_000 + ++this.callbackCounter);
    this.callbackQueries.set(id, { answered: false });
    return {
      id,
      from: this.userObject(from),
      message: clone(stored.message),
      chat_instance: String(Math.abs(message.chat_id) * 7919 + 104729),
      data: callbackData,
    };
  }

  // --- observing the bot -----------------------------------------------------------------------

  /** Current state (edits applied, deletions removed) of the messages the bot sent to a chat. */
  messagesTo(chatId: number): SentMessage[] {
    return this.historyTo(chatId).filter((m) => !m.deleted);
  }

  /** Addition: like messagesTo but also lists deleted messages (with `deleted: true`). */
  historyTo(chatId: number): SentMessage[] {
    const chat = this.chats.get(chatId);
    if (!chat) return [];
    return [...chat.messages.values()].flatMap((m) => (m.sent ? [clone(m.sent)] : []));
  }

  /** Resolves once at least `count` messages to the chat exist; rejects with a diagnosis on timeout. */
  async waitForMessages(chatId: number, count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<SentMessage[]> {
    await this.waitUntil(
      () => this.messagesTo(chatId).length >= count,
      timeoutMs,
      () => `waitForMessages: expected at least ${count} message(s) to chat ${chatId} within ${timeoutMs} ms`,
    );
    return this.messagesTo(chatId);
  }

  /** Resolves once predicate() is true (checked on every API call and every 25 ms). */
  waitFor(predicate: () => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitUntil(predicate, timeoutMs, () => `waitFor: condition not met within ${timeoutMs} ms`);
  }

  /** Addition: resolves with the calls once the bot has called `method` at least `count` times. */
  async waitForCall(method: string, count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<{ params: Params; at: number }[]> {
    await this.waitUntil(
      () => this.callsOf(method).length >= count,
      timeoutMs,
      () =>
        `waitForCall: expected ${count} call(s) of ${method} within ${timeoutMs} ms, got ${this.callsOf(method).length}`,
    );
    return this.callsOf(method);
  }

  /**
   * Every call of a method the bot made (faulted and rejected ones included), oldest first; `client` is
   * the tag of the api root `${apiRoot}/c/<tag>` the call came through, when the bot used one.
   */
  callsOf(method: string): { params: Params; at: number; client?: string }[] {
    const name = this.handlers.get(method.toLowerCase())?.name ?? method;
    return (this.calls.get(name) ?? []).map((c) => ({
      params: clone(c.params),
      at: c.at,
      ...(c.client ? { client: c.client } : {}),
    }));
  }

  /** Addition: every call that got an error response (injected or from validation), oldest first. */
  failedCalls(): FailedCall[] {
    return this.failures.map((f) => ({ ...f, params: clone(f.params) }));
  }

  /** The params of the last setMyCommands call ({ commands, scope?, language_code? }), or undefined. */
  myCommands(): Params | undefined {
    return clone(this.lastCommands);
  }

  /** Addition: updates queued and not yet confirmed by the bot through getUpdates' offset. */
  pendingUpdateCount(): number {
    return this.updates.length;
  }

  // --- faults ----------------------------------------------------------------------------------

  /** The next `times` calls of `method` answer with the fault (they are still recorded by callsOf). */
  failNext(method: string, fault: Fault, times = 1): void {
    const handler = this.handlers.get(method.toLowerCase());
    if (!handler) throw new Error(`failNext: the emulator does not implement method ${JSON.stringify(method)}`);
    const queue = this.faults.get(handler.name) ?? [];
    queue.push({ fault, remaining: Math.max(1, Math.trunc(times)) });
    this.faults.set(handler.name, queue);
  }

  /** From now on every send/edit/chat action to this user's chat fails with 403, as after a block. */
  blockBot(userId: number): void {
    if (this.blocked.has(userId)) return;
    this.blocked.add(userId);
    this.pushMemberStatus(userId, 'member', 'kicked');
  }

  /** Addition: undoes blockBot (the user pressed "Restart"). */
  unblockBot(userId: number): void {
    if (!this.blocked.delete(userId)) return;
    this.pushMemberStatus(userId, 'kicked', 'member');
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP plumbing

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    this.inflight++;
    try {
      await this.route(req, res);
    } catch (err) {
      const e =
        err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: emulator bug: ${String(err)}`);
      sendJson(res, e.code, { ok: false, error_code: e.code, description: e.description });
    } finally {
      this.inflight--;
      if (this.inflight === 0) for (const done of [...this.idleWaiters]) done();
      this.notifyChange();
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    // Several bots can share the emulator as `${apiRoot}/c/<tag>`, so that a test can tell their calls apart.
    const tagged = /^\/c\/([\w.-]+)(\/.*)$/.exec(url.pathname);
    const client = tagged?.[1];
    if (tagged) url.pathname = tagged[2]!;
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);

    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      req.resume();
      const file = download[1] === this.token ? this.filesByPath.get(decodeURIComponent(download[2]!)) : undefined;
      if (!file) return sendJson(res, 404, notFound);
      res.writeHead(200, { 'content-type': file.mime_type, 'content-length': file.data.length });
      res.end(file.data);
      return;
    }

    const call = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    if (!call) {
      req.resume();
      return sendJson(res, 404, notFound);
    }
    if (call[1] !== this.token) {
      req.resume();
      return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    // Like the real server, method names are case-insensitive.
    const handler = this.handlers.get(call[2]!.toLowerCase());
    if (!handler) {
      req.resume();
      return sendJson(res, 404, notFound);
    }
    if (handler.name === 'getUpdates') this.stats.getUpdatesCalls++;

    const { params, files } = await readParams(req, url);
    const at = Date.now();
    const list = this.calls.get(handler.name) ?? [];
    list.push({ params: clone(params), at, ...(client ? { client } : {}) });
    this.calls.set(handler.name, list);

    try {
      this.throwInjectedFault(handler.name);
      const result = await handler.run(params, { files, res, client });
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      const e =
        err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: emulator bug: ${String(err)}`);
      this.failures.push({
        method: handler.name,
        params: clone(params),
        error_code: e.code,
        description: e.description,
        at,
      });
      sendJson(res, e.code, {
        ok: false,
        error_code: e.code,
        description: e.description,
        ...(e.parameters ? { parameters: e.parameters } : {}),
      });
    }
  }

  private throwInjectedFault(method: string): void {
    const queue = this.faults.get(method);
    const head = queue?.[0];
    if (!queue || !head) return;
    if (--head.remaining <= 0) queue.shift();
    const { fault } = head;
    if (fault.code === 429) {
      throw new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter });
    }
    const defaults = { 400: 'Bad Request', 403: BLOCKED, 500: 'Internal Server Error' } as const;
    throw new ApiError(fault.code, fault.description ?? defaults[fault.code]);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private waitUntil(predicate: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.changeListeners.delete(check);
        this.stopListeners.delete(onStop);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        try {
          if (predicate()) finish();
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const onStop = (err: Error) => finish(err);
      const timer = setTimeout(() => finish(new Error(`${describe()}\n${this.diagnosis()}`)), timeoutMs);
      // The predicate may depend on state outside the emulator, so also re-check periodically.
      const poll = setInterval(check, 25);
      this.changeListeners.add(check);
      this.stopListeners.add(onStop);
      check();
    });
  }

  /** What the bot did so far, for timeout messages. */
  private diagnosis(): string {
    const lines: string[] = [];
    const quote = (s: string) => JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}…` : s);
    for (const [chatId, chat] of this.chats) {
      const sent = [...chat.messages.values()].filter((m) => m.sent);
      if (sent.length === 0) continue;
      lines.push(`  chat ${chatId}: ${sent.length} message(s) from the bot`);
      for (const m of sent) {
        const s = m.sent!;
        const flags = [
          s.parse_mode && `parse_mode=${s.parse_mode}`,
          s.edited && 'edited',
          s.deleted && 'deleted',
          s.document && `document=${s.document.file_name}`,
        ]
          .filter(Boolean)
          .join(', ');
        lines.push(`    #${s.message_id} ${quote(s.text)}${flags ? ` (${flags})` : ''}`);
      }
    }
    if (lines.length === 0) lines.push('  the bot has not sent any message to any chat');
    const recentFailures = this.failures.slice(-8);
    if (recentFailures.length) {
      lines.push('  recent failed bot calls:');
      for (const f of recentFailures) lines.push(`    ${f.method} -> ${f.error_code} ${f.description}`);
    }
    const called = [...this.calls.entries()].map(([m, list]) => `${m}×${list.length}`).join(', ');
    lines.push(`  calls so far: ${called || 'none'}`);
    if (this.updates.length) {
      lines.push(
        `  ${this.updates.length} update(s) not yet confirmed by the bot (is it polling? did its handler throw?)`,
      );
    }
    return `Bot activity:\n${lines.join('\n')}`;
  }

  // ---------------------------------------------------------------------------------------------
  // State helpers

  private userObject(from: EmulatedUser): Params {
    const user: Params = {
      id: from.id,
      is_bot: false,
      first_name: from.first_name ?? `User${from.id}`,
      ...(from.last_name !== undefined ? { last_name: from.last_name } : {}),
      ...(from.username !== undefined ? { username: from.username } : {}),
      ...(from.language_code !== undefined ? { language_code: from.language_code } : {}),
    };
    this.users.set(from.id, user);
    return user;
  }

  private chatState(chatId: number): ChatState {
    let chat = this.chats.get(chatId);
    if (!chat) {
      // Unknown chats are created on demand (lenient: the real server would say "chat not found").
      const user = this.users.get(chatId);
      const info: ApiChat =
        chatId > 0
          ? {
              id: chatId,
              type: 'private',
              first_name: user?.first_name ?? `User${chatId}`,
              ...(user?.last_name ? { last_name: user.last_name } : {}),
              ...(user?.username ? { username: user.username } : {}),
            }
          : { id: chatId, type: chatId < -1_000_000_000_000 ? 'supergroup' : 'group', title: `Test chat ${chatId}` };
      chat = { chat: info, nextMessageId: 1, messages: new Map() };
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  private userMessage(from: EmulatedUser, chatId: number | undefined, content: Params): number {
    const user = this.userObject(from);
    const chat = this.chatState(chatId ?? from.id);
    const message: ApiMessage = {
      message_id: chat.nextMessageId++,
      from: user,
      chat: clone(chat.chat),
      date: nowSeconds(),
      ...content,
    };
    chat.messages.set(message.message_id, { message, fromBot: false, deleted: false });
    this.pushUpdate({ message: clone(message) });
    return message.message_id;
  }

  private pushMemberStatus(userId: number, oldStatus: string, newStatus: string): void {
    const user = this.users.get(userId) ?? this.userObject({ id: userId });
    const chat = this.chatState(userId);
    this.pushUpdate({
      my_chat_member: {
        chat: clone(chat.chat),
        from: user,
        date: nowSeconds(),
        old_chat_member: { user: this.botUser, status: oldStatus },
        new_chat_member: {
          user: this.botUser,
          status: newStatus,
          ...(newStatus === 'kicked' ? { until_date: 0 } : {}),
        },
      },
    });
  }

  private storeFile(dir: string, ext: string, mime: string, data: Buffer, fileName?: string): StoredFile {
    const n = ++this.fileCounter;
    const file: StoredFile = {
      file_id: `BQACAgIAAxkBAAI${n}${randomBytes(18).toString('base64url')}`,
      file_unique_id: `AgAD${randomBytes(6).toString('base64url')}`,
      file_path: `${dir}/file_${n}.${ext}`,
      ...(fileName !== undefined ? { file_name: fileName } : {}),
      mime_type: mime,
      data: Buffer.from(data),
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  private pushUpdate(content: Params): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...content });
    const poll = this.heldPoll;
    if (poll) {
      const batch = this.deliverable(poll.limit);
      if (batch.length) poll.finish(batch);
    }
    this.notifyChange();
  }

  /** Unconfirmed updates the current allowed_updates lets through (others are dropped, as Telegram does). */
  private deliverable(limit: number): Update[] {
    const allowed = this.allowedUpdates;
    this.updates = this.updates.filter((u) => {
      const kind = Object.keys(u).find((k) => k !== 'update_id') ?? '';
      return allowed ? allowed.has(kind) : !OPT_IN_UPDATES.has(kind);
    });
    return this.updates.slice(0, limit);
  }

  /** Resolves chat_id for a chat-targeting method; `send` methods also honour blockBot. */
  private targetChat(p: Params, send: boolean): ChatState {
    const raw = p.chat_id;
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    const id = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw)) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) throw badRequest('chat not found');
    if (send && this.blocked.has(id)) throw new ApiError(403, BLOCKED);
    return this.chatState(id);
  }

  private findMessage(chat: ChatState, p: Params, notFoundText: string): StoredMessage {
    if (p.inline_message_id !== undefined) throw badRequest('inline messages are not supported by the emulator');
    const id = toInt(p.message_id);
    const stored = id === undefined ? undefined : chat.messages.get(id);
    if (!stored || stored.deleted) throw badRequest(notFoundText);
    return stored;
  }

  private replyTarget(chat: ChatState, p: Params): ApiMessage | undefined {
    const rp = toObj(p.reply_parameters) as Params | undefined;
    const id = toInt(rp?.message_id ?? p.reply_to_message_id);
    if (id === undefined) return undefined;
    const allowMissing = toBool(rp?.allow_sending_without_reply ?? p.allow_sending_without_reply);
    const stored = chat.messages.get(id);
    if (!stored || stored.deleted) {
      if (allowMissing) return undefined;
      throw badRequest('message to be replied not found');
    }
    const { reply_to_message: _nested, ...target } = stored.message; // Telegram does not nest replies
    return clone(target);
  }

  private record(chat: ChatState, message: ApiMessage, sent: SentMessage): Params {
    chat.messages.set(message.message_id, { message, fromBot: true, sent, deleted: false });
    return clone(message);
  }

  // ---------------------------------------------------------------------------------------------
  // Bot API methods

  private registerMethods(): void {
    const methods: Record<string, Handler> = {
      getMe: () => ({
        ...this.botUser,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
      }),
      getUpdates: (p, ctx) => this.getUpdates(p, ctx),
      sendMessage: (p, ctx) => this.sendMessage(p, ctx.client),
      editMessageText: (p) => this.editMessageText(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      deleteMessage: (p) => {
        const chat = this.targetChat(p, false);
        const stored = this.findMessage(chat, p, 'message to delete not found');
        stored.deleted = true;
        if (stored.sent) stored.sent.deleted = true;
        return true;
      },
      answerCallbackQuery: (p) => {
        const query = this.callbackQueries.get(String(p.callback_query_id ?? ''));
        if (!query || query.answered) {
          throw badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        query.answered = true;
        return true;
      },
      sendChatAction: (p) => {
        this.targetChat(p, true);
        if (!CHAT_ACTIONS.has(String(p.action ?? ''))) throw badRequest('wrong parameter action in request');
        return true;
      },
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => clone(this.commands.get(this.commandsKey(p)) ?? []),
      deleteMyCommands: (p) => {
        this.commands.delete(this.commandsKey(p));
        return true;
      },
      setWebhook: (p) => {
        const url = String(p.url ?? '');
        if (url === '') this.webhook = undefined;
        else if (!url.startsWith('https://'))
          throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        else {
          const allowed = toObj(p.allowed_updates);
          this.webhook = {
            url,
            ...(Array.isArray(allowed) ? { allowed_updates: allowed as string[] } : {}),
            ...(toInt(p.max_connections) !== undefined ? { max_connections: toInt(p.max_connections)! } : {}),
          };
        }
        if (toBool(p.drop_pending_updates)) this.updates = [];
        return true;
      },
      deleteWebhook: (p) => {
        this.webhook = undefined;
        if (toBool(p.drop_pending_updates)) this.updates = [];
        return true;
      },
      getWebhookInfo: () => ({
        url: this.webhook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: this.updates.length,
        ...(this.webhook?.max_connections !== undefined ? { max_connections: this.webhook.max_connections } : {}),
        ...(this.webhook?.allowed_updates ? { allowed_updates: this.webhook.allowed_updates } : {}),
      }),
      getFile: (p) => {
        const file = this.files.get(String(p.file_id ?? ''));
        if (!file) throw badRequest('invalid file_id');
        if (file.data.length > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
        return {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_size: file.data.length,
          file_path: file.file_path,
        };
      },
      sendDocument: (p, ctx) => this.botSendDocument(p, ctx),
      getChat: (p) => ({ ...clone(this.targetChat(p, false).chat), accent_color_id: 0, max_reaction_count: 11 }),
      setMyDescription: () => true,
      setMyShortDescription: () => true,
      setMyName: () => true,
      setChatMenuButton: () => true,
      close: () => true,
      logOut: () => true,
    };
    for (const [name, run] of Object.entries(methods)) this.handlers.set(name.toLowerCase(), { name, run });
  }

  private async getUpdates(p: Params, ctx: CallContext): Promise<Update[]> {
    if (this.webhook) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    // A newer poll supersedes a held one; the older one gets an empty batch.
    this.heldPoll?.finish([]);

    const offset = toInt(p.offset) ?? 0;
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.updates = this.updates.slice(offset); // -N: keep only the last N
    const limit = Math.min(100, Math.max(1, toInt(p.limit) ?? 100));
    const timeout = Math.min(MAX_LONG_POLL_SECONDS, Math.max(0, toInt(p.timeout) ?? 0));
    const allowed = toObj(p.allowed_updates);
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.length ? new Set(allowed.map(String)) : undefined;

    const batch = this.deliverable(limit);
    if (batch.length || timeout === 0 || this.stopped) return batch;

    return new Promise<Update[]>((resolve) => {
      const poll: HeldPoll = {
        limit,
        finish: (updates) => {
          if (this.heldPoll === poll) this.heldPoll = undefined;
          clearTimeout(timer);
          ctx.res.off('close', onClose);
          resolve(updates);
        },
      };
      const timer = setTimeout(() => poll.finish(this.deliverable(limit)), timeout * 1000);
      // The client gave up (e.g. bot.stop() aborts its poll): stop holding. Updates stay queued.
      const onClose = () => poll.finish([]);
      ctx.res.on('close', onClose);
      this.heldPoll = poll;
    });
  }

  private sendMessage(p: Params, client?: string): Params {
    const chat = this.targetChat(p, true);
    const formatted = formatText(p.text, p.parse_mode, p.entities, TEXT_LIMIT, 'text');
    const markup = validateMarkup(p.reply_markup);
    const replyTo = this.replyTarget(chat, p);
    const date = nowSeconds();
    const message: ApiMessage = {
      message_id: chat.nextMessageId++,
      from: this.botUser,
      chat: clone(chat.chat),
      date,
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      text: formatted.text,
      ...(formatted.entities.length ? { entities: formatted.entities } : {}),
      ...(toObj(p.link_preview_options) !== undefined ? { link_preview_options: toObj(p.link_preview_options) } : {}),
      ...(inlineOnly(markup) ? { reply_markup: inlineOnly(markup) } : {}),
    };
    const sent: SentMessage = {
      message_id: message.message_id,
      chat_id: chat.chat.id,
      text: String(p.text),
      ...(p.parse_mode !== undefined ? { parse_mode: String(p.parse_mode) } : {}),
      ...(markup ? { reply_markup: markup } : {}),
      ...(replyTo ? { reply_to_message_id: replyTo.message_id } : {}),
      date,
      plain_text: formatted.text,
      entities: formatted.entities,
      ...(client ? { sent_by: client } : {}),
    };
    return this.record(chat, message, sent);
  }

  private editMessageText(p: Params): Params {
    const chat = this.targetChat(p, true);
    const stored = this.findMessage(chat, p, 'message to edit not found');
    if (!stored.fromBot) throw badRequest("message can't be edited");
    if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
    const formatted = formatText(p.text, p.parse_mode, p.entities, TEXT_LIMIT, 'text');
    const markup = validateMarkup(p.reply_markup);
    if (
      formatted.text === stored.message.text &&
      JSON.stringify(formatted.entities) === JSON.stringify(stored.message.entities ?? []) &&
      markupKey(markup) === markupKey(stored.message.reply_markup)
    ) {
      throw badRequest(NOT_MODIFIED);
    }
    const m = stored.message;
    m.text = formatted.text;
    if (formatted.entities.length) m.entities = formatted.entities;
    else delete m.entities;
    // Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
    if (inlineOnly(markup)) m.reply_markup = inlineOnly(markup);
    else delete m.reply_markup;
    m.edit_date = nowSeconds();
    const sent = stored.sent!;
    sent.text = String(p.text);
    if (p.parse_mode !== undefined) sent.parse_mode = String(p.parse_mode);
    else delete sent.parse_mode;
    if (markup) sent.reply_markup = markup;
    else delete sent.reply_markup;
    sent.plain_text = formatted.text;
    sent.entities = formatted.entities;
    sent.edited = true;
    return clone(m);
  }

  private editMessageReplyMarkup(p: Params): Params {
    const chat = this.targetChat(p, true);
    const stored = this.findMessage(chat, p, 'message to edit not found');
    if (!stored.fromBot) throw badRequest("message can't be edited");
    const markup = validateMarkup(p.reply_markup);
    if (markupKey(markup) === markupKey(stored.message.reply_markup)) throw badRequest(NOT_MODIFIED);
    if (inlineOnly(markup)) stored.message.reply_markup = inlineOnly(markup);
    else delete stored.message.reply_markup;
    stored.message.edit_date = nowSeconds();
    const sent = stored.sent!;
    if (markup) sent.reply_markup = markup;
    else delete sent.reply_markup;
    sent.edited = true;
    return clone(stored.message);
  }

  private botSendDocument(p: Params, ctx: CallContext): Params {
    const chat = this.targetChat(p, true);
    let file: StoredFile | undefined;
    const ref = p.document;
    const upload =
      typeof ref === 'string' && ref.startsWith('attach://')
        ? ctx.files.get(ref.slice('attach://'.length))
        : ref === undefined
          ? ctx.files.get('document') // plain multipart upload in the "document" field
          : undefined;
    if (upload) {
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(upload.filename)?.[1] ?? 'dat';
      file = this.storeFile('documents', ext, upload.contentType, upload.data, upload.filename);
    } else if (typeof ref === 'string' && ref !== '') {
      file = this.files.get(ref);
      if (!file) throw badRequest('wrong file identifier/HTTP URL specified');
    } else throw badRequest('there is no document in the request');
    const caption =
      p.caption === undefined
        ? undefined
        : formatText(p.caption, p.parse_mode, p.caption_entities, CAPTION_LIMIT, 'caption');
    const markup = validateMarkup(p.reply_markup);
    const replyTo = this.replyTarget(chat, p);
    const document = {
      ...(file.file_name !== undefined ? { file_name: file.file_name } : {}),
      mime_type: file.mime_type,
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_size: file.data.length,
    };
    const date = nowSeconds();
    const message: ApiMessage = {
      message_id: chat.nextMessageId++,
      from: this.botUser,
      chat: clone(chat.chat),
      date,
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      document,
      ...(caption?.text ? { caption: caption.text } : {}),
      ...(caption?.entities.length ? { caption_entities: caption.entities } : {}),
      ...(inlineOnly(markup) ? { reply_markup: inlineOnly(markup) } : {}),
    };
    const sent: SentMessage = {
      message_id: message.message_id,
      chat_id: chat.chat.id,
      text: p.caption === undefined ? '' : String(p.caption),
      ...(p.parse_mode !== undefined ? { parse_mode: String(p.parse_mode) } : {}),
      ...(markup ? { reply_markup: markup } : {}),
      ...(replyTo ? { reply_to_message_id: replyTo.message_id } : {}),
      date,
      plain_text: caption?.text ?? '',
      entities: caption?.entities ?? [],
      document: clone(document),
    };
    return this.record(chat, message, sent);
  }

  private commandsKey(p: Params): string {
    const scope = toObj(p.scope) ?? { type: 'default' };
    return `${JSON.stringify(scope)}|${String(p.language_code ?? '')}`;
  }

  private setMyCommands(p: Params): true {
    const commands = toObj(p.commands);
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest('too many commands');
    for (const c of commands as Params[]) {
      if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
        throw badRequest('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.trim().length === 0 || c.description.length > 256) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    const key = this.commandsKey(p);
    if (commands.length === 0) this.commands.delete(key);
    else this.commands.set(key, clone(commands));
    this.lastCommands = {
      ...clone(p),
      commands: clone(commands),
      ...(p.scope !== undefined ? { scope: toObj(p.scope) } : {}),
    };
    return true;
  }
}
