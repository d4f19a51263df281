// Assembles the bot: API retries, then the middleware every update passes (timing, rate limit, one chat
// at a time), then the feature composers in order of precedence, then the error boundary.
import http from 'node:http';
import https from 'node:https';
import { sequentialize } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, type ApiClientOptions, type Context, type MiddlewareFn } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Settings } from '../config.js';
import type { AnswerEngine } from '../engine-api.js';
import { withReloadMetrics } from '../ops/engine-metrics.js';
import type { BotMetrics } from '../ops/metrics.js';
import { log } from '../log.js';
import { MemoryAnswerStore, type AnswerStore } from './answer-cache.js';
import { installApiRetries, isBlockedByUser } from './api.js';
import { adminComposer } from './composers/admin.js';
import { helpComposer } from './composers/help.js';
import { nonTextComposer } from './composers/non-text.js';
import { questionsComposer } from './composers/questions.js';
import { synonymsComposer } from './composers/synonyms.js';
import type { BotDeps } from './deps.js';
import { DEFAULT_EXAMPLE_QUESTIONS, MSG } from './messages.vi.js';
import { InFlight } from './in-flight.js';
import { timing } from './middleware/logging.js';
import { rateLimit, type RateLimitCounter } from './middleware/rate-limit.js';
import { ReloadCoordinator } from './reload.js';
import { Turns } from './turns.js';
import type { OfflineFetch } from './warm-up.js';
import type { Records } from '../store/records.js';
import { feedbackComposer } from './composers/feedback.js';
import { officeComposer } from './composers/office.js';
import { privacyComposer } from './composers/privacy.js';
import { describeError } from '../errors.js';

/** What the bot is built from; the engine and the record are opened by the caller, who also closes them. */
export interface CreateBotOptions {
  settings: Settings;
  token: string;
  engine: AnswerEngine;
  records: Records;
  /** From an earlier getMe; saves a call and lets start-up check the token first. */
  botInfo?: UserFromGetMe;
  /** Least time between reload progress edits (the coordinator's throttleMs, default 2 s). */
  progressThrottleMs?: number;
  /** Time budget for parsing an uploaded PDF (default 30 s). */
  uploadParseTimeoutMs?: number;
  /** Prometheus metrics to count questions, reloads and rate-limited users in. */
  metrics?: BotMetrics;
  /** Where the answers behind buttons are kept (default: this process's memory). */
  answers?: AnswerStore;
  /** Where rate-limit counts are kept (default: this process's memory). */
  rateLimitCounter?: RateLimitCounter;
  /** Runs first for every update (webhook mode's reply marker, which works on the update's own API client). */
  first?: MiddlewareFn<Context>;
  /** Replaces the Bot API client's fetch (default grammY's): the warm-up's throwaway copy never leaves the process. */
  fetch?: OfflineFetch;
}

/** The assembled bot, with the parts that start-up and shutdown need besides it. */
export interface CreatedBot {
  bot: Bot<Context>;
  deps: BotDeps;
  /** Updates being handled right now; shutdown waits for them. */
  inFlight: InFlight;
}

/**
 * Connections to the Bot API kept open and reused, at most this many at once. grammY's default agent has
 * no limit: a burst of 200 replies opened ~180 new connections (against Telegram a TLS handshake each)
 * while a few warm ones would do; the warm-up opens this many (warm-up.ts). One of them is the long poll.
 * Against the emulator (plain HTTP on loopback) the burst's figures did not tell 24 from unlimited apart.
 */
export const API_SOCKETS = 24;

/** A keep-alive agent for the Bot API, http or https as `apiRoot` says; replies queue for a free socket. */
function apiAgent(apiRoot: string): http.Agent {
  const options = { keepAlive: true, maxSockets: API_SOCKETS, maxFreeSockets: API_SOCKETS };
  return apiRoot.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Builds the bot with its middleware and composers, without taking updates yet (start.ts chooses polling or
 * webhook).
 */
export function createBot(options: CreateBotOptions): CreatedBot {
  const { settings, token, records, metrics } = options;
  const engine = metrics ? withReloadMetrics(options.engine, metrics) : options.engine;
  const bot = new Bot<Context>(token, {
    client: {
      apiRoot: settings.TELEGRAM_API_ROOT,
      ...(options.fetch ? { fetch: options.fetch as unknown as ApiClientOptions['fetch'] } : {}),
      baseFetchConfig: { agent: apiAgent(settings.TELEGRAM_API_ROOT) },
    },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  installApiRetries(bot.api);

  const deps: BotDeps = {
    engine,
    settings,
    records,
    answers: options.answers ?? new MemoryAnswerStore(),
    reloads: new ReloadCoordinator(engine, bot.api, { throttleMs: options.progressThrottleMs }),
    token,
    examples: settings.EXAMPLE_QUESTIONS ?? DEFAULT_EXAMPLE_QUESTIONS,
    uploadParseTimeoutMs: options.uploadParseTimeoutMs,
    metrics,
    turns: new Turns(),
  };

  const inFlight = new InFlight();
  const limiter = rateLimit<Context>({
    limit: settings.RATE_LIMIT_PER_MINUTE,
    counter: options.rateLimitCounter,
    onLimitExceeded: (ctx) => {
      metrics?.rateLimited();
      return ctx.callbackQuery
        ? ctx.answerCallbackQuery({ text: MSG.rateLimited(settings.RATE_LIMIT_PER_MINUTE) })
        : ctx.reply(MSG.rateLimited(settings.RATE_LIMIT_PER_MINUTE));
    },
  });

  if (options.first) bot.use(options.first);
  bot.use(timing(inFlight));
  // Users leaving or blocking the bot arrive as my_chat_member updates: worth a log line, no reply.
  bot.on('my_chat_member', (ctx) => {
    log.info('bot membership changed', { user: ctx.from.id, status: ctx.myChatMember.new_chat_member.status });
  });
  bot.use(limiter.gate);
  bot.use(sequentialize<Context>((ctx) => (ctx.chat ? String(ctx.chat.id) : undefined)));
  bot.use(limiter.notice);

  bot.use(helpComposer(deps));
  bot.use(officeComposer(deps));
  bot.use(adminComposer(deps));
  bot.use(privacyComposer(deps));
  bot.use(feedbackComposer(deps));
  bot.use(synonymsComposer(deps));
  bot.use(questionsComposer(deps));
  bot.use(nonTextComposer());
  // A button nobody handles is from an older version of the bot, or forged.
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: MSG.callbackExpired }));

  // grammY's default error handler stops the bot; ours logs and keeps serving everyone else.
  bot.catch((err) => {
    const error = err.error;
    const fields = { update: err.ctx.update.update_id, user: err.ctx.from?.id, chat: err.ctx.chat?.id };
    if (isBlockedByUser(error)) {
      log.info('user blocked the bot; not retrying', { ...fields, method: (error as GrammyError).method });
    } else if (error instanceof GrammyError) {
      log.error('Telegram refused a call', {
        ...fields,
        method: error.method,
        code: error.error_code,
        description: error.description,
      });
    } else if (error instanceof HttpError) {
      log.error('network error talking to Telegram', { ...fields, error: error.message });
    } else {
      log.error('update failed', {
        ...fields,
        error: describeError(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
  });

  return { bot, deps, inFlight };
}
