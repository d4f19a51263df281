// Start-up and shutdown of the bot, in the order that fails fastest and never serves half-ready:
// token check (getMe) → engine (index built if missing or stale) → stats → command menus → updates,
// by long polling (@grammyjs/runner) or, when WEBHOOK_URL is set, a webhook server.
// Shutdown: stop taking updates, let the ones in flight finish, save stats, close the engine.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Api, GrammyError, HttpError, webhookCallback, type Bot, type Context } from 'grammy';
import type { BotCommand, UserFromGetMe } from 'grammy/types';
import { requireToken, type Settings } from '../config.js';
import type { AnswerEngine, ProgressEvent } from '../engine-api.js';
import pg from 'pg';
import { durableWebhookHandler, replyMarker } from '../cluster/durable-webhook.js';
import { ensureUpdateQueueSchema, UpdateQueue } from '../cluster/update-queue.js';
import { UpdateWorker } from '../cluster/update-worker.js';
import { openServingEngine } from '../cluster/serving-engine.js';
import { openSharedState, type SharedState } from '../cluster/shared-state.js';
import { log } from '../log.js';
import { opsHandler, startOpsServer, type OpsHandler } from '../ops/http.js';
import { BotMetrics } from '../ops/metrics.js';
import { createBot, type CreateBotOptions } from './create-bot.js';
import type { InFlight } from './in-flight.js';
import type { ReloadCoordinator } from './reload.js';
import { MSG } from './messages.vi.js';
import { Records, recordsOptionsFromSettings, type RecordsOptions } from '../store/records.js';
import { offlineFetch, type ThrowawayBot, warmUp } from './warm-up.js';
import { describeError } from '../errors.js';
import { logLostConnections } from '../store/pool-errors.js';
import { openConnections } from '../store/warm-pool.js';

/** Start-up failed for a reason the operator can fix; `message` is one line, safe to print. */
export class StartupError extends Error {}

/** Long-poll timeout unless set: Telegram holds getUpdates this long when there is nothing to send. */
const LONG_POLL_SECONDS = 30;
/** How long stop() waits for updates and reloads in flight unless set. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/** Overrides of what the settings decide, for tests and benchmarks; `npm start` passes none. */
export interface StartBotOptions extends Pick<CreateBotOptions, 'progressThrottleMs' | 'uploadParseTimeoutMs'> {
  /** Serve this engine instead of opening one from the settings (it is then not closed on stop). */
  engine?: AnswerEngine;
  /** Long-poll timeout in seconds (default 30; tests use less). */
  pollingTimeoutSeconds?: number;
  /** How long stop() waits for updates and reloads in flight (default 30 s). */
  shutdownTimeoutMs?: number;
  /** Overrides of the record's options (tests: writer timing, store checks). */
  records?: Partial<RecordsOptions>;
  /**
   * Run ~40 representative questions through the engine before taking updates, so that the first burst
   * of citizens does not pay for cold code paths (default true).
   */
  warmUp?: boolean;
  /**
   * Resolves when the database is reachable, rejects with the reason otherwise; GET /healthz answers 503
   * while it rejects. Given by the question-log store when the bot uses one.
   */
  databaseProbe?: () => Promise<void>;
  /** Metrics to serve at /metrics (default: a new registry for this bot). */
  metrics?: BotMetrics;
  /** Called when polling stops by itself (e.g. another instance took over the token); default: log. */
  onFatal?: (error: Error) => void;
}

