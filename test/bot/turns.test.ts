// Questions take turns at the engine (src/bot/turns.ts): in arrival order, one at a time, and the event
// loop gets a turn between them once a slice is used up, so that replies can leave in between.
import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/bot/turns.js';

/** A task that records when it starts and ends, and resolves after a few microtask hops. */
function task(log: string[], name: string) {
  return async () => {
    log.push(`${name} start`);
    await Promise.resolve();
    await Promise.resolve();
    log.push(`${name} end`);
    return name;
  };
}

describe('Turns', () => {
  it('runs tasks one at a time, in the order they asked, and returns each result', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const results = await Promise.all(['a', 'b', 'c'].map((name) => turns.run(task(log, name))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(turns.queued).toBe(0);
  });

  /** Two tasks queued together; the first schedules what needs a turn of the event loop, as a reply's write does. */
  async function order(sliceMs: number): Promise<string[]> {
    const turns = new Turns(sliceMs);
    const log: string[] = [];
    const first = turns.run(async () => {
      setImmediate(() => log.push('event loop'));
      log.push('a');
    });
    const second = turns.run(async () => {
      log.push('b');
    });
    expect(turns.queued).toBe(1);
    await Promise.all([first, second]);
    await new Promise((resolve) => setImmediate(resolve));
    return log;
  }

  it('lets the event loop run between two tasks once the slice is used up', async () => {
    expect(await order(0)).toEqual(['a', 'event loop', 'b']);
  });

  it('runs the next task at once while the slice lasts', async () => {
    expect(await order(60_000)).toEqual(['a', 'b', 'event loop']);
  });

  it('passes a failure on to its caller and still gives the next task its turn', async () => {
    const turns = new Turns(0);
    const failing = turns.run(async () => {
      throw new Error('engine failed');
    });
    const next = turns.run(async () => 'answered');
    await expect(failing).rejects.toThrow('engine failed');
    await expect(next).resolves.toBe('answered');
  });
});
