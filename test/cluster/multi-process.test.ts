// The small multi-process run of issue 10: 3 bot processes in webhook mode behind a round-robin proxy,
// one PostgreSQL database, the Bot API emulator in its own process; one process SIGKILLed mid-run and
// started again; an admin's /reload mid-run after a report was added. Every question gets exactly one reply,
// and every process serves the reloaded corpus at the end. Then one user sends LIMIT + 4 questions, which
// the proxy spreads over the three copies: exactly LIMIT are answered and one notice is sent, as the
// count is shared. Then each user presses a button under a reply: every press gets its passages, none
// "expired", and most are answered by a copy other than the one that sent the message.
// Skipped, with the reason printed, without a PostgreSQL server (a failure under REQUIRE_POSTGRES=1).
// No timing is asserted.
import { describe, expect, it } from 'vitest';
import { postgresUnavailable } from './pg-test-db.js';
import { runMultiProcess } from './multi-process.js';

const pgSkip = await postgresUnavailable('multi-process');
/** RATE_LIMIT_PER_MINUTE of the copies: above the 3 updates of each ordinary user. */
const LIMIT = 6;

describe.skipIf(pgSkip !== null)('three bot processes, one database', () => {
  it('answers every question exactly once (one process killed, a /reload mid-run), serves buttons pressed on replies other copies sent, shares the rate limit', async () => {
    const result = await runMultiProcess({
      processes: 3,
      users: 30,
      questionsPerUser: 2,
      killAt: 0.4,
      leaseSeconds: 5,
      reloadAt: 0.6,
      rateLimitPerMinute: LIMIT,
      pressButtons: true,
      floodQuestions: LIMIT + 4,
    });
    if ('skipped' in result) throw new Error(result.skipped);
    const summary = JSON.stringify(result);
    expect(result.killed, summary).toBe(true);
    expect(result.questions, summary).toBe(60);
    expect(result.missing, summary).toBe(0);
    // No question is lost. A duplicate can come only from the SIGKILL window the README documents: the
    // killed process had confirmed its lease and sent a reply that was not yet marked, so the update ran
    // again. The queue counts the runs that confirmed their lease for a reply a run before had confirmed
    // too; every duplicate must be one of them (a run alive and holding its lease is never doubled).
    expect(result.duplicates, summary).toBeLessThanOrEqual(result.interruptedReplies);
    expect(result.exactlyOnce + result.duplicates, summary).toBe(60);
    expect(result.failedCalls, summary).toBe(0);
    // The admin's /reload mid-run (after a second report was added): one process built, every one serves it.
    const served = result.reload?.before[0] ?? 0;
    expect(result.reload, summary).toEqual({
      replied: true,
      before: [served, served, served],
      documents: [served + 1, served + 1, served + 1],
    });
    // Every user has a reply with "Xem thêm" or "Toàn văn đoạn"; every press is answered with its passages.
    expect(result.presses, summary).toMatchObject({ pressed: 30, answered: 30, expired: 0, passagesSent: 30 });
    // With three copies about two presses in three reach a copy that did not send the message (it found
    // the answer in the database); fewer than 5 of 30 would be a one-in-a-million draw.
    expect(result.presses!.crossProcess, summary).toBeGreaterThanOrEqual(5);
    expect(result.flood, summary).toEqual({ sent: LIMIT + 4, answers: LIMIT, notices: 1 });
  }, 180_000);
});
