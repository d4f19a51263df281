// Fusion of the lexical and vector lists: min-max-normalised weighted sum, and reciprocal rank fusion.
import { describe, expect, it } from 'vitest';
import { fuseReciprocalRank, fuseWeighted } from '../../src/search/hybrid.js';
import type { ScoredPassage } from '../../src/search/types.js';

const list = (...pairs: [index: number, score: number][]): ScoredPassage[] =>
  pairs.map(([index, score]) => ({ index, score }));
const scoreOf = (fused: ScoredPassage[], index: number) => fused.find((r) => r.index === index)?.score;

describe('fuseWeighted', () => {
  it('scales each list to [0, 1] before weighing (raw magnitudes do not matter)', () => {
    // BM25 scores in the tens, cosine similarities below 1: only positions within each range count.
    const lexical = list([1, 30], [2, 20], [3, 10]);
    const vector = list([1, 0.5], [2, 0.9], [3, 0.7]);
    const fused = fuseWeighted(lexical, vector, 0.5, 10);
    expect(scoreOf(fused, 1)).toBeCloseTo(0.5 * 1 + 0.5 * 0, 12);
    expect(scoreOf(fused, 2)).toBeCloseTo(0.5 * 0.5 + 0.5 * 1, 12);
    expect(scoreOf(fused, 3)).toBeCloseTo(0.5 * 0 + 0.5 * 0.5, 12);
    expect(fused.map((r) => r.index)).toEqual([2, 1, 3]);
  });

  it("is invariant to shifting or scaling one list's scores", () => {
    const lexical = list([1, 3], [2, 2], [3, 1]);
    const vector = list([3, 0.8], [1, 0.6], [4, 0.1]);
    const shifted = lexical.map((r) => ({ index: r.index, score: 100 * r.score - 7 }));
    const a = fuseWeighted(lexical, vector, 0.3, 10);
    const b = fuseWeighted(shifted, vector, 0.3, 10);
    expect(b.map((r) => r.index)).toEqual(a.map((r) => r.index));
    a.forEach((r, i) => {
      expect(b[i]!.score).toBeCloseTo(r.score, 12);
    });
  });

  it('weight 1 follows the lexical list alone, weight 0 the vector list alone', () => {
    const lexical = list([1, 9], [2, 5], [3, 1]);
    const vector = list([3, 0.9], [2, 0.5], [1, 0.1]);
    const lexicalOnly = fuseWeighted(lexical, vector, 1, 10);
    expect(lexicalOnly.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(lexicalOnly.map((r) => r.score)).toEqual([1, 0.5, 0]);
    const vectorOnly = fuseWeighted(lexical, vector, 0, 10);
    expect(vectorOnly.map((r) => r.index)).toEqual([3, 2, 1]);
    expect(vectorOnly.map((r) => r.score)[0]).toBe(1);
    expect(vectorOnly.map((r) => r.score)[1]).toBeCloseTo(0.5, 12);
    expect(vectorOnly.map((r) => r.score)[2]).toBe(0);
  });

  it('weight 0.5 averages the two normalised scores', () => {
    const fused = fuseWeighted(list([1, 4], [2, 0]), list([1, 0], [2, 8]), 0.5, 10);
    expect(scoreOf(fused, 1)).toBe(0.5);
    expect(scoreOf(fused, 2)).toBe(0.5);
  });

  it('scores 0 on the side of a list a passage is missing from', () => {
    // 5 only lexical (top there), 6 only vector (top there).
    const fused = fuseWeighted(list([5, 10], [1, 2]), list([6, 0.9], [1, 0.3]), 0.7, 10);
    expect(scoreOf(fused, 5)).toBeCloseTo(0.7, 12);
    expect(scoreOf(fused, 6)).toBeCloseTo(0.3, 12);
    // 1 is the bottom of both lists: 0 on each.
    expect(scoreOf(fused, 1)).toBe(0);
    expect(fused.map((r) => r.index)).toEqual([5, 6, 1]);
  });

  it('lists every passage of either list once', () => {
    const fused = fuseWeighted(list([1, 3], [2, 2]), list([2, 0.9], [3, 0.5]), 0.5, 10);
    expect(fused.map((r) => r.index).sort()).toEqual([1, 2, 3]);
  });

  it('breaks ties by the lower passage index', () => {
    const fused = fuseWeighted(list([9, 1], [4, 1], [7, 1]), [], 1, 10);
    expect(fused.map((r) => r.index)).toEqual([4, 7, 9]);
    // Ties of a fused score made of both sides.
    const mixed = fuseWeighted(list([8, 2], [3, 1]), list([3, 2], [8, 1]), 0.5, 10);
    expect(mixed.map((r) => r.score)).toEqual([0.5, 0.5]);
    expect(mixed.map((r) => r.index)).toEqual([3, 8]);
  });

  it('keeps the best k', () => {
    const lexical = list([1, 5], [2, 4], [3, 3], [4, 2], [5, 1]);
    expect(fuseWeighted(lexical, [], 1, 2).map((r) => r.index)).toEqual([1, 2]);
    expect(fuseWeighted(lexical, [], 1, 0)).toEqual([]);
    expect(fuseWeighted(lexical, [], 1, 99)).toHaveLength(5);
  });

  it('returns nothing for two empty lists, and one list alone when the other is empty', () => {
    expect(fuseWeighted([], [], 0.5, 10)).toEqual([]);
    const onlyVector = fuseWeighted([], list([2, 0.8], [1, 0.4]), 0.4, 10);
    expect(onlyVector.map((r) => r.index)).toEqual([2, 1]);
    expect(onlyVector[0]!.score).toBeCloseTo(0.6, 12);
    expect(onlyVector[1]!.score).toBe(0);
  });

  it('scores a single result (or all-equal results) 1 on its side, not 0 or NaN', () => {
    const single = fuseWeighted(list([3, 0.01]), [], 1, 10);
    expect(single).toEqual([{ index: 3, score: 1 }]);
    const equal = fuseWeighted([], list([1, 0.7], [2, 0.7]), 0, 10);
    expect(equal).toEqual([
      { index: 1, score: 1 },
      { index: 2, score: 1 },
    ]);
    // A negative lone score too (a shifted BM25 can go below zero).
    expect(fuseWeighted(list([4, -3]), list([4, 0.2]), 0.5, 10)).toEqual([{ index: 4, score: 1 }]);
  });

  it('does not modify its input lists', () => {
    const lexical = list([2, 1], [1, 5]);
    const vector = list([1, 0.2], [3, 0.4]);
    const before = JSON.stringify([lexical, vector]);
    fuseWeighted(lexical, vector, 0.5, 1);
    expect(JSON.stringify([lexical, vector])).toBe(before);
  });
});

describe('fuseReciprocalRank', () => {
  it('sums 1 / (constant + rank) over both lists, rank counted from 1', () => {
    const fused = fuseReciprocalRank(list([1, 100], [2, 50]), list([2, 0.9], [3, 0.1]), 10);
    expect(scoreOf(fused, 1)).toBeCloseTo(1 / 61, 12);
    expect(scoreOf(fused, 2)).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(scoreOf(fused, 3)).toBeCloseTo(1 / 62, 12);
    expect(fused.map((r) => r.index)).toEqual([2, 1, 3]);
  });

  it('ignores the scores themselves: only the order of each list counts', () => {
    const a = fuseReciprocalRank(list([1, 1000], [2, 1]), list([3, 0.99], [1, 0.98]), 10);
    const b = fuseReciprocalRank(list([1, 2], [2, 1.9]), list([3, 5], [1, -5]), 10);
    expect(b).toEqual(a);
  });

  it('takes the constant', () => {
    const fused = fuseReciprocalRank(list([7, 1]), [], 10, 0);
    expect(fused).toEqual([{ index: 7, score: 1 }]);
  });

  it('breaks ties by lower index, keeps the best k, and handles empty lists', () => {
    // 4 is first in one list, 2 first in the other: equal scores.
    const fused = fuseReciprocalRank(list([4, 1]), list([2, 1]), 10);
    expect(fused.map((r) => r.index)).toEqual([2, 4]);
    expect(fused[0]!.score).toBe(fused[1]!.score);
    expect(fuseReciprocalRank(list([1, 3], [2, 2], [3, 1]), [], 2).map((r) => r.index)).toEqual([1, 2]);
    expect(fuseReciprocalRank([], [], 5)).toEqual([]);
  });
});
