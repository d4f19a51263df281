// Telegram allows only 64 bytes of callback data, far too little for an answer. The buttons under an
// answer carry a short random id instead; the answer itself waits here, in a bounded LRU map, until it
// is pushed out by newer ones or gets too old. Ids are random, so a forged button cannot guess one.
import { randomBytes } from 'node:crypto';
import type { Answer } from '../answer/types.js';

/** An answer kept for the buttons under it ("Xem thêm", "Toàn văn đoạn"), with the chat it was sent to. */
export interface CachedAnswer {
  answer: Answer;
  /** Only buttons pressed in the chat the answer was sent to may use it. */
  chatId: number;
  createdAt: number;
}

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
    this.capacity = options.capacity ?? 2000;
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
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
