// Counters for /stats and the latest questions the reports could not answer (what the office should write
// about next). Kept in memory, saved to STATS_FILE shortly after each change and on shutdown. A save writes
// a temporary file and renames it over the old one, so a crash never leaves half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';

export interface UnansweredQuestion {
  question: string;
  /** ISO time. */
  at: string;
}

export interface StatsSnapshot {
  /** ISO time the counters started. */
  since: string;
  asked: number;
  answered: number;
  /** Newest first. */
  recentUnanswered: UnansweredQuestion[];
}

export interface StatsOptions {
  /** How many unanswered questions to keep (default 10). */
  keepUnanswered?: number;
  /** Questions are cut to this many characters before they are stored (default 200). */
  maxQuestionChars?: number;
  /** Delay between a change and its save, to write once for a burst of questions (default 1000 ms). */
  saveDelayMs?: number;
}

const FILE_VERSION = 1;

function isSnapshot(value: unknown): value is StatsSnapshot & { version: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === FILE_VERSION &&
    typeof v.since === 'string' &&
    Number.isInteger(v.asked) &&
    Number.isInteger(v.answered) &&
    Array.isArray(v.recentUnanswered) &&
    v.recentUnanswered.every(
      (u) => typeof u === 'object' && u !== null && typeof u.question === 'string' && typeof u.at === 'string',
    )
  );
}

export class StatsStore {
  private data: StatsSnapshot;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  /** Saves run one after another; this is the last one queued. */
  private writing: Promise<void> = Promise.resolve();
  private readonly keep: number;
  private readonly maxChars: number;
  private readonly delayMs: number;

  private constructor(
    readonly file: string,
    data: StatsSnapshot,
    options: StatsOptions,
  ) {
    this.data = data;
    this.keep = options.keepUnanswered ?? 10;
    this.maxChars = options.maxQuestionChars ?? 200;
    this.delayMs = options.saveDelayMs ?? 1000;
  }

  /** Reads the saved counters, or starts from zero when there are none. A damaged file is set aside. */
  static async open(file: string, options: StatsOptions = {}): Promise<StatsStore> {
    const fresh: StatsSnapshot = { since: new Date().toISOString(), asked: 0, answered: 0, recentUnanswered: [] };
    let raw: string | null = null;
    try {
      raw = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.warn('stats file unreadable; starting from zero', { file, error: (error as Error).message });
      }
    }
    if (raw === null) return new StatsStore(file, fresh, options);
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // handled below
    }
    if (!isSnapshot(parsed)) {
      const aside = `${file}.damaged-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      log.warn('stats file damaged; set aside, starting from zero', { file, aside });
      return new StatsStore(file, fresh, options);
    }
    const { since, asked, answered, recentUnanswered } = parsed;
    return new StatsStore(file, { since, asked, answered, recentUnanswered: recentUnanswered.slice(0, options.keepUnanswered ?? 10) }, options);
  }

  recordQuestion(question: string, answered: boolean): void {
    this.data.asked += 1;
    if (answered) {
      this.data.answered += 1;
    } else {
      // Cut on a character boundary: half an emoji would make Telegram refuse the whole /stats message.
      const end = /[\uD800-\uDBFF]/.test(question[this.maxChars - 1] ?? '') ? this.maxChars - 1 : this.maxChars;
      const text = question.length > this.maxChars ? question.slice(0, end) + '…' : question;
      this.data.recentUnanswered = [{ question: text, at: new Date().toISOString() }, ...this.data.recentUnanswered].slice(0, this.keep);
    }
    this.scheduleSave();
  }

  snapshot(): StatsSnapshot {
    return { ...this.data, recentUnanswered: this.data.recentUnanswered.map((u) => ({ ...u })) };
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch((error) => log.error('could not save stats', { file: this.file, error }));
    }, this.delayMs);
    // A pending save must not keep a stopping process alive; close() flushes.
    this.timer.unref();
  }

  /** Writes the counters now if they changed since the last save. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const body = JSON.stringify({ version: FILE_VERSION, ...this.data }, null, 2) + '\n';
    // A failed save must not block the next one.
    this.writing = this.writing.catch(() => undefined).then(() => writeAtomically(this.file, body));
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

async function writeAtomically(file: string, body: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, body, 'utf8');
  await rename(tmp, file);
}
