// Crash safety of the index at the level of the real indexing process: `node --import tsx src/cli.ts
// index` is SIGKILLed at random points (0-1.5 s, or just after it starts saving) while the corpus on disk
// alternates between two known versions A and B (sometimes switching in the middle of a run), and after
// every kill the Engine is opened on the same index folder. The saved bundle must be exactly A or exactly
// B (its passages and the corpus fingerprints in its manifest agreeing), the engine must serve exactly the
// corpus on disk, and at most two bundles may remain. (index-damage.test.ts: hybrid mode, bundles on disk
// at every instant, flipped bytes.)
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeVersionedCorpus, setVersion, type Version } from './corpus-versions.js';
import { checkAfterKill, lexical, root, seeded, sleep, startIndexer, useIndexHarness } from './index-harness.js';

useIndexHarness();

type Strategy = 'random' | 'after-save' | 'switch-midway';

describe('SIGKILL of the real `index` process', () => {
  it('leaves an index that is exactly A or exactly B, and the engine serves the corpus on disk (lexical, 15 kills)', async () => {
    const corpusDir = path.join(root, 'lexical', 'corpus');
    const indexDir = path.join(root, 'lexical', 'index');
    await makeVersionedCorpus(corpusDir, 'A');
    const random = seeded(Number(process.env.CRASH_SEED ?? Date.now() % 100_000));
    const seen = { A: 0, B: 0, none: 0, killedAfterSave: 0, finished: 0 };
    let everWritten = false;
    const ROUNDS = 15;
    for (let round = 0; round < ROUNDS; round++) {
      let onDisk: Version = round % 2 === 0 ? 'A' : 'B';
      await setVersion(corpusDir, onDisk);
      const strategy: Strategy = (['random', 'after-save', 'switch-midway'] as const)[round % 3]!;
      const run = startIndexer(corpusDir, indexDir, 'lexical');
      let detail: string;
      if (strategy === 'after-save') {
        // Into the bundle write itself: the first or the second build's save, plus a few ms.
        const nth = 1 + Math.floor(random() * 2);
        const delay = Math.floor(random() * 40);
        await run.saving(nth);
        await sleep(delay);
        detail = `${delay} ms after save #${nth}`;
      } else {
        const killAt = Math.floor(random() * 1500);
        if (strategy === 'switch-midway') {
          // The corpus changes under the running build (an admin copying a file in).
          const switchAt = Math.floor(random() * killAt);
          await sleep(switchAt);
          onDisk = onDisk === 'A' ? 'B' : 'A';
          await setVersion(corpusDir, onDisk);
          await sleep(killAt - switchAt);
          detail = `switched to ${onDisk} at ${switchAt} ms, killed at ${killAt} ms`;
        } else {
          await sleep(killAt);
          detail = `killed at ${killAt} ms`;
        }
      }
      run.kill();
      const exit = await run.exited;
      if (exit.signal === null) {
        expect(exit.code, `round ${round}: ${exit.stderr}`).toBe(0);
        seen.finished++;
      } else if (exit.stderr.includes('saving index…')) {
        seen.killedAfterSave++;
      }
      const context = `round ${round} (${strategy}, ${detail}, corpus ${onDisk})`;
      const saved = await checkAfterKill(indexDir, onDisk, lexical(corpusDir, indexDir), context, everWritten);
      seen[saved]++;
      // From now on there is always an index: the engine's open() saved one if the CLI had not.
      everWritten = true;
    }
    // The kills did land inside builds and writes, not only before the process got going.
    expect(seen.killedAfterSave, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(seen.A + seen.B, JSON.stringify(seen)).toBeGreaterThan(0);
  }, 120_000);

  it('records the fingerprints of the files it read, when the corpus changes while they are read', async () => {
    const corpusDir = path.join(root, 'race', 'corpus');
    const indexDir = path.join(root, 'race', 'index');
    await makeVersionedCorpus(corpusDir, 'A');
    const run = startIndexer(corpusDir, indexDir, 'lexical');
    // The second build (the CLI's reload) has fingerprinted the corpus and started reading it; the
    // version file sorts last, so it is read after this switch.
    await run.stage('reading files', 1);
    await setVersion(corpusDir, 'B');
    const exit = await run.exited;
    expect(exit.code, exit.stderr).toBe(0);
    // Then the office puts version A back. The index must not pass for A while holding B's passages.
    await setVersion(corpusDir, 'A');
    await checkAfterKill(
      indexDir,
      'A',
      lexical(corpusDir, indexDir),
      'corpus switched during the read, then back',
      true,
    );
  }, 30_000);
});
