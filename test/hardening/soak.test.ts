// A scaled-down soak (test/bench/soak.ts has the full 10,000-question run): 1,000 questions from 100
// citizens at once while an admin reloads twice, through the real bot, engine and the Bot API emulator.
// Every question gets exactly one reply, and it is the right one; /stats counts them all and says the
// same after a restart on the same STATS_FILE. No time or memory limits are asserted (the figures are
// printed for information only: the machine is shared).
import { describe, expect, it } from 'vitest';
import { runSoak } from '../bench/soak.js';

describe('soak', () => {
  it('1,000 questions from 100 users with 2 reloads: exactly one right reply each, stats survive a restart', async () => {
    const result = await runSoak({ users: 100, questions: 1000, reloads: 2 });
    const { logProblems, latencyMs, rssMb, heapUsedAfterGcMb, seconds } = result;
    console.info(JSON.stringify({ seconds, latencyMs, rssMb, heapUsedAfterGcMb }));

    expect(result.replies).toBe(1000);
    expect(result.missing).toBe(0);
    expect(result.missingAtEnd).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.wrongReplies).toBe(0);
    expect(result.telegramErrors).toBe(0);
    expect(result.reloadsCompleted).toBe(2);
    expect(
      Object.keys(logProblems).filter((k) => k.startsWith('error')),
      JSON.stringify(logProblems),
    ).toEqual([]);

    const { expected, beforeRestart, afterRestart, survivedRestart } = result.stats;
    expect(expected.asked).toBe(1000);
    expect(expected.answered).toBeGreaterThan(0);
    expect(expected.answered).toBeLessThan(1000); // both outcomes were exercised
    expect({ asked: beforeRestart.asked, answered: beforeRestart.answered }).toEqual(expected);
    expect({ asked: afterRestart.asked, answered: afterRestart.answered }).toEqual(expected);
    expect(survivedRestart).toBe(true);
    expect(result.ok).toBe(true);
  }, 120_000);
});
