// `npm run bench` runs its harnesses with tsx, outside vitest: a test helper they import must not pull in
// vitest (its expect throws when loaded outside a test run). Each harness module that imports the bot's
// test helpers is loaded in a fresh Node process, as the benchmark loads it (run.ts itself starts the
// benchmark when imported, so its sections are loaded instead).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HARNESSES = [
  'test/cluster/multi-process.ts',
  'test/bench/multi-process.ts',
  'test/bench/soak.ts',
  'test/bench/first-burst.ts',
  'test/bench/bot-load.ts',
  'test/bench/burst-connections.ts',
];

describe('benchmark and eval harnesses', () => {
  it.each(HARNESSES)(
    '%s loads outside vitest',
    (file) => {
      const url = `file://${path.join(ROOT, file)}`;
      // Importing under another entry point: the harness's own "run when main" block stays idle.
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `await import(${JSON.stringify(url)})`], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.stderr, file).not.toMatch(/Vitest failed/);
      expect(child.status, child.stderr).toBe(0);
    },
    70_000,
  );
});
