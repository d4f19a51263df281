// Runs the engine's reload in the background of the chat that asked for it: a status message that is
// edited with progress (at most once every `throttleMs`, Telegram dislikes rapid edits), then the result
// as a new message, so the admin gets a notification. Questions keep being answered from the old index
// meanwhile (the engine swaps only when the new one is complete).
//
// A request that arrives while a reload runs (an upload, another /reload) may have changed the corpus
// after that reload read it, so it is not merged into the running one: one more reload follows, shared
// by every request that arrived meanwhile.
import type { Api } from 'grammy';
import type { AnswerEngine, IndexSummary, ProgressEvent } from '../engine-api.js';
import { log } from '../log.js';
import { isBlockedByUser } from './api.js';
import { MSG } from './messages.vi.js';
import { sendHtml } from './reply.js';
import { describeError } from '../errors.js';

interface Watcher {
  chatId: number;
  /** The status message edited with progress, or null until (or if never) it is sent. */
  messageId: number | null;
}

/** Least time between progress edits unless set: Telegram limits edits of one message. */
const PROGRESS_THROTTLE_MS = 2000;

/** Tuning of the progress messages. */
export interface ReloadOptions {
  /** Least time between two progress edits (default 2000 ms). */
  throttleMs?: number;
}

/**
 * Runs the engine's reloads for the chats that ask for them: one at a time, one follow-up for requests that
 * arrive meanwhile, and progress edited into each asking chat.
 */
export class ReloadCoordinator {
  /** Chats told about the reload in flight. */
  private current: Watcher[] = [];
  /** Chats waiting for the follow-up reload, or null when none is due. */
  private next: Watcher[] | null = null;
  private nextWhy = '';
  private running: Promise<void> | null = null;
  private lastEditAt = 0;
  private pendingEdit: NodeJS.Timeout | null = null;
  private latestEvent: ProgressEvent | null = null;
  /** Progress edits on their way, awaited before the final edit so none lands after it. */
  private readonly editsInFlight = new Set<Promise<unknown>>();
  private readonly throttleMs: number;

  constructor(
    private readonly engine: AnswerEngine,
    private readonly api: Api,
    options: ReloadOptions = {},
  ) {
    this.throttleMs = options.throttleMs ?? PROGRESS_THROTTLE_MS;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  /**
   * Starts a reload reported in `chatId` (or queues the follow-up one if a reload runs). Returns once
   * the status message is sent, through `api` (the asking update's own, so that it counts as that
   * update's reply); the reload goes on in the background.
   */
  async start(chatId: number, why: string, api: Api = this.api): Promise<void> {
    const watcher: Watcher = { chatId, messageId: null };
    const queued = this.running !== null;
    if (queued) {
      this.next ??= [];
      this.next.push(watcher);
      this.nextWhy = why;
    } else {
      this.current = [watcher];
      this.running = this.loop(why);
    }
    try {
      const sent = await api.sendMessage(chatId, queued ? MSG.reloadQueued : MSG.reloadStarted, {
        parse_mode: 'HTML',
      });
      watcher.messageId = sent.message_id;
    } catch (error) {
      log.warn('could not send reload status', { chat: chatId, error: describeError(error) });
    }
  }

  /** Resolves when no reload runs or is due. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(why: string): Promise<void> {
    let reason = why;
    for (;;) {
      await this.runOnce(reason);
      if (!this.next) break;
      this.current = this.next;
      this.next = null;
      reason = this.nextWhy;
    }
    this.current = [];
    this.running = null;
  }

  private async runOnce(why: string): Promise<void> {
    const started = performance.now();
    log.info('reload started', { why });
    this.lastEditAt = Date.now();
    let report: string;
    let ok = false;
    try {
      const summary: IndexSummary = await this.engine.reload((event) => this.onProgress(event));
      log.info('reload done', {
        documents: summary.documents,
        passages: summary.passages,
        skipped: summary.skipped.length,
        reusedEmbeddings: summary.reusedEmbeddings,
        ms: Math.round(performance.now() - started),
      });
      report = MSG.reloadDone(summary);
      ok = true;
    } catch (error) {
      log.warn('reload failed; the previous index keeps serving', { error: describeError(error) });
      report = MSG.reloadFailed(describeError(error));
    }
    if (this.pendingEdit) clearTimeout(this.pendingEdit);
    this.pendingEdit = null;
    this.latestEvent = null;
    await Promise.all(this.editsInFlight);
    await Promise.all(
      this.current.map(async (w) => {
        // The status message stops saying "đang nạp"; the result comes as a new message, which notifies.
        if (w.messageId !== null) {
          await this.api
            .editMessageText(w.chatId, w.messageId, MSG.reloadStatusFinished(ok), { parse_mode: 'HTML' })
            .catch((error) => log.debug('final status edit failed', { chat: w.chatId, error: describeError(error) }));
        }
        await sendHtml(this.api, w.chatId, report).catch((error) => {
          const level = isBlockedByUser(error) ? 'info' : 'warn';
          log[level]('could not send reload result', { chat: w.chatId, error: describeError(error) });
        });
      }),
    );
  }

  private onProgress(event: ProgressEvent): void {
    this.latestEvent = event;
    if (this.pendingEdit) return;
    const wait = Math.max(0, this.lastEditAt + this.throttleMs - Date.now());
    this.pendingEdit = setTimeout(() => {
      this.pendingEdit = null;
      const latest = this.latestEvent;
      if (!latest) return;
      this.lastEditAt = Date.now();
      const text = MSG.reloadProgress(latest);
      log.debug('reload progress shown', { ...latest, chats: this.current.length });
      for (const w of this.current) {
        if (w.messageId === null) continue;
        const edit = this.api
          .editMessageText(w.chatId, w.messageId, text, { parse_mode: 'HTML' })
          // "message is not modified" and the like must not disturb the reload.
          .catch((error) => log.debug('progress edit failed', { chat: w.chatId, error: describeError(error) }))
          .finally(() => this.editsInFlight.delete(edit));
        this.editsInFlight.add(edit);
      }
    }, wait);
  }
}
