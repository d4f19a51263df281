// Client for test/emulator/serve.ts: starts the emulator in a child process and drives it over its
// control API. The bot under test points at `apiRoot` as it would at the in-process emulator.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EmulatedUser } from './bot-api-emulator.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface BurstReport {
  queued: { updateId: number; chat: number; text: string; queuedAt: number }[];
  sends: { chat: number; at: number; text: string }[];
  actions: { chat: number; at: number }[];
  /**
   * answerCallbackQuery calls (from serve.ts): the chat of the press (when it came from `press`), the text
   * shown, and the tags of the bots that sent the pressed message and answered the press (see serve.ts).
   */
  callbackAnswers?: { chat: number | null; text: string | null; sentBy: string | null; answeredBy: string | null }[];
  failedCalls: number;
  pendingUpdates: number;
}

export class RemoteEmulator {
  private constructor(
    private readonly child: ChildProcess,
    readonly apiRoot: string,
    readonly token: string,
    private readonly control: string,
  ) {}

  static async spawn(options: { timeoutMs?: number } = {}): Promise<RemoteEmulator> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'serve.ts')], {
      cwd: path.resolve(HERE, '..', '..'),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the emulator process did not start')),
        options.timeoutMs ?? 30_000,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`the emulator process exited (${code})`)));
    });
    const ready = JSON.parse(first) as { apiRoot: string; token: string; control: string };
    return new RemoteEmulator(child, ready.apiRoot, ready.token, ready.control);
  }

  private async call<T>(method: 'GET' | 'POST', route: string, input?: unknown): Promise<T> {
    const request = () =>
      fetch(this.control + route, {
        method,
        ...(input === undefined
          ? {}
          : { body: JSON.stringify(input), headers: { 'content-type': 'application/json' } }),
      });
    // Waiting and reading are safe to repeat: a kept-alive connection the emulator closed as it was reused
    // ("fetch failed", seen once with 300 waiters on a loaded machine) must not end a long run.
    const res = await request().catch((error: unknown) => {
      if (route === '/wait' || route === '/report') return request();
      throw error;
    });
    if (!res.ok) throw new Error(`emulator control ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  send(from: EmulatedUser, text: string): Promise<{ updateId: number; queuedAt: number }> {
    return this.call('POST', '/send', { from, text });
  }

  /** Queues every message in one turn of the emulator's event loop: a true simultaneous burst. */
  burst(messages: { from: EmulatedUser; text: string }[]): Promise<{ queuedAt: number }> {
    return this.call('POST', '/burst', { messages });
  }

  /**
   * Queues every message as /burst does, then delivers them to the bot's webhook at `url` as Telegram
   * would (the secret header, at most `connections` POSTs at once, each repeated until a 200); resolves
   * once every update was taken.
   */
  webhookBurst(
    url: string,
    secret: string,
    messages: { from: EmulatedUser; text: string }[],
    connections = 40,
  ): Promise<{ queuedAt: number; retriedPosts: number }> {
    return this.call('POST', '/webhook-burst', { url, secret, messages, connections });
  }

  /** Resolves with ok=false (and the chats short of replies) instead of throwing on timeout. */
  waitForMessages(chats: number[], count: number, timeoutMs = 30_000): Promise<{ ok: boolean; missing?: number[] }> {
    return this.call('POST', '/wait', { chats, count, timeoutMs });
  }

  /**
   * The callback_query of a press on the newest message to `chat` with a button whose data starts with
   * one of `prefixes` (tried in order), or null; not queued (post it to the bot's webhook).
   */
  async press(
    from: EmulatedUser,
    chat: number,
    prefixes: string[],
  ): Promise<{ id: string; data: string; message: unknown } | null> {
    const out = await this.call<{ callbackQuery: { id: string; data: string; message: unknown } | null }>(
      'POST',
      '/press',
      { from, chat, prefixes },
    );
    return out.callbackQuery;
  }

  report(): Promise<BurstReport> {
    return this.call('GET', '/report');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('POST', '/stop').catch(() => this.child.kill('SIGKILL'));
    await exited;
  }
}