/** A running bot: what tests and main.ts need to reach it, and stop() for a clean shutdown. */
export interface BotHandle {
  bot: Bot<Context>;
  engine: AnswerEngine;
  /** The office's record; `records.ping()` is the database health probe. */
  records: Records;
  mode: 'polling' | 'webhook';
  /** The port the webhook server listens on (webhook mode only). */
  webhookPort?: number;
  /** The port of the separate /healthz + /metrics listener (when METRICS_PORT is set). */
  metricsPort?: number;
  /** The bot's Prometheus metrics (databaseError(op), setQueueSource(fn) for the store and the queue). */
  metrics: BotMetrics;
  /** Stops taking updates, waits for those in flight, writes the record, closes the engine it opened. */
  stop(): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;
/** Telegram's updates are small; anything bigger at the webhook is not from Telegram. */
const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** getMe with one clear line for the two ways it fails: a rejected token, or no Telegram at all. */
async function checkToken(settings: Settings, token: string): Promise<UserFromGetMe> {
  const api = new Api(token, { apiRoot: settings.TELEGRAM_API_ROOT });
  try {
    return await api.getMe();
  } catch (error) {
    if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
      throw new StartupError(
        `Telegram rejected TELEGRAM_BOT_TOKEN (${error.error_code} ${error.error_code === 401 ? 'Unauthorized' : 'Not Found'}): check the token from @BotFather`,
      );
    }
    if (error instanceof GrammyError) {
      throw new StartupError(`Telegram refused getMe (${error.error_code}: ${error.description}); try again later`);
    }
    // HttpError: DNS, firewall, proxy. The message names the method only, never the URL with the token.
    const cause = error instanceof HttpError && error.error instanceof Error ? `: ${error.error.message}` : '';
    throw new StartupError(
      `Cannot reach Telegram at ${settings.TELEGRAM_API_ROOT}${cause}. Check the network or TELEGRAM_API_ROOT`,
    );
  }
}

/** Progress of an index build in the log: every stage change, and at most every 2 s within a stage. */
function progressLogger(): (event: ProgressEvent) => void {
  let lastStage = '';
  let lastAt = 0;
  return (event) => {
    const now = Date.now();
    if (event.stage === lastStage && now - lastAt < 2000) return;
    lastStage = event.stage;
    lastAt = now;
    log.info('index progress', { ...event });
  };
}

