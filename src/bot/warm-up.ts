// Warm-up before the bot takes updates: a few dozen representative questions go through the engine and
// the reply renderer once, so that the first real citizens do not pay for V8 compiling the hot paths
// (analysis, BM25, sentence choice, HTML rendering), for lazily built caches, or for the first query
// embedding. Questions are generic (the kinds citizens ask, accented and not) plus the /start examples
// and phrases from the loaded reports' titles; the answers are thrown away.
// The Bot API client is warmed too: a burst's first ~200 replies were the first calls through grammY's
// client, node-fetch and Node's HTTP stack, whose cold code cost ~2 ms of CPU per call (3× a warm call).
import type { Api } from 'grammy';
import type { AnswerEngine } from '../engine-api.js';
import { log } from '../log.js';
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
  /** Bot API calls made to warm the client (0 without an api). */
  apiCalls: number;
  ms: number;
}

/** getMe is free of side effects and of Telegram's message limits. */
const API_WARM_UP_ROUNDS = 5;
const API_WARM_UP_PARALLEL = 20;

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

/** Never throws: a warm-up question failing is logged and the bot starts anyway. */
export async function warmUp(
  engine: AnswerEngine,
  examples: readonly string[],
  options: { count?: number; k?: number; api?: Api } = {},
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
  const apiCalls = options.api ? await warmUpApi(options.api) : 0;
  const ms = Math.round(performance.now() - started);
  log.info('warm-up done', { questions: done, apiCalls, ms });
  return { questions: done, apiCalls, ms };
}
