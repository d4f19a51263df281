// The answers behind inline buttons: short random ids, bound to their chat, bounded in number and age.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerCache } from '../../src/bot/answer-cache.js';
import type { Answer } from '../../src/answer/types.js';

const answer = (question: string): Answer => ({
  question,
  answered: false,
  excerpt: '',
  citation: null,
  passages: [],
  reason: 'no-match',
});

const HOUR = 60 * 60 * 1000;

beforeEach(() => {
  // The cache reads Date.now(); only the date is faked, no timers run.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-06-01T08:00:00Z'));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('AnswerCache', () => {
  it('gives back the same answer, its chat and creation time, for the id it returned', () => {
    const cache = new AnswerCache();
    const a = answer('Thu ngân sách năm 2018?');
    const id = cache.put(a, 42);
    const got = cache.get(id, 42);
    expect(got).not.toBeNull();
    expect(got!.answer).toBe(a);
    expect(got!.chatId).toBe(42);
    expect(got!.createdAt).toBe(Date.parse('2026-06-01T08:00:00Z'));
    // Reading does not consume it.
    expect(cache.get(id, 42)?.answer).toBe(a);
    expect(cache.size).toBe(1);
  });

  it('refuses an id pressed in another chat, and keeps it for its own chat', () => {
    const cache = new AnswerCache();
    const id = cache.put(answer('q'), 42);
    expect(cache.get(id, 43)).toBeNull();
    expect(cache.get(id, -42)).toBeNull();
    expect(cache.get(id, 42)).not.toBeNull();
  });

  it('returns null for an id it never gave', () => {
    const cache = new AnswerCache();
    cache.put(answer('q'), 1);
    expect(cache.get('AAAAAAAA', 1)).toBeNull();
    expect(cache.get('', 1)).toBeNull();
  });

  it('pushes out the oldest answer past its capacity', () => {
    const cache = new AnswerCache({ capacity: 3 });
    const ids = ['a', 'b', 'c', 'd'].map((q) => cache.put(answer(q), 1));
    expect(cache.size).toBe(3);
    expect(cache.get(ids[0]!, 1)).toBeNull();
    expect(ids.slice(1).map((id) => cache.get(id, 1)?.answer.question)).toEqual(['b', 'c', 'd']);
  });

  it('keeps a recently read answer longest (least recently used goes first)', () => {
    const cache = new AnswerCache({ capacity: 2 });
    const first = cache.put(answer('first'), 1);
    const second = cache.put(answer('second'), 1);
    expect(cache.get(first, 1)).not.toBeNull(); // now `second` is the least recently used
    cache.put(answer('third'), 1);
    expect(cache.get(second, 1)).toBeNull();
    expect(cache.get(first, 1)?.answer.question).toBe('first');
  });

  it('a read from the wrong chat does not refresh an answer', () => {
    const cache = new AnswerCache({ capacity: 2 });
    const first = cache.put(answer('first'), 1);
    cache.put(answer('second'), 1);
    expect(cache.get(first, 2)).toBeNull();
    cache.put(answer('third'), 1);
    expect(cache.get(first, 1)).toBeNull();
  });

  it('serves an answer up to its maximum age, not after', () => {
    const cache = new AnswerCache({ maxAgeMs: HOUR });
    const id = cache.put(answer('q'), 1);
    vi.setSystemTime(Date.now() + HOUR);
    expect(cache.get(id, 1)).not.toBeNull();
    vi.setSystemTime(Date.now() + 1);
    expect(cache.get(id, 1)).toBeNull();
    // An expired answer is dropped, not just hidden.
    expect(cache.size).toBe(0);
  });

  it('ages answers from when they were put, not from when they were last read', () => {
    const cache = new AnswerCache({ maxAgeMs: HOUR });
    const id = cache.put(answer('q'), 1);
    vi.setSystemTime(Date.now() + HOUR / 2);
    expect(cache.get(id, 1)).not.toBeNull();
    vi.setSystemTime(Date.now() + HOUR / 2 + 1);
    expect(cache.get(id, 1)).toBeNull();
  });

  it('defaults to 24 hours', () => {
    const cache = new AnswerCache();
    const id = cache.put(answer('q'), 1);
    vi.setSystemTime(Date.now() + 24 * HOUR);
    expect(cache.get(id, 1)).not.toBeNull();
    vi.setSystemTime(Date.now() + 1);
    expect(cache.get(id, 1)).toBeNull();
  });

  it('expires an answer even when asked from another chat', () => {
    const cache = new AnswerCache({ maxAgeMs: HOUR });
    const id = cache.put(answer('q'), 1);
    vi.setSystemTime(Date.now() + 2 * HOUR);
    expect(cache.get(id, 2)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('gives ids of 8 URL-safe characters (they fit in callback data), all different', () => {
    const cache = new AnswerCache({ capacity: 5000 });
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = cache.put(answer(String(i)), 1);
      expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
    expect(cache.size).toBe(2000);
  });

  it('draws again when a random id is already taken', async () => {
    // Force a collision: the first two draws give the same bytes.
    const crypto = await import('node:crypto');
    const same = Buffer.from([1, 2, 3, 4, 5, 6]);
    const other = Buffer.from([6, 5, 4, 3, 2, 1]);
    vi.resetModules();
    vi.doMock('node:crypto', () => {
      const draws = [same, same, other];
      return { ...crypto, randomBytes: () => draws.shift() ?? crypto.randomBytes(6) };
    });
    try {
      const { AnswerCache: Fresh } = await import('../../src/bot/answer-cache.js');
      const cache = new Fresh();
      const a = cache.put(answer('a'), 1);
      const b = cache.put(answer('b'), 1);
      expect(a).toBe(same.toString('base64url'));
      expect(b).toBe(other.toString('base64url'));
      expect(cache.get(a, 1)?.answer.question).toBe('a');
      expect(cache.get(b, 1)?.answer.question).toBe('b');
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });
});