async function registerCommands(bot: Bot<Context>, admins: ReadonlySet<number>): Promise<void> {
  const citizen: BotCommand[] = [
    { command: 'start', description: MSG.commands.start },
    { command: 'help', description: MSG.commands.help },
    { command: 'privacy', description: MSG.commands.privacy },
    { command: 'forget', description: MSG.commands.forget },
  ];
  const admin: BotCommand[] = [
    ...citizen,
    { command: 'reload', description: MSG.commands.reload },
    { command: 'docs', description: MSG.commands.docs },
    { command: 'stats', description: MSG.commands.stats },
    { command: 'export', description: MSG.commands.export },
    { command: 'synonym', description: MSG.commands.synonym },
  ];
  try {
    await bot.api.setMyCommands(citizen);
  } catch (error) {
    log.warn('could not register the command menu', { error: describeError(error) });
  }
  for (const chatId of admins) {
    // Fails with "chat not found" until that admin has opened the bot once; harmless.
    await bot.api
      .setMyCommands(admin, { scope: { type: 'chat', chat_id: chatId } })
      .catch((error) => log.warn('could not register admin commands', { admin: chatId, error: describeError(error) }));
  }
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

/** Webhook mode with DATABASE_URL: updates stored in PostgreSQL, run by a worker in every process. */
interface DurableQueue {
  pool: pg.Pool;
  queue: UpdateQueue;
  worker: UpdateWorker;
}

/** The queue's connections kept open: a claim or lease renewal, and one statement of each batched kind. */
const QUEUE_CONNECTIONS = 6;

async function openDurableQueue(bot: Bot<Context>, settings: Settings, metrics: BotMetrics): Promise<DurableQueue> {
  const pool = new pg.Pool({ connectionString: settings.DATABASE_URL, max: 10, min: QUEUE_CONNECTIONS });
  logLostConnections(pool, 'update queue');
  try {
    await ensureUpdateQueueSchema(pool);
    await openConnections(pool, QUEUE_CONNECTIONS);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StartupError(`Cannot prepare the update queue in DATABASE_URL: ${describeError(error)}`);
  }
  const queue = new UpdateQueue(pool);
  const onDatabaseError = (op: string) => metrics.databaseError(op);
  const worker = new UpdateWorker({
    queue,
    onDatabaseError,
    leaseMs: settings.UPDATE_LEASE_SECONDS * 1000,
    handle: (claimed) => bot.handleUpdate(claimed.update),
  });
  metrics.setQueueSource(() => queue.state());
  return { pool, queue, worker };
}

async function startWebhook(
  bot: Bot<Context>,
  settings: Settings,
  ops: OpsHandler,
  durable?: DurableQueue,
  metrics?: BotMetrics,
): Promise<{ server: http.Server; port: number }> {
  const url = new URL(settings.WEBHOOK_URL!);
  let secret = settings.WEBHOOK_SECRET;
  if (!secret) {
    // Without a secret anyone who guesses the URL could post fake updates; a random one per run is safe.
    secret = randomBytes(24).toString('base64url');
    log.info('WEBHOOK_SECRET not set; using a random secret for this run');
  }
  // 'return' answers Telegram after 10 s and lets a slow answer finish, instead of Telegram resending it.
  const handle = durable
    ? (() => {
        const receive = durableWebhookHandler({
          queue: durable.queue,
          secret,
          maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
          onStored: () => durable.worker.wake(),
          onDatabaseError: (op) => metrics?.databaseError(op),
        });
        return async (req: http.IncomingMessage, res: http.ServerResponse) => receive(req, res);
      })()
    : webhookCallback(bot, 'http', { secretToken: secret, onTimeout: 'return', timeoutMilliseconds: 10_000 });
  const server = http.createServer((req, res) => {
    if (ops(req, res)) return; // GET /healthz, GET /metrics
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== url.pathname || length > MAX_WEBHOOK_BODY_BYTES) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      log.warn('webhook request failed', { error: describeError(error) });
      if (!res.headersSent) res.writeHead(400);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new StartupError(`Cannot listen on WEBHOOK_PORT ${settings.WEBHOOK_PORT}: ${error.message}`)),
    );
    server.listen(settings.WEBHOOK_PORT, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  try {
    await bot.api.setWebhook(url.href, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  } catch (error) {
    server.close();
    throw new StartupError(`Telegram refused WEBHOOK_URL ${url.href}: ${describeError(error)}`);
  }
  log.info('webhook set', { url: url.href, port });
  return { server, port };
}

/** The parts of a starting bot that /healthz reads before start-up has finished. */
interface LiveParts {
  /** The engine once it answers (after warm-up); /healthz says "index not loaded" until then. */
  serving?: AnswerEngine;
  records?: Records;
  /** Webhook mode with DATABASE_URL only. */
  durable?: DurableQueue;
}

/** The default database probe: the record's database (embedded or PostgreSQL) and the durable queue's pool. */
function probeDatabases(live: LiveParts): () => Promise<void> {
  return async () => {
    await live.records?.ping();
    if (live.durable) await live.durable.pool.query('SELECT 1');
  };
}

/** Checks the token first: nothing else is worth opening if Telegram does not accept it. */
async function acceptToken(settings: Settings): Promise<{ token: string; botInfo: UserFromGetMe }> {
  const token = requireToken(settings);
  const botInfo = await checkToken(settings, token);
  log.info('token accepted', { bot: botInfo.username });
  if (settings.ADMIN_IDS.size === 0)
    log.warn('ADMIN_IDS is empty: nobody can reload or upload reports through the bot');
  return { token, botInfo };
}

/** The separate /healthz + /metrics listener (when METRICS_PORT is set) and how to close it. */
interface OpsListener {
  port?: number;
  close(): Promise<void>;
}

/** Starts first, so that /healthz says 503 "index not loaded" while the index loads. */
async function startOpsListener(settings: Settings, ops: OpsHandler): Promise<OpsListener> {
  if (settings.METRICS_PORT === undefined) return { close: async () => undefined };
  let started: { server: http.Server; port: number };
  try {
    started = await startOpsServer(settings.METRICS_PORT, ops);
  } catch (error) {
    throw new StartupError(`Cannot listen on METRICS_PORT ${settings.METRICS_PORT}: ${describeError(error)}`);
  }
  log.info('health and metrics listener', { port: started.port });
  return { port: started.port, close: () => new Promise<void>((resolve) => started.server.close(() => resolve())) };
}

/**
 * The engine given in the options, or one opened from the settings (building the index if needed; with
 * DATABASE_URL in webhook mode, the central index shared by every copy).
 * `close` closes only an engine opened here, then the ops listener opened before it.
 */
async function openEngine(
  settings: Settings,
  options: StartBotOptions,
  opsListener: OpsListener,
  metrics: BotMetrics,
): Promise<{ engine: AnswerEngine; close(): Promise<void> }> {
  let engine: AnswerEngine;
  if (options.engine) {
    engine = options.engine;
  } else {
    try {
      engine = await openServingEngine(settings, progressLogger(), metrics);
    } catch (error) {
      await opsListener.close();
      throw new StartupError(`Could not open the index: ${describeError(error)}`);
    }
  }
  const ownsEngine = options.engine === undefined;
  const close = async () => {
    if (ownsEngine) await engine.close();
    await opsListener.close();
  };
  return { engine, close };
}

/** Opens the office's record; on failure closes what was opened before it (`closeEarlier`). */
async function openRecords(
  settings: Settings,
  options: StartBotOptions,
  metrics: BotMetrics,
  closeEarlier: () => Promise<void>,
): Promise<Records> {
  try {
    const fromSettings = recordsOptionsFromSettings(settings);
    return await Records.open({
      ...fromSettings,
      ...options.records,
      writer: {
        ...fromSettings.writer,
        onError: () => metrics.databaseError('record-write'),
        ...options.records?.writer,
      },
    });
  } catch (error) {
    await closeEarlier();
    throw new StartupError(`Could not open the record in DATA_DIR ${settings.DATA_DIR}: ${describeError(error)}`);
  }
}

/** Where updates come from once the bot serves: a polling runner, or a webhook server (maybe with a queue). */
interface UpdateIntake {
  runner?: RunnerHandle;
  server?: http.Server;
  webhookPort?: number;
  durable?: DurableQueue;
}

/** Long polling; a webhook left from an earlier deployment is deleted first (getUpdates would fail with 409). */
async function startPolling(bot: Bot<Context>, options: StartBotOptions): Promise<UpdateIntake> {
  await bot.api.deleteWebhook().catch((error) => log.warn('deleteWebhook failed', { error: describeError(error) }));
  const runner = run(bot, {
    runner: {
      fetch: { timeout: options.pollingTimeoutSeconds ?? LONG_POLL_SECONDS, allowed_updates: [...ALLOWED_UPDATES] },
      // getUpdates errors are logged by our API transformer instead of console.error.
      silent: true,
    },
  });
  runner.task()?.catch((error: unknown) => {
    log.error('polling stopped', { error: describeError(error) });
    options.onFatal?.(error instanceof Error ? error : new Error(String(error)));
  });
  return { runner };
}

/** The webhook server; with DATABASE_URL, updates go through the durable queue (`live.durable` for the probe). */
async function startWebhookIntake(
  bot: Bot<Context>,
  settings: Settings,
  ops: OpsHandler,
  metrics: BotMetrics,
  live: LiveParts,
): Promise<UpdateIntake> {
  let durable: DurableQueue | undefined;
  try {
    if (settings.DATABASE_URL) {
      durable = await openDurableQueue(bot, settings, metrics);
      live.durable = durable;
      durable.worker.start();
      log.info('durable update queue in use', { worker: durable.worker.owner });
    }
    const { server, port } = await startWebhook(bot, settings, ops, durable, metrics);
    return { server, webhookPort: port, durable };
  } catch (error) {
    await durable?.worker.stop();
    await durable?.pool.end().catch(() => undefined);
    throw error;
  }
}

/** What stop() takes down, in the order it does so. */
interface RunningParts {
  intake: UpdateIntake;
  inFlight: InFlight;
  reloads: ReloadCoordinator;
  records: Records;
  shared?: SharedState;
  /** Closes the engine (if opened here) and the ops listener. */
  closeEngine(): Promise<void>;
  timeoutMs: number;
}

/** Stops taking updates first, then waits (each wait bounded) for the work in flight, then closes the stores. */
async function shutDown(parts: RunningParts): Promise<void> {
  const { intake, inFlight, timeoutMs: limit } = parts;
  log.info('stopping: no new updates; finishing those in flight', { inFlight: inFlight.size });
  if (intake.runner?.isRunning()) await intake.runner.stop();
  if (intake.server) await closeWebhookServer(intake.server, limit);
  if (intake.durable) await stopDurableQueue(intake.durable, limit);
  if (!(await inFlight.idle(limit)))
    log.warn('some updates were still running at shutdown', { inFlight: inFlight.size });
  if ((await Promise.race([parts.reloads.idle(), timeout(limit)])) === 'timeout')
    log.warn('a reload was still running at shutdown');
  await parts.records
    .close()
    .catch((error) => log.error('could not close the record', { error: describeError(error) }));
  await parts.shared
    ?.close()
    .catch((error) => log.warn('closing the shared-state pool failed', { error: describeError(error) }));
  await parts.closeEngine();
  log.info('stopped');
}

async function closeWebhookServer(server: http.Server, limit: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await Promise.race([closed, timeout(limit)]);
}

/** Updates not yet claimed stay in the queue for the other processes (or this one's next start). */
async function stopDurableQueue(durable: DurableQueue, limit: number): Promise<void> {
  if ((await Promise.race([durable.worker.stop(), timeout(limit)])) === 'timeout')
    log.warn('queued updates were still running at shutdown');
  await durable.pool
    .end()
    .catch((error: unknown) => log.warn('closing the database pool failed', { error: describeError(error) }));
}

/**
 * A copy of the bot for the warm-up's made-up questions: same code, but its record discards everything,
 * its metrics are its own and its Bot API calls never leave the process (warm-up.ts).
 */
function throwawayCopy(options: Pick<CreateBotOptions, 'settings' | 'token' | 'engine' | 'botInfo'>): ThrowawayBot {
  const discarded = Records.discarding();
  const metrics = new BotMetrics({ defaultMetrics: false });
  const copy = createBot({ ...options, records: discarded, metrics, fetch: offlineFetch });
  return { bot: copy.bot, close: () => discarded.close() };
}

/**
 * Starts the bot as `npm start` does. Throws ConfigError (bad settings) or StartupError (Telegram
 * refused the token, index or port unusable), each with a one-line message.
 */
export async function startBot(settings: Settings, options: StartBotOptions = {}): Promise<BotHandle> {
  const { token, botInfo } = await acceptToken(settings);
  const metrics = options.metrics ?? new BotMetrics();
  const live: LiveParts = {};
  const databaseProbe = options.databaseProbe ?? probeDatabases(live);
  const ops = opsHandler({ engine: () => live.serving ?? null, databaseProbe, metrics });
  const opsListener = await startOpsListener(settings, ops);
  const { engine, close: closeEngine } = await openEngine(settings, options, opsListener, metrics);
  const records = await openRecords(settings, options, metrics, closeEngine);
  live.records = records;
  // Buttons' answers (and, when copies share the webhook, rate-limit counts) in the shared database.
  const shared = settings.DATABASE_URL
    ? openSharedState(settings.DATABASE_URL, {
        rateLimitPerMinute: settings.RATE_LIMIT_PER_MINUTE,
        sharedRateLimit: Boolean(settings.WEBHOOK_URL),
        onDatabaseError: (op) => metrics.databaseError(op),
      })
    : undefined;

  // Its tables and connections are made alongside the warm-up rather than by the first citizens' updates.
  const sharedReady = shared
    ?.prepare()
    .catch((error) =>
      log.warn('shared state not ready at start-up; tried again on first use', { error: describeError(error) }),
    );

  const { bot, deps, inFlight } = createBot({
    answers: shared?.answers,
    rateLimitCounter: shared?.rateLimits,
    settings,
    token,
    engine,
    records,
    botInfo,
    progressThrottleMs: options.progressThrottleMs,
    uploadParseTimeoutMs: options.uploadParseTimeoutMs,
    metrics,
    first: settings.WEBHOOK_URL && settings.DATABASE_URL ? replyMarker((op) => metrics.databaseError(op)) : undefined,
  });
  await registerCommands(bot, settings.ADMIN_IDS);
  if (options.warmUp !== false) {
    const throwawayBot = () => throwawayCopy({ settings, token, engine, botInfo });
    await warmUp(engine, deps.examples, { k: settings.ANSWER_PASSAGES, api: bot.api, throwawayBot });
  }
  await sharedReady;
  live.serving = engine;

  let intake: UpdateIntake;
  try {
    intake = settings.WEBHOOK_URL
      ? await startWebhookIntake(bot, settings, ops, metrics, live)
      : await startPolling(bot, options);
  } catch (error) {
    await records.close();
    await shared?.close();
    await closeEngine();
    throw error;
  }
  const mode = settings.WEBHOOK_URL ? 'webhook' : 'polling';
  log.info('bot started', { mode, bot: botInfo.username, documents: engine.status().documents.length });

  const running: RunningParts = {
    intake,
    inFlight,
    reloads: deps.reloads,
    records,
    shared,
    closeEngine,
    timeoutMs: options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS,
  };
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= shutDown(running));
  const { webhookPort } = intake;
  return { bot, engine, records, mode, webhookPort, metricsPort: opsListener.port, metrics, stop };
}
