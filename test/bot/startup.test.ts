// Start-up and shutdown: the token check, `npm start` as a process (one-line errors, SIGTERM), webhook
// mode, hybrid search with a tiny local model, and stop() letting answers in flight finish.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerEngine } from '../../src/engine-api.js';
import { Engine, engineOptionsFromSettings } from '../../src/engine.js';
import { startBot, StartupError } from '../../src/bot/start.js';
import { loadSettings } from '../../src/config.js';
import { parse as parseEnv } from 'dotenv';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import {
  ADMIN,
  ask,
  CAM_LE_TITLE,
  captureLogs,
  citizen,
  makeCorpus,
  makeTempDir,
  newMessages,
  quietFor,
  startTestBot,
  testSettings,
} from './helpers.js';
import { freePort } from '../fixtures/free-port.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE, SEED_FILE } from '../fixtures/seed-report.js';
import { TYPING_DELAY_MS } from '../../src/bot/composers/questions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WRONG_TOKEN = '987654321:AAWrongTokenWrongTokenWrongToken_xyz';
const BAD_TOKEN_LINE = 'Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather';

let emu: BotApiEmulator;
let dir: string;

beforeAll(async () => {
  captureLogs();
  emu = await BotApiEmulator.start();
  dir = await makeTempDir('startup-');
  await makeCorpus(dir);
});

