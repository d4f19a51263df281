// The index under the other kinds of damage: SIGKILL of the real `index` process in hybrid mode (with the
// tiny embedding model), the bundles folder watched at every instant of back-to-back writes (what a kill
// at that instant would leave), and flipped bytes in every index file: open() must say why and rebuild
// (or repair the graph from vectors.f32), and still answer.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { readBundle } from '../../src/search/bundle-store.js';
import { makeVersionedCorpus, setVersion, type Version } from './corpus-versions.js';
import {
  BUNDLE_ID,
  checkAfterKill,
  hybrid,
  logLines,
  ROOT,
  root,
  sleep,
  startIndexer,
  useIndexHarness,
  type IndexRun,
} from './index-harness.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE, REPO_CORPUS } from '../fixtures/seed-report.js';

useIndexHarness();

describe('SIGKILL of the real `index` process', () => {
  it('also in hybrid mode with the tiny embedding model (3 kills)', async () => {
    const corpusDir = path.join(root, 'hybrid', 'corpus');
    const indexDir = path.join(root, 'hybrid', 'index');
    await makeVersionedCorpus(corpusDir, 'B');
    let everWritten = false;
    const plans: { version: Version; at: (run: IndexRun) => Promise<string> }[] = [
      {
        version: 'B',
        at: async (run) => {
          await run.stage('embedding passages');
          await sleep(30);
          return 'while embedding';
        },
      },
      {
        version: 'A',
        at: async (run) => {
          await run.saving(1);
          await sleep(5);
          return '5 ms after the first save';
        },
      },
      {
        version: 'B',
        at: async (run) => {
          await run.saving(2);
          return 'at the second save';
        },
      },
    ];
    for (const [round, plan] of plans.entries()) {
      await setVersion(corpusDir, plan.version);
      const run = startIndexer(corpusDir, indexDir, 'hybrid');
      const detail = await plan.at(run);
      run.kill();
      const exit = await run.exited;
      if (exit.signal === null) expect(exit.code, exit.stderr).toBe(0);
      await checkAfterKill(
        indexDir,
        plan.version,
        hybrid(corpusDir, indexDir),
        `hybrid round ${round} (${detail})`,
        everWritten,
      );
      everWritten = true;
      const bundle = await readBundle(indexDir);
      expect(bundle.manifest.modelId).toMatch(/^test\/tiny-e5/);
      expect(bundle.vectorIndex!.size).toBe(bundle.passages.length);
    }
  }, 90_000);
});

describe('bundles on disk', () => {
  it('never more than two at any moment while bundles are written back to back', async () => {
    // A kill can land anywhere in a write, so what is on disk at every instant is what a kill leaves.
    const indexDir = path.join(root, 'watch', 'index');
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/fixtures/kill-during-write.ts'), indexDir],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let writes = 0;
    writer.stdout!.on('data', (chunk: Buffer) => (writes += chunk.toString().split('done ').length - 1));
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const counts = new Map<number, number>();
    try {
      // Sample until enough writes happened (each one passes through the moment of the switch).
      for (const deadline = Date.now() + 30_000; writes < 30 && Date.now() < deadline; ) {
        let n = 0;
        try {
          n = readdirSync(path.join(indexDir, 'bundles')).filter((name) => BUNDLE_ID.test(name)).length;
        } catch {
          // not created yet
        }
        counts.set(n, (counts.get(n) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      writer.kill('SIGKILL');
      await exited;
    }
    expect(writes).toBeGreaterThanOrEqual(30);
    expect(Math.max(...counts.keys()), JSON.stringify([...counts])).toBeLessThanOrEqual(2);
  }, 40_000);
});

describe('flipped bytes in every index file', () => {
  let pristine: string;
  let corpusDir: string;

  beforeAll(async () => {
    const base = path.join(root, 'flip');
    corpusDir = path.join(base, 'corpus');
    await cp(REPO_CORPUS, corpusDir, { recursive: true });
    pristine = path.join(base, 'pristine-index');
    await (await Engine.open(hybrid(corpusDir, pristine))).close();
  });

  // At the first byte (a bit flip), in the middle (all bits) and at the last byte (the top bit).
  const flips = [
    { where: 'first', mask: 0x01 },
    { where: 'middle', mask: 0xff },
    { where: 'last', mask: 0x80 },
  ] as const;
  const files = ['passages.json', 'vectors.f32', 'vectors.hnsw', 'manifest.json', 'CURRENT'] as const;
  let caseNo = 0;

  for (const file of files) {
    it(`${file}: open() says why, rebuilds or repairs, and answers`, async () => {
      for (const flip of flips) {
        const indexDir = path.join(root, 'flip', `case-${++caseNo}`);
        await cp(pristine, indexDir, { recursive: true });
        const current = (await readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
        const target =
          file === 'CURRENT' ? path.join(indexDir, 'CURRENT') : path.join(indexDir, 'bundles', current, file);
        const bytes = await readFile(target);
        const at =
          flip.where === 'first' ? 0 : flip.where === 'middle' ? Math.floor(bytes.length / 2) : bytes.length - 1;
        bytes[at] = bytes[at]! ^ flip.mask;
        await writeFile(target, bytes);

        logLines.length = 0;
        const engine = await Engine.open(hybrid(corpusDir, indexDir));
        const context = `${file}, ${flip.where} byte ^ 0x${flip.mask.toString(16)}`;
        const records = logLines.map((l) => JSON.parse(l) as { level: string; msg: string; reason?: string });
        const why = records.find((r) => r.level === 'warn' && /rebuild/.test(r.msg));
        expect(why, `${context}: ${logLines.join('\n')}`).toBeDefined();
        // The reason names the damaged file (the manifest's own checks, or CURRENT's).
        expect(why!.reason, context).toContain(file);
        if (file === 'vectors.hnsw') {
          // The graph is rebuilt from the intact vectors; the passages are not re-read from the corpus.
          expect(why!.msg, context).toMatch(/vector graph unusable; rebuilding it from the saved vectors/);
          expect(
            records.some((r) => r.msg === 'index built'),
            context,
          ).toBe(false);
        } else {
          expect(why!.msg, context).toMatch(/saved index unusable; rebuilding it from the corpus/);
          expect(
            records.some((r) => r.msg === 'index built'),
            context,
          ).toBe(true);
        }
        expect(engine.status().mode, context).toBe('hybrid');
        const answer = await engine.ask(BUDGET_QUESTION);
        expect(answer.answered, context).toBe(true);
        expect(answer.excerpt, context).toContain(BUDGET_SENTENCE);
        await engine.close();
      }
    });
  }
});
