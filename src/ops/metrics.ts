// The bot's Prometheus metrics (prom-client), one registry per bot so that several bots in one process
// (tests) do not share counters. Names start with `bot_`; every figure the operations part of issue 10
// asks for is here: questions (answered yes/no), the answered share, reply latency, the update queue's
// depth and oldest age (from whatever queue is in use, through setQueueSource), reloads and their
// durations, database errors by operation, and rate-limited users.
import { collectDefaultMetrics, Counter, type CounterConfiguration, Gauge, Histogram, Registry } from 'prom-client';

/** What a queue of updates reports; `oldestAgeSeconds` is 0 when it is empty. */
export interface QueueState {
  depth: number;
  oldestAgeSeconds: number;
}

/** Reads the current queue state for the metrics, from memory or from the database. */
export type QueueSource = () => QueueState | Promise<QueueState>;

/**
 * A counter whose series (one label set each) exist from the start, at 0: rate() and shares then work
 * before the first event of a kind.
 */
function counterWithSeries<L extends string>(
  configuration: CounterConfiguration<L>,
  series: readonly Partial<Record<L, string>>[],
): Counter<L> {
  const counter = new Counter(configuration);
  for (const labels of series) counter.inc(labels, 0);
  return counter;
}

/** Choices for one BotMetrics registry. */
export interface BotMetricsOptions {
  /** Node's process_* and nodejs_* metrics too (default true). */
  defaultMetrics?: boolean;
}

/** The bot's Prometheus registry and the few calls the bot makes to record what happens. */
export class BotMetrics {
  readonly registry = new Registry();
  private readonly questions: Counter<'answered'>;
  private readonly latency: Histogram;
  private readonly reloads: Counter<'outcome' | 'source'>;
  private readonly reloadSeconds: Histogram<'source'>;
  private readonly dbErrors: Counter<'op'>;
  private readonly limited: Counter;
  private queueSource: QueueSource | null = null;

  constructor(options: BotMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.questions = counterWithSeries(
      {
        name: 'bot_questions_total',
        help: "Citizens' questions answered by the bot, by whether the reports answered them",
        labelNames: ['answered'],
        registers,
      },
      [{ answered: 'yes' }, { answered: 'no' }],
    );
    const questions = this.questions;
    new Gauge({
      name: 'bot_answered_share',
      help: 'Share of questions answered from the reports since the process started (0 to 1; 0 before any question)',
      registers,
      async collect() {
        const values = (await questions.get()).values;
        const yes = values.find((v) => v.labels.answered === 'yes')?.value ?? 0;
        const no = values.find((v) => v.labels.answered === 'no')?.value ?? 0;
        this.set(yes + no === 0 ? 0 : yes / (yes + no));
      },
    });
    this.latency = new Histogram({
      name: 'bot_reply_latency_seconds',
      help: 'From the bot starting on a question to its reply being accepted by Telegram',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'bot_update_queue_depth',
      help: 'Updates received and not yet handled (0 when no queue is in use)',
      registers,
      async collect() {
        this.set((await self.readQueue()).depth);
      },
    });
    new Gauge({
      name: 'bot_update_queue_oldest_age_seconds',
      help: 'Age of the oldest update waiting in the queue (0 when it is empty)',
      registers,
      async collect() {
        this.set((await self.readQueue()).oldestAgeSeconds);
      },
    });
    this.reloads = counterWithSeries(
      {
        name: 'bot_reloads_total',
        help: 'Index reloads, by outcome (ok, failed) and source (built here, or loaded: built by another copy)',
        labelNames: ['outcome', 'source'],
        registers,
      },
      [
        { outcome: 'ok', source: 'built' },
        { outcome: 'failed', source: 'built' },
        { outcome: 'ok', source: 'loaded' },
      ],
    );
    this.reloadSeconds = new Histogram({
      name: 'bot_reload_duration_seconds',
      help: 'How long index reloads took, failed ones included, by source (built here, or loaded)',
      labelNames: ['source'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    this.dbErrors = new Counter({
      name: 'bot_database_errors_total',
      help: 'Database operations that failed, by operation',
      labelNames: ['op'],
      registers,
    });
    this.limited = new Counter({
      name: 'bot_rate_limited_users_total',
      help: 'Times a user went over the rate limit (one per user per window: the window in which they got the notice)',
      registers,
    });
  }

  /** One question answered (or not), `seconds` from starting on it to the reply. */
  questionAnswered(answered: boolean, seconds: number): void {
    this.questions.inc({ answered: answered ? 'yes' : 'no' });
    this.latency.observe(seconds);
  }

  /**
   * A reload ended. `source` 'loaded': the index was built by another copy and downloaded from the
   * central index (a /reload here that found one, or a copy following another's build).
   */
  reloadFinished(ok: boolean, seconds: number, source: 'built' | 'loaded' = 'built'): void {
    this.reloads.inc({ outcome: ok ? 'ok' : 'failed', source });
    this.reloadSeconds.observe({ source }, seconds);
  }

  /** A database operation failed; `op` is a short fixed name ("insert-question", "probe", "claim"…). */
  databaseError(op: string): void {
    this.dbErrors.inc({ op });
  }

  rateLimited(): void {
    this.limited.inc();
  }

  /** Where queue depth and oldest age come from (the durable update queue, when in use). */
  setQueueSource(source: QueueSource | null): void {
    this.queueSource = source;
  }

  private async readQueue(): Promise<QueueState> {
    if (!this.queueSource) return { depth: 0, oldestAgeSeconds: 0 };
    try {
      return await this.queueSource();
    } catch {
      this.databaseError('queue-state');
      return { depth: 0, oldestAgeSeconds: 0 };
    }
  }

  /** The exposition text for GET /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
