import { describe, expect, it } from 'vitest';
import { AnswerMemo } from '../../src/answer/answer-memo.js';
import type { Answer } from '../../src/answer/types.js';

const answer = (question: string): Answer => ({ question, answered: false, excerpt: '', citation: null, passages: [] });

/** A memo whose computations are counted. */
function counted() {
  const memo = new AnswerMemo(2);
  const computed: string[] = [];
  const ask = (question: string, k: number, state: readonly unknown[]) =>
    memo.answer(question, k, state, async () => {
      computed.push(question);
      return answer(question);
    });
  return { memo, computed, ask };
}

describe('AnswerMemo', () => {
  it('computes an answer once for the same question and k while the state holds the same objects', async () => {
    const { computed, ask } = counted();
    const snapshot = {};
    expect(await ask('thu ngân sách?', 3, [snapshot, null, 0])).toEqual(answer('thu ngân sách?'));
    await ask('thu ngân sách?', 3, [snapshot, null, 0]);
    await ask('thu ngân sách?', 5, [snapshot, null, 0]);
    await ask('thu ngan sach?', 3, [snapshot, null, 0]);
    expect(computed).toEqual(['thu ngân sách?', 'thu ngân sách?', 'thu ngan sach?']);
  });

  it('shares one computation between identical questions asked before it finished (a batch of updates)', async () => {
    const { computed, ask } = counted();
    const state = [{}];
    const answers = await Promise.all([ask('q', 3, state), ask('q', 3, state), ask('q', 3, state)]);
    expect(computed).toEqual(['q']);
    expect(answers).toEqual([answer('q'), answer('q'), answer('q')]);
  });

  it('hands out copies, so that one reply changing its answer cannot change another', async () => {
    const { ask } = counted();
    const state = [{}];
    const first = await ask('q', 3, state);
    first.excerpt = 'changed';
    expect((await ask('q', 3, state)).excerpt).toBe('');
  });

  it('forgets everything when any object of the state is replaced (reload, new synonyms, failed embedding)', async () => {
    const { memo, computed, ask } = counted();
    const thesaurus = {};
    await ask('q', 3, [{}, thesaurus, 0]);
    await ask('q', 3, [{}, thesaurus, 0]);
    const snapshot = {};
    await ask('q', 3, [snapshot, thesaurus, 0]);
    await ask('q', 3, [snapshot, thesaurus, 1]);
    expect(computed).toHaveLength(4);
    expect(memo.size).toBe(1);
  });

  it('does not keep a failed computation', async () => {
    const memo = new AnswerMemo();
    const state = [{}];
    await expect(memo.answer('q', 3, state, () => Promise.reject(new Error('model down')))).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await memo.answer('q', 3, state, async () => answer('q'))).toEqual(answer('q'));
  });

  it('keeps at most its capacity, dropping the oldest', async () => {
    const { memo, computed, ask } = counted();
    const state = [{}];
    for (const q of ['a', 'b', 'c']) await ask(q, 3, state);
    expect(memo.size).toBe(2);
    await ask('c', 3, state);
    await ask('a', 3, state);
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });
});
