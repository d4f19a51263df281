// The one place that reads process.env. Every setting is validated here, so that a bad value stops
// start-up with one line that says what to fix, instead of a stack trace later.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .positive('must be above 0')
    .default(fallback);

/** Passages per answer when neither ANSWER_PASSAGES nor the caller says; the engine falls back to it too. */
export const DEFAULT_ANSWER_PASSAGES = 3;
/** How long a claimed update is held before another process may take it, unless UPDATE_LEASE_SECONDS says. */
export const DEFAULT_UPDATE_LEASE_SECONDS = 30;

const settingsSchema = z.object({
  // --- Telegram ---
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/, 'does not look like a token from @BotFather (digits:letters)')
    .optional(),
  ADMIN_IDS: z
    .string()
    .default('')
    .refine(
      (v) => v.trim() === '' || /^\s*\d+(\s*,\s*\d+)*\s*$/.test(v),
      'must be Telegram user ids separated by commas',
    )
    .transform(
      (v) =>
        new Set(
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
            .map(Number),
        ),
    ),
  TELEGRAM_API_ROOT: z
    .string()
    .url('must be a URL such as https://api.telegram.org')
    .default('https://api.telegram.org'),
  WEBHOOK_URL: z.string().url('must be an https URL').optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ or -')
    .optional(),
  WEBHOOK_PORT: positiveInt(8443),
  // --- Operations ---
  // A separate listener for GET /healthz and /metrics (they are also on the webhook port in webhook mode).
  METRICS_PORT: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be a port (1-65535)')
    .max(65535, 'must be a port (1-65535)')
    .optional(),
  // --- Corpus and index ---
  CORPUS_DIR: z.string().min(1).default('corpus'),
  INDEX_DIR: z.string().min(1).default('index'),
  // The admins' synonyms file; default: synonyms.txt in the corpus folder.
  SYNONYMS_FILE: z.string().min(1).optional(),
  // --- Embedding model ---
  EMBEDDING_MODEL: z.string().min(1).default('Xenova/multilingual-e5-small'),
  EMBEDDING_QUANTIZED: bool.default(true),
  MODELS_DIR: z.string().min(1).default('models'),
  ALLOW_MODEL_DOWNLOADS: bool.default(true),
  MODEL_LOAD_TIMEOUT_MS: positiveInt(20_000),
  SEARCH_MODE: z
    .enum(['hybrid', 'lexical', 'vector'], { message: 'must be hybrid, lexical or vector' })
    .default('hybrid'),
  // --- Answers and users ---
  ANSWER_PASSAGES: positiveInt(DEFAULT_ANSWER_PASSAGES),
  RATE_LIMIT_PER_MINUTE: positiveInt(20),
  MAX_UPLOAD_MB: positiveInt(15),
  // Questions offered as buttons by the bot's /start, separated by "|"; empty: built-in examples.
  EXAMPLE_QUESTIONS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split('|')
            .map((q) => q.trim())
            .filter(Boolean)
        : undefined,
    )
    .refine(
      (v) => v === undefined || (v.length <= 10 && v.every((q) => q.length <= 100)),
      'must be at most 10 questions of at most 100 characters, separated by |',
    ),
  // --- Logs and data ---
  STATS_FILE: z.string().min(1).default('index/stats.json'),
  // --- The office's record (questions, feedback) ---
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgres://user:password@host:5432/botlog')
    .optional(),
  LOG_RETENTION_DAYS: positiveInt(180),
  PSEUDONYM_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // How long a claimed webhook update is held before another copy may take it (renewed while it runs).
  UPDATE_LEASE_SECONDS: positiveInt(DEFAULT_UPDATE_LEASE_SECONDS),
  // With DATABASE_URL in webhook mode: how often a copy looks for an index bundle published by another copy,
  // in case the notification was missed (it normally arrives at once).
  INDEX_POLL_SECONDS: positiveInt(10),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' })
    .default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { message: 'must be auto, json or pretty' }).default('auto'),
});

/** The validated settings, with every folder and file setting an absolute path. */
export type Settings = Omit<
  z.infer<typeof settingsSchema>,
  'CORPUS_DIR' | 'INDEX_DIR' | 'MODELS_DIR' | 'STATS_FILE' | 'SYNONYMS_FILE' | 'DATA_DIR'
> & {
  DATA_DIR: string;
  CORPUS_DIR: string;
  SYNONYMS_FILE: string;
  INDEX_DIR: string;
  MODELS_DIR: string;
  STATS_FILE: string;
};

/** A setting that is missing or invalid; start-up prints its message as one line and exits. */
export class ConfigError extends Error {}

/**
 * Validates settings from an environment (process.env by default). Empty strings count as unset, as in
 * a freshly copied .env.example. Paths are resolved against `cwd`.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => key in settingsSchema.shape && value !== undefined && value.trim() !== '',
    ),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? 'settings');
    // Never echo the value: it may be the token.
    throw new ConfigError(`Setting ${key} ${issue.message}. Fix it in .env (see .env.example).`);
  }
  const s = parsed.data;
  if (s.WEBHOOK_URL && !s.WEBHOOK_URL.startsWith('https://')) {
    throw new ConfigError(
      'Setting WEBHOOK_URL must start with https:// (Telegram only calls https webhooks). Fix it in .env.',
    );
  }
  return {
    ...s,
    CORPUS_DIR: path.resolve(cwd, s.CORPUS_DIR),
    INDEX_DIR: path.resolve(cwd, s.INDEX_DIR),
    SYNONYMS_FILE: s.SYNONYMS_FILE
      ? path.resolve(cwd, s.SYNONYMS_FILE)
      : path.join(path.resolve(cwd, s.CORPUS_DIR), 'synonyms.txt'),
    MODELS_DIR: path.resolve(cwd, s.MODELS_DIR),
    STATS_FILE: path.resolve(cwd, s.STATS_FILE),
    DATA_DIR: path.resolve(cwd, s.DATA_DIR),
  };
}

/** The settings from the environment with some of them given another value (the CLI's --mode). */
export function loadSettingsWith(overrides: Record<string, string>, cwd = process.cwd()): Settings {
  return loadSettings({ ...process.env, ...overrides }, cwd);
}

/**
 * The environment for a child process (the OCR tool) with `extra` on top: the child needs PATH, locale
 * and temp settings, and this keeps the one read of process.env in this file.
 */
export function childProcessEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** The bot needs a token; the CLI does not. */
export function requireToken(settings: Settings): string {
  if (!settings.TELEGRAM_BOT_TOKEN) {
    throw new ConfigError(
      'Setting TELEGRAM_BOT_TOKEN is missing. Get one from @BotFather and put it in .env (see README).',
    );
  }
  return settings.TELEGRAM_BOT_TOKEN;
}
