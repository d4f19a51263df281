// What the composers share. Built once in create-bot.ts.
import type { Settings } from '../config.js';
import type { BotMetrics } from '../ops/metrics.js';
import type { AnswerEngine } from '../engine-api.js';
import type { AnswerStore } from './answer-cache.js';
import type { ReloadCoordinator } from './reload.js';
import type { Records } from '../store/records.js';
import type { Turns } from './turns.js';

/** The services the composers share, built once by createBot and handed to each composer. */
export interface BotDeps {
  engine: AnswerEngine;
  settings: Settings;
  /** The office's record: questions, feedback (see src/store/). */
  records: Records;
  /** The answers behind inline buttons (in memory, or shared in PostgreSQL). */
  answers: AnswerStore;
  reloads: ReloadCoordinator;
  /** For file downloads only (`${apiRoot}/file/bot${token}/…`); never logged. */
  token: string;
  /** The questions behind /start's buttons. */
  examples: readonly string[];
  /** Prometheus metrics (questions, latency, rate limits); absent in tests that build a bot by hand. */
  metrics?: BotMetrics;
  /**
   * Questions take turns at the engine, one per event-loop iteration, so that replies leave as their
   * answers are ready (see turns.ts); absent in tests that build a bot by hand (no turns then).
   */
  turns?: Turns;
  /** Time budget for parsing an uploaded PDF (default: the corpus loader's, 30 s). */
  uploadParseTimeoutMs?: number;
}

/** Questions longer than this get a polite "too long" instead of a search. */
export { MAX_QUESTION_CHARS } from '../engine-api.js';
