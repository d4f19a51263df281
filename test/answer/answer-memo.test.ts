import { describe, expect, it } from 'vitest';
import { AnswerMemo } from '../../src/answer/answer-memo.js';
import type { Answer } from '../../src/answer/types.js';

const answer = (question: string): Answer => ({ question, answered: false, excerpt: '', citation: null, passages: [] });

describe('AnswerMemo', () => {
  it('gives back an answer for the same question and k while the state holds the same objects', () => {
    const memo = new AnswerMemo();
    const snapshot = {};
    memo.set('thu ngân sách?', 3, [snapshot, null, 0], answer('thu ngân sách?'));
    expect(memo.get('thu ngân sách?', 3, [snapshot, null, 0])).toEqual(answer('thu ngân sách?'));
    expect(memo.get('thu ngân sách?', 5, [snapshot, null, 0])).toBeUndefined();
    expect(memo.get('thu ngan sach?', 3, [snapshot, null, 0])).toBeUndefined();
  });

  it('hands out copies, so that one reply changing its answer cannot change another', () => {
    const memo = new AnswerMemo();
    const state = [{}];
    memo.set('q', 3, state, answer('q'));
    const first = memo.get('q', 3, state)!;
    first.excerpt = 'changed';
    expect(memo.get('q', 3, state)!.excerpt).toBe('');
  });

  it('forgets everything when any object of the state is replaced (reload, new synonyms, failed embedding)', () => {
    const memo = new AnswerMemo();
    const thesaurus = {};
    memo.set('q', 3, [{}, thesaurus, 0], answer('q'));
    expect(memo.get('q', 3, [{}, thesaurus, 0])).toBeUndefined();
    expect(memo.size).toBe(0);
    const snapshot = {};
    memo.set('q', 3, [snapshot, thesaurus, 0], answer('q'));
    expect(memo.get('q', 3, [snapshot, thesaurus, 1])).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const memo = new AnswerMemo(2);
    const state = [{}];
    for (const q of ['a', 'b', 'c']) memo.set(q, 3, state, answer(q));
    expect(memo.size).toBe(2);
    expect(memo.get('a', 3, state)).toBeUndefined();
    expect(memo.get('c', 3, state)?.question).toBe('c');
  });
});
