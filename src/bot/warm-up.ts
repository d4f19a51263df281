// Warm-up before the bot takes updates: a few dozen representative questions go through the engine and
// the reply renderer once, so that the first real citizens do not pay for V8 compiling the hot paths
// (analysis, BM25, sentence choice, HTML rendering), for lazily built caches, or for the first query
// embedding. Questions are generic (the kinds citizens ask, accented and not) plus the /start examples
// and phrases from the loaded reports' titles; the answers are thrown away.
// Updates are run too, through a throwaway copy of the bot (its record discards, its Bot API calls never
// leave the process): with the engine warm but the update path cold (grammY's middleware, the composers,
// rendering, the record's writer, the API client building each sendMessage), a burst of 200 first
// questions cost 0.5–0.8 s of the bot's CPU where a second burst in the same process cost ~0.3 s. V8
// shares compiled code and type feedback between closures made by the same function, so what the copy
// warms is what the real bot runs. It narrows that gap, it does not close it (README, "Speed").
// The Bot API client is warmed too: a burst's first ~200 replies were the first calls through grammY's
// client, node-fetch and Node's HTTP stack, whose cold code cost ~2 ms of CPU per call (3× a warm call).
import type { Api, Bot, Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { AnswerEngine } from '../engine-api.js';
import { log, withoutInfoLogs } from '../log.js';
import { foldDiacritics } from '../text/normalize.js';
import { renderReply } from './render.js';
import { describeError } from '../errors.js';

const QUESTION_FORMS = [
  'là bao nhiêu?',
  'tăng bao nhiêu phần trăm?',
  'khi nào hoàn thành?',
  'ai chịu trách nhiệm?',
  'ở đâu?',
  'như thế nào?',
  'vì sao chưa đạt?',
  'có đạt kế hoạch không?',
];
const TOPICS = [
  'Thu ngân sách',
  'Giải quyết việc làm',
  'An ninh trật tự',
  'Xây dựng nông thôn mới',
  'Cải cách hành chính',
];

/** About `count` questions: examples, topic × form (half without diacritics), and report titles. */
export function warmUpQuestions(examples: readonly string[], titles: readonly string[], count = 40): string[] {
  const out: string[] = [...examples];
  for (const [i, topic] of TOPICS.entries()) {
    for (const [j, form] of QUESTION_FORMS.entries()) {
      const q = `${topic} ${form}`;
      out.push((i + j) % 2 === 0 ? q : foldDiacritics(q));
    }
  }
  for (const title of titles.slice(0, 5)) out.push(`${title} nói gì?`);
  // Spread over the kinds rather than the first `count`.
  const step = Math.max(1, out.length / count);
  const picked: string[] = [];
  for (let i = 0; picked.length < count && Math.floor(i) < out.length; i += step) picked.push(out[Math.floor(i)]!);
  return picked;
}

/** Questions asked before serving: enough to touch every answer path, few enough to start in a second. */
const WARM_UP_QUESTIONS = 40;

/** How many questions the warm-up asked and how long it took, for the start-up log. */
export interface WarmUpResult {
  questions: number;
  /** Made-up updates run through the throwaway bot (0 without one). */
  updates: number;
  /** Bot API calls made to warm the client (0 without an api). */
  apiCalls: number;
  ms: number;
}

/** getMe is free of side effects and of Telegram's message limits. */
const API_WARM_UP_ROUNDS = 5;
/** As many as the API client keeps connections (API_SOCKETS in create-bot.ts), so that all are open and warm. */
const API_WARM_UP_PARALLEL = 24;

/** Runs getMe through the whole client (transformers, fetch, HTTP), a few at a time; returns calls that succeeded. */
async function warmUpApi(api: Api): Promise<number> {
  let done = 0;
  for (let round = 0; round < API_WARM_UP_ROUNDS; round++) {
    const results = await Promise.allSettled(Array.from({ length: API_WARM_UP_PARALLEL }, () => api.getMe()));
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (done === 0) break; // Telegram unreachable: nothing to warm, and start-up checked the token already.
  }
  return done;
}

/** Updates run through the throwaway bot, and how many at once (as the runner hands them over). */
const WARM_UP_UPDATES = 300;
const WARM_UP_UPDATES_PARALLEL = 50;
/** Made-up chats of the warm-up's updates; never sent anything (the throwaway bot's calls stay in the process). */
const WARM_UP_CHAT = 1_000_000_000;

/** What grammY's API client passes to its fetch and reads of the response (the parts used here). */
export type OfflineFetch = (
  url: string,
  init?: { body?: unknown },
) => Promise<{ status: number; ok: boolean; json(): Promise<unknown> }>;

/**
 * A fetch for the throwaway bot: every Bot API call succeeds at once with a plausible result (a message
 * for the send and edit methods, true otherwise) and nothing leaves the process.
 */
export const offlineFetch: OfflineFetch = async (url, init = {}) => {
  const method = url.slice(url.lastIndexOf('/') + 1);
  const payload = typeof init.body === 'string' ? (JSON.parse(init.body) as { chat_id?: number; text?: string }) : {};
  const message = {
    message_id: 1,
    date: Math.floor(Date.now() / 1000),
    chat: { id: payload.chat_id ?? 0, type: 'private' },
  };
  const result = /^(send|edit)/.test(method) ? { ...message, text: payload.text } : true;
  const body = JSON.stringify({ ok: true, result });
  return { status: 200, ok: true, json: async () => JSON.parse(body) };
};

/** A copy of the bot whose record and Bot API calls stay in the process; `close` ends what it opened. */
export interface ThrowawayBot {
  bot: Bot<Context>;
  close(): Promise<void>;
}

/** Runs `count` made-up questions (each from its own made-up chat) through the throwaway bot. */
async function warmUpUpdates(throwaway: ThrowawayBot, questions: readonly string[], count: number): Promise<number> {
  let done = 0;
  const date = Math.floor(Date.now() / 1000);
  for (let start = 0; start < count; start += WARM_UP_UPDATES_PARALLEL) {
    const batch = Array.from({ length: Math.min(WARM_UP_UPDATES_PARALLEL, count - start) }, (_, i): Update => {
      const n = start + i;
      const user = { id: WARM_UP_CHAT + n, is_bot: false, first_name: 'Warm-up' };
      const chat = { id: user.id, type: 'private' as const, first_name: user.first_name };
      return {
        update_id: n + 1,
        message: { message_id: n + 1, date, chat, from: user, text: questions[n % questions.length]! },
      };
    });
    // Made-up questions: their "question" lines would only fill the log at every start.
    const results = await withoutInfoLogs(() =>
      Promise.allSettled(batch.map((update) => throwaway.bot.handleUpdate(update))),
    );
    done += results.filter((r) => r.status === 'fulfilled').length;
  }
  return done;
}

/** Builds the throwaway bot, runs the made-up updates through it and closes it; 0 if that fails. */
async function warmUpThrowaway(build: () => ThrowawayBot, questions: readonly string[]): Promise<number> {
  let throwaway: ThrowawayBot | undefined;
  try {
    throwaway = build();
    return await warmUpUpdates(throwaway, questions, WARM_UP_UPDATES);
  } catch (error) {
    log.warn('warm-up updates failed', { error: describeError(error) });
    return 0;
  } finally {
    await throwaway?.close().catch(() => undefined);
  }
}

/** Never throws: a warm-up question failing is logged and the bot starts anyway. */
export async function warmUp(
  engine: AnswerEngine,
  examples: readonly string[],
  options: { count?: number; k?: number; api?: Api; throwawayBot?: () => ThrowawayBot } = {},
): Promise<WarmUpResult> {
  const started = performance.now();
  const documents = engine.status().documents;
  const questions = warmUpQuestions(
    examples,
    documents.map((d) => d.title),
    options.count ?? WARM_UP_QUESTIONS,
  );
  let done = 0;
  for (const question of questions) {
    try {
      const answer = await engine.ask(question, { k: options.k });
      renderReply(answer, documents);
      done++;
    } catch (error) {
      log.warn('warm-up question failed', { error: describeError(error) });
      break;
    }
  }
  const updates = options.throwawayBot ? await warmUpThrowaway(options.throwawayBot, questions) : 0;
  const apiCalls = options.api ? await warmUpApi(options.api) : 0;
  const ms = Math.round(performance.now() - started);
  log.info('warm-up done', { questions: done, updates, apiCalls, ms });
  return { questions: done, updates, apiCalls, ms };
}
