// Warm-up before the bot takes updates: a few dozen representative questions go through the engine and
// the reply renderer once, so that the first real citizens do not pay for V8 compiling the hot paths
// (analysis, BM25, sentence choice, HTML rendering), for lazily built caches, or for the first query
// embedding. Questions are generic (the kinds citizens ask, accented and not) plus the /start examples
// and phrases from the loaded reports' titles; the answers are thrown away.
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

/** How many questions the warm-up asked and how long it took, for the start-up log. */
export interface WarmUpResult {
  questions: number;
  ms: number;
}

/** Never throws: a warm-up question failing is logged and the bot starts anyway. */
export async function warmUp(
  engine: AnswerEngine,
  examples: readonly string[],
  options: { count?: number; k?: number } = {},
): Promise<WarmUpResult> {
  const started = performance.now();
  const documents = engine.status().documents;
  const questions = warmUpQuestions(
    examples,
    documents.map((d) => d.title),
    options.count ?? 40,
  );
  let done = 0;
  for (const question of questions) {
    try {
      const answer = await engine.ask(question, { k: options.k ?? 3 });
      renderReply(answer, documents);
      done++;
    } catch (error) {
      log.warn('warm-up question failed', { error: describeError(error) });
      break;
    }
  }
  const ms = Math.round(performance.now() - started);
  log.info('warm-up done', { questions: done, ms });
  return { questions: done, ms };
}
