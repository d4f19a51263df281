// 5. Start-up with an index already on disk: a fresh process per run (startup-child.ts) opens the Engine
// on a bundle the ALQAC section saved, and must load it, not rebuild it (checked by its builtAt). The
// headline is the parent's wall time from spawn to the child's "ready" line; the child's own clock splits
// it into node + tsx bootstrap, module imports and Engine.open.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'startup-child.ts');

export interface StartupRun {
  /** Parent's wall clock, spawn() to the ready line. */
  wallMs: number;
  bootMs: number;
  importMs: number;
  openMs: number;
  rssMB: number;
  firstAnswerMs: number;
}

export interface StartupResult {
  mode: 'lexical' | 'hybrid';
  runs: StartupRun[];
  median: StartupRun;
  /**
   * Per heavy module, the median time importing it took after start-up: ~0 when start-up had already
   * loaded it, its full load time when the engine deferred it.
   */
  lateImportMs: Record<string, number>;
}

/** What startup-child.ts receives as its JSON argument. */
export interface ChildArgs {
  corpusDir: string;
  indexDir: string;
  mode: 'lexical' | 'hybrid';
  modelsDir: string;
  model: string;
  question: string;
}

function runOnce(
  args: ChildArgs,
  expectedBuiltAt: string | null,
): Promise<StartupRun & { lateImportMs: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    const lines: { at: number; value: Record<string, unknown> }[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        lines.push({ at, value: JSON.parse(buffer.slice(0, nl)) as Record<string, unknown> });
        buffer = buffer.slice(nl + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const [ready, answered] = lines;
      if (code !== 0 || !ready || !answered)
        return reject(new Error(`start-up child (${args.mode}) exited with ${code}`));
      const r = ready.value as {
        bootMs: number;
        importMs: number;
        openMs: number;
        rssMB: number;
        builtAt: string | null;
        mode: string;
      };
      if (r.builtAt !== expectedBuiltAt)
        return reject(new Error(`start-up child rebuilt the index (builtAt ${r.builtAt}, saved ${expectedBuiltAt})`));
      if (r.mode !== args.mode) return reject(new Error(`start-up child serves ${r.mode}, expected ${args.mode}`));
      resolve({
        wallMs: ready.at - started,
        bootMs: r.bootMs,
        importMs: r.importMs,
        openMs: r.openMs,
        rssMB: r.rssMB,
        firstAnswerMs: (answered.value as { firstAnswerMs: number }).firstAnswerMs,
        lateImportMs: (answered.value as { lateImportMs: Record<string, number> }).lateImportMs,
      });
    });
  });
}

export async function measureStartup(
  args: ChildArgs,
  expectedBuiltAt: string | null,
  runs: number,
): Promise<StartupResult> {
  const all: (StartupRun & { lateImportMs: Record<string, number> })[] = [];
  // One unmeasured run first: tsx compiles the sources into its cache, as a deployed bot's first start does once.
  await runOnce(args, expectedBuiltAt);
  for (let i = 0; i < runs; i++) all.push(await runOnce(args, expectedBuiltAt));
  const pick = (key: keyof StartupRun) => median(all.map((r) => r[key]));
  const modules = Object.keys(all[0]?.lateImportMs ?? {});
  return {
    mode: args.mode,
    runs: all,
    lateImportMs: Object.fromEntries(modules.map((name) => [name, median(all.map((r) => r.lateImportMs[name]!))])),
    median: {
      wallMs: pick('wallMs'),
      bootMs: pick('bootMs'),
      importMs: pick('importMs'),
      openMs: pick('openMs'),
      rssMB: pick('rssMB'),
      firstAnswerMs: pick('firstAnswerMs'),
    },
  };
}