afterAll(async () => {
  await emu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm start`'s entry point (src/main.ts) as its own process, as an operator would. */
function runMain(
  env: Record<string, string>,
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
      // A folder without .env, so only `env` counts.
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('start-up errors', () => {
  it('a token Telegram rejects stops startBot with one clear line', async () => {
    const settings = testSettings(dir, emu, { TELEGRAM_BOT_TOKEN: WRONG_TOKEN });
    const error = await startBot(settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe(BAD_TOKEN_LINE);
  });

  it('npm start with a rejected token prints that one line and exits 1', async () => {
    const run = await runMain({
      TELEGRAM_BOT_TOKEN: WRONG_TOKEN,
      TELEGRAM_API_ROOT: emu.apiRoot,
      CORPUS_DIR: 'corpus',
      INDEX_DIR: 'index-main',
      LOG_LEVEL: 'error',
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(BAD_TOKEN_LINE);
    expect(run.stderr).not.toContain('AAWrongToken');
  });

  it('npm start with a bad setting prints one line naming it, no stack trace, and exits 1', async () => {
    const missing = await runMain({ TELEGRAM_API_ROOT: emu.apiRoot });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('TELEGRAM_BOT_TOKEN is missing');

    const malformed = await runMain({ TELEGRAM_BOT_TOKEN: 'secret-but-malformed', RATE_LIMIT_PER_MINUTE: '20' });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr.trim().split('\n')).toHaveLength(1);
    expect(malformed.stderr).toContain('TELEGRAM_BOT_TOKEN');
    expect(malformed.stderr).not.toContain('secret-but-malformed');
    expect(malformed.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('.env.example', () => {
  it('names every setting of src/config.ts once, with a comment, and is valid as it stands', async () => {
    const example = await readFile(path.join(ROOT, '.env.example'), 'utf8');
    const config = await readFile(path.join(ROOT, 'src/config.ts'), 'utf8');
    const schema = config.slice(config.indexOf('z.object({'), config.indexOf('});', config.indexOf('z.object({')));
    const settings = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!).sort();
    const lines = example.split('\n');
    const keys = lines.flatMap((l, i) => {
      const m = /^([A-Z][A-Z0-9_]+)=(.*)$/.exec(l);
      if (!m) return [];
      expect(lines[i - 1], `comment above ${m[1]}`).toMatch(/^# \S/);
      return [m[1]!];
    });
    expect([...keys].sort()).toEqual(settings);
    expect(example).not.toMatch(/TELEGRAM_BOT_TOKEN=\S/);
    expect(() => loadSettings(parseEnv(example), dir)).not.toThrow();
  });
});

describe('npm start as a process', () => {
  it('answers, then on SIGTERM finishes, writes the record and exits 0', async () => {
    const user = citizen();
    let asked = false;
    const run = await runMain(
      {
        TELEGRAM_BOT_TOKEN: emu.token,
        TELEGRAM_API_ROOT: emu.apiRoot,
        CORPUS_DIR: 'corpus',
        INDEX_DIR: 'index-main',
        STATS_FILE: 'index-main/stats.json',
        DATA_DIR: 'data-main',
        SEARCH_MODE: 'lexical',
      },
      (stderr, child) => {
        if (asked || !stderr.includes('"bot started"')) return;
        asked = true;
        void ask(emu, user, BUDGET_QUESTION).then(() => child.kill('SIGTERM'));
      },
    );
    expect(run.code).toBe(0);
    expect(emu.messagesTo(user.id)[0]!.plain_text).toContain(BUDGET_SENTENCE);
    expect(run.stderr).toContain('"index progress"');
    expect(run.stderr).toContain('"stopped"');
    expect(run.stderr).not.toContain(emu.token);
    const db = new Database(path.join(dir, 'data-main', 'records.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT question, answered FROM questions').all()).toEqual([
        { question: BUDGET_QUESTION, answered: 1 },
      ]);
    } finally {
      db.close();
    }
  }, 30_000);
});

describe('stop()', () => {
  it('stops taking updates but lets an answer in flight finish', async () => {
    const local = await BotApiEmulator.start();
    const settings = testSettings(dir, local, { INDEX_DIR: 'index-stop', STATS_FILE: 'index-stop/stats.json' });
    const real = await Engine.open(engineOptionsFromSettings(settings));
    // The real engine, slowed down past TYPING_DELAY_MS so that "typing…" shows the question is in flight.
    const slow: AnswerEngine = {
      ask: async (q, o) => {
        await new Promise((r) => setTimeout(r, TYPING_DELAY_MS + 800));
        return real.ask(q, o);
      },
      status: () => real.status(),
      reload: (p) => real.reload(p),
      close: () => real.close(),
    };
    // No warm-up: 40 questions through the slowed engine would take over a minute.
    const handle = await startBot(settings, { engine: slow, pollingTimeoutSeconds: 1, warmUp: false });
    try {
      const user = citizen();
      local.sendText(user, BUDGET_QUESTION);
      await local.waitForCall('sendChatAction');
      await handle.stop();
      // The reply was sent before stop() resolved.
      expect(local.messagesTo(user.id)).toHaveLength(1);
      expect(local.messagesTo(user.id)[0]!.plain_text).toContain(BUDGET_SENTENCE);
      // After stop, nothing is taken any more.
      local.sendText(user, BUDGET_QUESTION);
      await quietFor(500);
      expect(local.messagesTo(user.id)).toHaveLength(1);
      expect(local.pendingUpdateCount()).toBe(1);
    } finally {
      await handle.stop();
      await real.close();
      await local.stop();
    }
  });
});

describe('webhook mode', () => {
  it('sets the webhook, checks the secret, and answers updates posted to it', async () => {
    const local = await BotApiEmulator.start();
    const port = await freePort();
    const secret = 'test-secret-0123456789abcdef';
    const bot = await startTestBot({
      emu: local,
      dir,
      env: {
        INDEX_DIR: 'index-webhook',
        STATS_FILE: 'index-webhook/stats.json',
        WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
        WEBHOOK_SECRET: secret,
        WEBHOOK_PORT: String(port),
      },
    });
    try {
      expect(bot.bot.mode).toBe('webhook');
      const setWebhook = local.callsOf('setWebhook')[0]!.params;
      expect(setWebhook.url).toBe('https://bot.example.test/telegram/hook');
      expect(setWebhook.secret_token).toBe(secret);

      const user = citizen();
      const update = (id: number) => ({
        update_id: id,
        message: {
          message_id: id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: 'private', first_name: user.first_name },
          from: { id: user.id, is_bot: false, first_name: user.first_name },
          text: BUDGET_QUESTION,
        },
      });
      const post = (body: unknown, token?: string, url = `http://127.0.0.1:${port}/telegram/hook`) =>
        fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { 'X-Telegram-Bot-Api-Secret-Token': token } : {}),
          },
          body: JSON.stringify(body),
        });

      expect((await post(update(1), 'wrong-secret-wrong-secret')).status).toBe(401);
      expect((await post(update(2))).status).toBe(401);
      expect((await post(update(3), secret, `http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
      await quietFor(200);
      expect(local.messagesTo(user.id)).toHaveLength(0);

      expect((await post(update(4), secret)).status).toBe(200);
      const [reply] = await newMessages(local, user.id, 0);
      expect(reply!.plain_text).toContain(BUDGET_SENTENCE);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await bot.stop();
      await local.stop();
    }
  });
});

describe('hybrid search with a local model', () => {
  it('answers with the tiny embedding model loaded (no download)', async () => {
    const local = await BotApiEmulator.start();
    const hybridDir = await makeTempDir('hybrid-');
    // The Cẩm Lệ report alone: the tiny model's random vectors are too crude to rank well among more.
    const corpus = await makeCorpus(hybridDir, { second: false });
    const camLe = await readFile(path.join(corpus, SEED_FILE), 'utf8');
    const { modelId } = await makeTinyModel(path.join(hybridDir, 'models'), { vocabulary: [camLe] });
    const bot = await startTestBot({
      emu: local,
      dir: hybridDir,
      env: { SEARCH_MODE: 'hybrid', EMBEDDING_MODEL: modelId, MODELS_DIR: 'models', ALLOW_MODEL_DOWNLOADS: 'false' },
    });
    try {
      const status = bot.bot.engine.status();
      expect(status.mode).toBe('hybrid');
      expect(status.degradedReason).toBeNull();
      const reply = await ask(local, citizen(), BUDGET_QUESTION);
      expect(reply.plain_text).toContain(BUDGET_SENTENCE);
      expect(reply.plain_text).toContain(CAM_LE_TITLE);
      local.sendCommand(ADMIN, '/docs');
      const [docs] = await newMessages(local, ADMIN.id, 0);
      expect(docs!.plain_text).toContain('kết hợp từ khóa và ngữ nghĩa');
    } finally {
      await bot.stop();
      await local.stop();
      await rm(hybridDir, { recursive: true, force: true });
    }
  }, 60_000);
});
