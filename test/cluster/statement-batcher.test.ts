// Writes of one kind asked for while a statement is on its way go out together in the next statement
// (src/cluster/statement-batcher.ts); each caller gets its own item's answer, or the statement's error.
import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../../src/cluster/statement-batcher.js';

/** A fake statement runner: records each batch and answers when released. */
function recorder() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  let failNext: Error | null = null;
  const run = (items: number[]) => {
    batches.push([...items]);
    const error = failNext;
    failNext = null;
    return new Promise<string[]>((resolve, reject) =>
      releases.push(() => (error ? reject(error) : resolve(items.map((i) => `done ${i}`)))),
    );
  };
  return {
    batches,
    run,
    release: async () => {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    },
    failNextWith: (error: Error) => {
      failNext = error;
    },
  };
}

describe('StatementBatcher', () => {
  it('sends the first item at once and everything asked meanwhile in one following statement', async () => {
    const db = recorder();
    const batcher = new StatementBatcher(db.run, String);
    const first = batcher.add(1);
    expect(db.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => batcher.add(i));
    expect(db.batches).toHaveLength(1);
    await db.release();
    expect(db.batches).toEqual([[1], [2, 3, 4]]);
    await db.release();
    expect(await Promise.all([first, ...rest])).toEqual(['done 1', 'done 2', 'done 3', 'done 4']);
  });

  it('never puts one key twice in a statement, and keeps batches under the maximum', async () => {
    const db = recorder();
    const batcher = new StatementBatcher(db.run, (i: number) => String(i % 10), 2);
    const all = [0, 1, 11, 2, 3].map((i) => batcher.add(i));
    await db.release();
    await db.release();
    expect(db.batches).toEqual([[0], [1, 2], [11, 3]]);
    await db.release();
    expect(await Promise.all(all)).toEqual(['done 0', 'done 1', 'done 11', 'done 2', 'done 3']);
  });

  it('rejects every caller of a failed statement, and carries on with the next one', async () => {
    const db = recorder();
    const batcher = new StatementBatcher(db.run, String);
    const first = batcher.add(1);
    db.failNextWith(new Error('connection lost'));
    const failed = Promise.allSettled([batcher.add(2), batcher.add(3)]);
    await db.release();
    await db.release();
    await expect(first).resolves.toBe('done 1');
    for (const outcome of await failed) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toContain('connection lost');
    }
    const later = batcher.add(4);
    await db.release();
    await expect(later).resolves.toBe('done 4');
  });
});
