// Telegram allows only 64 bytes of callback data, far too little for an answer. The buttons under an
// answer carry a short random id instead; the answer itself waits here, in a bounded LRU map, until it
// is pushed out by newer ones or gets too old. Ids are random, so a forged button cannot guess one.
// `AnswerStore` is what the buttons use: this cache alone in one process (`MemoryAnswerStore`), or with
// PostgreSQL behind it when several copies share the load (src/cluster/shared-answers.ts).
import { randomBytes } from 'node:crypto';
import type { Answer } from '../answer/types.js';
import { withDefaults } from '../defaults.js';

/** An answer kept for the buttons under it ("Xem thêm", "Toàn văn đoạn"), with the chat it was sent to. */
export interface CachedAnswer {
  answer: Answer;
  /** Only buttons pressed in the chat the answer was sent to may use it. */
  chatId: number;
  createdAt: number;
}

/** The oldest answer still served unless set, here and in the shared store: a day of buttons stays usable. */
export const DEFAULT_ANSWER_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Most answers kept, and the oldest still served, unless set. */
const CACHE_DEFAULTS = { capacity: 2000, maxAgeMs: DEFAULT_ANSWER_MAX_AGE_MS };

/** Bounds of the cache: how many answers, and for how long, the buttons keep working. */
export interface AnswerCacheOptions {
  /** Most answers kept (default 2000). */
  capacity?: number;
  /** Oldest answer still served (default 24 h). */
  maxAgeMs?: number;
}

/**
 * The answers behind the buttons, under short random ids, because a button's callback data holds only 64 bytes.
 * Bounded in size and age (least recently used first out).
 */
export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private readonly capacity: number;
  private readonly maxAgeMs: number;

  constructor(options: AnswerCacheOptions = {}) {
    const limits = withDefaults(CACHE_DEFAULTS, options);
    this.capacity = limits.capacity;
    this.maxAgeMs = limits.maxAgeMs;
  }

  /** Stores an answer and returns its id: 8 URL-safe characters. */
  put(answer: Answer, chatId: number): string {
    let id = randomBytes(6).toString('base64url');
    while (this.entries.has(id)) id = randomBytes(6).toString('base64url');
    this.entries.set(id, { answer, chatId, createdAt: Date.now() });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return id;
  }

  /** The answer behind a button, or null when it expired, never existed, or belongs to another chat. */
  get(id: string, chatId: number): CachedAnswer | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    if (Date.now() - entry.createdAt > this.maxAgeMs) {
      this.entries.delete(id);
      return null;
    }
    if (entry.chatId !== chatId) return null;
    // Recently used answers stay longest.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** An answer just stored: its id at once, and when a button in another process (or after a restart) can find it. */
export interface StoredAnswer {
  id: string;
  /** Settles (never rejects) once the answer is stored where every process looks. */
  stored: Promise<void>;
}

/** Where the answers behind inline buttons are kept. */
export interface AnswerStore {
  /** Stores an answer sent to `chatId`. */
  put(answer: Answer, chatId: number): StoredAnswer;
  /** The answer behind a button, or null when it expired, never existed, or belongs to another chat. */
  get(id: string, chatId: number): Promise<CachedAnswer | null>;
}

/** The answers in this process's memory only: lost on restart, unknown to other copies. */
export class MemoryAnswerStore implements AnswerStore {
  constructor(private readonly cache = new AnswerCache()) {}

  put(answer: Answer, chatId: number): StoredAnswer {
    return { id: this.cache.put(answer, chatId), stored: Promise.resolve() };
  }

  async get(id: string, chatId: number): Promise<CachedAnswer | null> {
    return this.cache.get(id, chatId);
  }
}
