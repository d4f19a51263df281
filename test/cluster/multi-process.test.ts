// The small multi-process run of issue 10: 3 bot processes in webhook mode behind a round-robin proxy,
// one PostgreSQL database, the Bot API emulator in its own process; one process SIGKILLed mid-run and
// started again. Every question gets exactly one reply. Skipped, with the reason printed, without a
// PostgreSQL server. No timing is asserted.
import { describe, expect, it } from 'vitest';
import { probeServer } from './pg-test-db.js';
import { runMultiProcess } from './multi-process.js';

const server = await probeServer();
if (!server.available) process.stdout.write(`[multi-process test skipped] ${server.reason}\n`);

describe.skipIf(!server.available)('three bot processes, one database', () => {
  it('answers every question exactly once, with one process killed and restarted mid-run', async () => {
    const result = await runMultiProcess({
      processes: 3,
      users: 30,
      questionsPerUser: 2,
      killAt: 0.4,
      leaseSeconds: 5,
    });
    if ('skipped' in result) throw new Error(result.skipped);
    const summary = JSON.stringify(result);
    expect(result.killed, summary).toBe(true);
    expect(result.questions, summary).toBe(60);
    expect(result.missing, summary).toBe(0);
    expect(result.duplicates, summary).toBe(0);
    expect(result.exactlyOnce, summary).toBe(60);
    expect(result.failedCalls, summary).toBe(0);
  }, 180_000);
});
