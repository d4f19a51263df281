// The reload coordinator with an engine whose reload the test finishes by hand, so that the timing
// cases (a request during a reload, progress faster than the throttle) are exact. Telegram is the
// emulator; the end-to-end reloads with the real Engine are in admin.test.ts.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerEngine, IndexSummary, ProgressEvent } from '../../src/engine-api.js';
import { MSG } from '../../src/bot/messages.vi.js';
import { ReloadCoordinator } from '../../src/bot/reload.js';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { captureLogs } from './helpers.js';

interface PendingReload {
  progress: (event: ProgressEvent) => void;
  finish: (summary: IndexSummary) => void;
  fail: (error: Error) => void;
}

function controllableEngine() {
  const reloads: PendingReload[] = [];
  const engine: AnswerEngine = {
    ask: () => Promise.reject(new Error('not used')),
    status: () => ({
      ready: true,
      mode: 'lexical',
      degradedReason: null,
      degraded: null,
      modelId: null,
      documents: [],
      passages: 0,
      builtAt: null,
      reloading: reloads.length > 0,
      skipped: [],
    }),
    close: () => Promise.resolve(),
    reload: (onProgress) =>
      new Promise<IndexSummary>((resolve, reject) => {
        reloads.push({ progress: (e) => onProgress?.(e), finish: resolve, fail: reject });
      }),
  };
  return { engine, reloads };
}

const summary = (documents: number): IndexSummary => ({
  documents,
  passages: documents * 3,
  skipped: [{ source: 'hong.pdf', reason: 'không phải PDF <thật>' }],
  reusedEmbeddings: 0,
  seconds: 0.5,
});

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let emu: BotApiEmulator;
let api: Api;

beforeAll(async () => {
  captureLogs();
  emu = await BotApiEmulator.start();
  api = new Api(emu.token, { apiRoot: emu.apiRoot });
});

afterAll(async () => {
  await emu?.stop();
});

describe('ReloadCoordinator', () => {
  it('throttles progress edits, then reports the result (skipped files escaped) as a new message', async () => {
    const { engine, reloads } = controllableEngine();
    const reloadsCoordinator = new ReloadCoordinator(engine, api, { throttleMs: 300 });
    const chat = 71;
    await reloadsCoordinator.start(chat, 'test');
    expect(emu.messagesTo(chat).map((m) => m.text)).toEqual([MSG.reloadStarted]);

    // 40 progress events over ~1 s: at most one edit per 300 ms.
    const startedAt = Date.now();
    for (let i = 1; i <= 40; i++) {
      reloads[0]!.progress({ stage: 'load', done: i, total: 40 });
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 350));
    const elapsed = Date.now() - startedAt;
    const edits = emu.callsOf('editMessageText').filter((c) => Number(c.params.chat_id) === chat);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(elapsed / 300) + 1);
    // The latest event is what is shown.
    expect(emu.messagesTo(chat)[0]!.plain_text).toContain('40/40');

    reloads[0]!.finish(summary(5));
    await reloadsCoordinator.idle();
    const messages = emu.messagesTo(chat);
    expect(messages).toHaveLength(2);
    expect(messages[0]!.text).toBe(MSG.reloadStatusFinished(true));
    expect(messages[1]!.plain_text).toContain('Báo cáo: 5');
    expect(messages[1]!.plain_text).toContain('hong.pdf: không phải PDF <thật>');
  });

  it('a request during a reload gets one follow-up reload, shared, with its own report', async () => {
    const { engine, reloads } = controllableEngine();
    const coordinator = new ReloadCoordinator(engine, api, { throttleMs: 300 });
    const [a, b, c] = [81, 82, 83];
    await coordinator.start(a, 'first');
    await coordinator.start(b, 'upload while running');
    await coordinator.start(c, 'another while running');
    expect(reloads).toHaveLength(1);
    expect(emu.messagesTo(b)[0]!.text).toBe(MSG.reloadQueued);

    reloads[0]!.finish(summary(2));
    await until(() => reloads.length === 2);
    expect(emu.messagesTo(a).at(-1)!.plain_text).toContain('Báo cáo: 2');
    expect(emu.messagesTo(b)).toHaveLength(1); // not the first run's result: it may predate b's change

    reloads[1]!.fail(new Error('Corpus folder /x does not exist'));
    await coordinator.idle();
    for (const chat of [b, c]) {
      expect(emu.messagesTo(chat).at(-1)!.plain_text).toContain('Nạp lại không thành công');
      expect(emu.messagesTo(chat).at(-1)!.plain_text).toContain('does not exist');
    }
    expect(emu.messagesTo(a)).toHaveLength(2);
    expect(coordinator.isRunning).toBe(false);
  });
});
