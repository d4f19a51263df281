// GET /healthz and GET /metrics over real HTTP: on the webhook port, and on METRICS_PORT in polling mode;
// status codes and bodies with the index loaded or not and the database up or down; metric values
// changing after questions, a reload, a flood and database errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config.js';
import { opsHandler, startOpsServer } from '../../src/ops/http.js';
import { BotMetrics } from '../../src/ops/metrics.js';
import {
  ADMIN,
  captureLogs,
  citizen,
  makeCorpus,
  makeTempDir,
  newMessages,
  startTestBot,
  type TestBot,
} from './helpers.js';
import { freePort } from '../fixtures/free-port.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE } from '../fixtures/seed-report.js';

const UNANSWERABLE = 'Thời tiết Đà Nẵng ngày mai thế nào?';

/** The value of one sample line of the exposition ("name{labels} value"); NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

beforeAll(() => captureLogs());

describe('webhook mode: /healthz and /metrics on the webhook port', () => {
  let t: TestBot;
  let port: number;
  let databaseUp = true;
  const secret = 'ops-secret-0123456789abcdef';

  beforeAll(async () => {
    port = await freePort();
    t = await startTestBot({
      env: { WEBHOOK_URL: 'https://bot.example.test/hook', WEBHOOK_SECRET: secret, WEBHOOK_PORT: String(port) },
      start: {
        databaseProbe: async () => {
          if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
      },
    });
  }, 60_000);
  afterAll(() => t?.stop());

  let nextUpdate = 1;
  const ask = async (user: { id: number; first_name?: string }, text: string) => {
    const id = nextUpdate++;
    const before = t.emu.messagesTo(user.id).length;
    const res = await fetch(`http://127.0.0.1:${port}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret },
      body: JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: 'private', first_name: user.first_name },
          from: { id: user.id, is_bot: false, first_name: user.first_name },
          text,
        },
      }),
    });
    expect(res.status).toBe(200);
    return (await newMessages(t.emu, user.id, before))[0]!;
  };

  it('/healthz: 200 with the index and the database described', async () => {
    const res = await get(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/json');
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ ok: true, database: 'ok', index: { loaded: true, mode: 'lexical', documents: 2 } });
    expect(body.index.passages).toBeGreaterThan(0);
    expect(body.reason).toBeUndefined();
  });

  it('/healthz: 503 with the reason while the database is down, 200 again when it is back', async () => {
    const before = sample(
      (await get(`http://127.0.0.1:${port}/metrics`)).text,
      'bot_database_errors_total{op="probe"}',
    );
    databaseUp = false;
    try {
      const res = await get(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      const body = JSON.parse(res.text);
      expect(body.ok).toBe(false);
      expect(body.database).toBe('unreachable');
      expect(body.reason).toContain('database unreachable');
      expect(body.reason).toContain('ECONNREFUSED');
      expect(body.index.loaded).toBe(true);
    } finally {
      databaseUp = true;
    }
    const after = sample((await get(`http://127.0.0.1:${port}/metrics`)).text, 'bot_database_errors_total{op="probe"}');
    expect(after).toBe((Number.isNaN(before) ? 0 : before) + 1);
    expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('/metrics: Prometheus text whose question counters, share and latency follow the questions', async () => {
    const first = await get(`http://127.0.0.1:${port}/metrics`);
    expect(first.status).toBe(200);
    expect(first.type).toContain('text/plain');
    expect(first.text).toContain('# TYPE bot_questions_total counter');
    expect(first.text).toContain('# TYPE bot_reply_latency_seconds histogram');
    expect(sample(first.text, 'bot_questions_total{answered="yes"}')).toBe(0);
    expect(sample(first.text, 'bot_questions_total{answered="no"}')).toBe(0);
    expect(sample(first.text, 'bot_update_queue_depth')).toBe(0);
    expect(sample(first.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const user = citizen();
    expect((await ask(user, BUDGET_QUESTION)).plain_text).toContain(BUDGET_SENTENCE);
    let text = (await get(`http://127.0.0.1:${port}/metrics`)).text;
    expect(sample(text, 'bot_questions_total{answered="yes"}')).toBe(1);
    expect(sample(text, 'bot_answered_share')).toBe(1);
    expect(sample(text, 'bot_reply_latency_seconds_count')).toBe(1);
    expect(sample(text, 'bot_reply_latency_seconds_sum')).toBeGreaterThan(0);

    await ask(user, UNANSWERABLE);
    text = (await get(`http://127.0.0.1:${port}/metrics`)).text;
    expect(sample(text, 'bot_questions_total{answered="yes"}')).toBe(1);
    expect(sample(text, 'bot_questions_total{answered="no"}')).toBe(1);
    expect(sample(text, 'bot_answered_share')).toBe(0.5);
    expect(sample(text, 'bot_reply_latency_seconds_count')).toBe(2);
    expect(sample(text, 'bot_reply_latency_seconds_bucket{le="+Inf"}')).toBe(2);
  });

  it('counts database errors reported by the store, and reads queue depth from setQueueSource', async () => {
    t.bot.metrics.databaseError('insert-question');
    t.bot.metrics.databaseError('insert-question');
    t.bot.metrics.setQueueSource(() => ({ depth: 7, oldestAgeSeconds: 2.5 }));
    try {
      const text = (await get(`http://127.0.0.1:${port}/metrics`)).text;
      expect(sample(text, 'bot_database_errors_total{op="insert-question"}')).toBe(2);
      expect(sample(text, 'bot_update_queue_depth')).toBe(7);
      expect(sample(text, 'bot_update_queue_oldest_age_seconds')).toBe(2.5);
      // A queue that cannot be read counts as a database error and shows as empty, /metrics still works.
      t.bot.metrics.setQueueSource(async () => {
        throw new Error('down');
      });
      const failing = await get(`http://127.0.0.1:${port}/metrics`);
      expect(failing.status).toBe(200);
      expect(sample(failing.text, 'bot_update_queue_depth')).toBe(0);
      // Counted while this scrape was being collected: visible in the next one at the latest.
      const next = (await get(`http://127.0.0.1:${port}/metrics`)).text;
      expect(sample(next, 'bot_database_errors_total{op="queue-state"}')).toBeGreaterThanOrEqual(1);
    } finally {
      t.bot.metrics.setQueueSource(null);
    }
  });

  it('other paths and methods on the webhook port are still refused', async () => {
    expect((await get(`http://127.0.0.1:${port}/metrics/extra`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('polling mode: a separate listener on METRICS_PORT', () => {
  let t: TestBot;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    t = await startTestBot({ env: { METRICS_PORT: String(metricsPort), RATE_LIMIT_PER_MINUTE: '2' } });
  }, 60_000);
  afterAll(() => t?.stop());

  it('serves /healthz (the embedded record answers: "ok") and /metrics on METRICS_PORT', async () => {
    expect(t.bot.mode).toBe('polling');
    expect(t.bot.metricsPort).toBe(metricsPort);
    const health = await get(`http://127.0.0.1:${metricsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({ ok: true, database: 'ok', index: { loaded: true } });
    expect((await get(`http://127.0.0.1:${metricsPort}/nothing`)).status).toBe(404);
  });

  it('counts questions, rate-limited users and reloads', async () => {
    const user = citizen();
    for (const text of [BUDGET_QUESTION, UNANSWERABLE, BUDGET_QUESTION, BUDGET_QUESTION]) t.emu.sendText(user, text);
    // Two answers and one notice; the fourth message is dropped.
    await newMessages(t.emu, user.id, 0, 3);
    let text = (await get(`http://127.0.0.1:${metricsPort}/metrics`)).text;
    expect(sample(text, 'bot_questions_total{answered="yes"}')).toBe(1);
    expect(sample(text, 'bot_questions_total{answered="no"}')).toBe(1);
    expect(sample(text, 'bot_rate_limited_users_total')).toBe(1);
    expect(sample(text, 'bot_reloads_total{outcome="ok",source="built"}')).toBe(0);

    const before = t.emu.messagesTo(ADMIN.id).length;
    t.emu.sendCommand(ADMIN, '/reload');
    await t.emu.waitFor(
      () =>
        t.emu
          .messagesTo(ADMIN.id)
          .slice(before)
          .some((m) => (m.plain_text ?? '').includes('Đã nạp lại xong')),
      30_000,
    );
    text = (await get(`http://127.0.0.1:${metricsPort}/metrics`)).text;
    expect(sample(text, 'bot_reloads_total{outcome="ok",source="built"}')).toBe(1);
    expect(sample(text, 'bot_reload_duration_seconds_count{source="built"}')).toBe(1);
  });

  it('METRICS_PORT must be a port', () => {
    expect(() => loadSettings({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT must be a port/);
    expect(() => loadSettings({ METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT must be a number/);
  });
});

describe('/healthz before the index is loaded', () => {
  it('answers 503 "index not loaded" until the engine is there', async () => {
    const dir = await makeTempDir('ops-');
    await makeCorpus(dir);
    let engine: TestBot['bot']['engine'] | null = null;
    const metrics = new BotMetrics({ defaultMetrics: false });
    const { server, port } = await startOpsServer(0, opsHandler({ engine: () => engine, metrics }), '127.0.0.1');
    try {
      const res = await get(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toMatchObject({
        ok: false,
        reason: 'index not loaded',
        index: { loaded: false },
        database: 'not used',
      });
      const t = await startTestBot({ dir });
      try {
        engine = t.bot.engine;
        expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await t.stop();
      }
    } finally {
      server.close();
    }
  });
});
