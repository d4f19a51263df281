// The large multi-process run of issue 10 in `npm run bench`: 3 bot processes in webhook mode behind the
// test's round-robin proxy, one PostgreSQL database, the Bot API emulator in its own process; 300 users ×
// 10 questions, one process SIGKILLed and restarted at 40 % and an admin's /reload at 50 %, then every user
// presses a button under a reply (most land on another copy). Then the same load (and the /reload) against
// one process, for comparison. Each run is test/cluster/multi-process.ts.
//
// Alone: npx tsx test/bench/run.ts --only multi-process   (or the harness itself, see its header)
import type { MidRunReload, MultiProcessOptions, MultiProcessResult } from '../cluster/multi-process.js';

/** The two runs: label and the harness's options. */
export const MULTI_PROCESS_RUNS: { label: string; options: MultiProcessOptions }[] = [
  {
    label: '3 processes, one SIGKILLed + restarted, /reload, button presses',
    options: { processes: 3, users: 300, questionsPerUser: 10, killAt: 0.4, reloadAt: 0.5, pressButtons: true },
  },
  {
    label: '1 process, /reload',
    options: { processes: 1, users: 300, questionsPerUser: 10, killAt: 2, reloadAt: 0.5 },
  },
];

export type MultiProcessRun = { label: string; result: MultiProcessResult | { skipped: string } | { error: string } };

/**
 * The runs' table: exactly one reply, lost, duplicates, replies sent again after an interrupted send (the
 * most duplicates the kill can explain), the reload, p50/p95/p99, questions/s.
 */
export function renderMultiProcess(runs: MultiProcessRun[]): string {
  const out = [
    '## Multi-process (webhook, PostgreSQL queue, emulator in its own process, 300 users × 10 questions)',
    '',
  ];
  const header =
    '| run | exactly one reply | lost | duplicates | replies sent again | /reload done | presses answered (other copy) | p50 | p95 | p99 | questions/s | load avg |';
  out.push(header, '|:--|--:|--:|--:|--:|:-:|--:|--:|--:|--:|--:|--:|');
  for (const { label, result } of runs) {
    if (!('questions' in result)) {
      out.push(`| ${label} | not run: ${'skipped' in result ? result.skipped : result.error} | | | | | | | | | | |`);
      continue;
    }
    const r = result;
    out.push(
      `| ${label} | ${r.exactlyOnce} / ${r.questions} | ${r.missing} | ${r.duplicates} | ${r.interruptedReplies} | ${reloadOutcome(r.reload)} | ${pressOutcome(r)} | ` +
        `${r.replyMs.p50} ms | ${r.replyMs.p95} ms | ${r.replyMs.p99} ms | ${r.questionsPerSecond} | ${r.loadAverage} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** Runs both, each through `runSection` (run.ts's child process), reporting progress; a failed run is reported, not thrown. */
export async function benchMultiProcess(
  runSection: (options: MultiProcessOptions) => Promise<MultiProcessRun['result']>,
  progress: (message: string) => void,
): Promise<MultiProcessRun[]> {
  const runs: MultiProcessRun[] = [];
  for (const { label, options } of MULTI_PROCESS_RUNS) {
    progress(`multi-process: ${label}, ${options.users} users × ${options.questionsPerUser} questions`);
    const result = await runSection(options).catch((error: Error) => ({ error: error.message }));
    runs.push({ label, result });
  }
  return runs;
}

/** "yes" when the /reload's summary reached the admin and every process serves the added report. */
function reloadOutcome(reload: MidRunReload | undefined): string {
  if (!reload) return 'not sent';
  const everyProcessServesIt = reload.documents.every((d) => d === (reload.before[0] ?? 0) + 1);
  return reload.replied && everyProcessServesIt ? 'yes' : `no (${JSON.stringify(reload)})`;
}

/** "answered / pressed (answered by another copy)", or "–" when no button was pressed. */
function pressOutcome({ presses }: MultiProcessResult): string {
  return presses
    ? `${presses.answered} / ${presses.pressed} (${presses.crossProcess}), ${presses.expired} expired`
    : '–';
}
