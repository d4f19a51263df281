// Crash safety of the index at the level of the real indexing process: `node --import tsx src/cli.ts
// index` is SIGKILLed at random points while the corpus on disk alternates between two known versions
// (sometimes switching in the middle of a run), and after every kill the Engine is opened on the same
// index folder. It must serve exactly the corpus on disk, the saved bundle must be exactly A or exactly
// B (passages and the corpus fingerprints in its manifest agreeing), and at most two bundles may remain.
// Then every index file is damaged by flipped bytes: open() must say why and rebuild (or repair the
// graph from vectors.f32), and still answer.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashCorpusFiles } from '../../src/corpus/corpus-files.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { BundleError, readBundle } from '../../src/search/bundle-store.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import { makeVersionedCorpus, PROBES, REPO_CORPUS, setVersion, type Version } from './corpus-versions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'src/cli.ts');
const BUNDLE_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

let root: string;
let modelsDir: string;
const logLines: string[] = [];

/** What a clean build of each version holds: sorted passage texts, and the corpus fingerprints. */
const clean: Record<Version, { texts: string[]; hashes: Record<string, string> }> = {
  A: { texts: [], hashes: {} },
  B: { texts: [], hashes: {} },
};

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const textsOf = (passages: { text: string }[]) => passages.map((p) => p.text).sort();

function lexical(corpusDir: string, indexDir: string): EngineOptions {
  return { corpusDir, indexDir, searchMode: 'lexical', embedder: null };
}

function hybrid(corpusDir: string, indexDir: string): EngineOptions {
  return {
    corpusDir,
    indexDir,
    searchMode: 'hybrid',
    embedder: { model: 'test/tiny-e5', modelsDir, allowDownloads: false, quantized: true, timeoutMs: 30_000 },
  };
}

beforeAll(async () => {
  setLogLevel('info');
  setLogSink((line) => logLines.push(line));
  await mkdir(path.join(ROOT, 'test', '.tmp'), { recursive: true });
  root = await mkdtemp(path.join(ROOT, 'test', '.tmp', 'index-crash-'));
  modelsDir = path.join(root, 'models');
  await makeTinyModel(modelsDir, { vocabulary: [await readFile(path.join(REPO_CORPUS, 'bao-cao-6-thang-dau-nam-2018-cam-le.txt'), 'utf8')] });
  for (const version of ['A', 'B'] as const) {
    const corpus = path.join(root, `clean-${version}`, 'corpus');
    await makeVersionedCorpus(corpus, version);
    const engine = await Engine.open(lexical(corpus, path.join(root, `clean-${version}`, 'index')));
    await engine.close();
    clean[version] = { texts: textsOf((await readBundle(path.join(root, `clean-${version}`, 'index'))).passages), hashes: await hashCorpusFiles(corpus) };
  }
  // The two versions really differ, or the test proves nothing.
  expect(clean.A.texts).not.toEqual(clean.B.texts);
  expect(clean.A.texts.length).not.toBe(clean.B.texts.length);
});

afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'));
  await rm(root, { recursive: true, force: true });
});

interface IndexRun {
  /** Resolves when the CLI has printed "saving index…" `n` times. */
  saving(n: number): Promise<void>;
  /** Resolves on the first progress line of a stage ("reading files", "embedding passages") after `afterSaves` saves. */
  stage(prefix: string, afterSaves?: number): Promise<void>;
  kill(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startIndexer(corpusDir: string, indexDir: string, mode: 'lexical' | 'hybrid'): IndexRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'index', '--corpus', corpusDir, '--index', indexDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      SEARCH_MODE: mode,
      EMBEDDING_MODEL: 'test/tiny-e5',
      MODELS_DIR: modelsDir,
      ALLOW_MODEL_DOWNLOADS: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  // Resolves when `test` holds, or when the process is gone (then there is nothing left to wait for).
  const when = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!test()) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
      void exited.then(() => {
        listeners.delete(check);
        resolve();
      });
    });
  return {
    saving: (n) => when(() => stderr.split('saving index…').length - 1 >= n),
    stage: (prefix, afterSaves = 0) => when(() => (stderr.split('saving index…')[afterSaves] ?? '').includes(prefix)),
    kill: () => void child.kill('SIGKILL'),
    exited,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bundleFolders(indexDir: string): Promise<string[]> {
  return (await readdir(path.join(indexDir, 'bundles')).catch(() => [] as string[])).filter((n) => BUNDLE_ID.test(n));
}

/**
 * The checks after a kill: the saved bundle is exactly one version (or there is none yet), the engine
 * opened on it serves exactly the version on disk, and at most two bundles are kept.
 */
async function checkAfterKill(corpusDir: string, indexDir: string, onDisk: Version, options: EngineOptions, context: string, everWritten: boolean) {
  let saved: Version | 'none';
  try {
    const bundle = await readBundle(indexDir);
    const texts = textsOf(bundle.passages);
    saved = sameTexts(texts, clean.A.texts) ? 'A' : sameTexts(texts, clean.B.texts) ? 'B' : ('mix' as never);
    expect(saved, `${context}: saved passages are neither A nor B (${texts.length} passages)`).not.toBe('mix');
    // The fingerprints say which corpus the passages came from; a mismatch would let a later start-up
    // serve B's passages for A's files without noticing.
    expect(bundle.manifest.corpusHashes, `${context}: manifest fingerprints do not match the saved passages (${saved})`).toEqual(clean[saved].hashes);
    if (bundle.vectors) expect(bundle.vectors.length, context).toBe(bundle.passages.length);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    expect(error.reason, `${context}: ${error.message}`).toBe('missing');
    expect(everWritten, `${context}: the index vanished after a completed write`).toBe(false);
    saved = 'none';
  }

  const engine = await Engine.open(options);
  try {
    const status = engine.status();
    expect(status.passages, context).toBe(clean[onDisk].texts.length);
    // What open() serves is what CURRENT names now (loaded as is, or just rebuilt and saved).
    expect(textsOf((await readBundle(indexDir)).passages), context).toEqual(clean[onDisk].texts);
    const probe = await engine.ask(PROBES[onDisk].question);
    expect(probe.answered, context).toBe(true);
    expect(probe.excerpt, context).toContain(PROBES[onDisk].expect);
    const other = onDisk === 'A' ? 'B' : 'A';
    const wrong = await engine.ask(PROBES[other].question);
    expect(wrong.excerpt, context).not.toContain(PROBES[other].expect);
  } finally {
    await engine.close();
  }
  const folders = await bundleFolders(indexDir);
  expect(folders.length, `${context}: bundles left: ${folders.join(', ')}`).toBeLessThanOrEqual(2);
  return saved;
}

function sameTexts(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

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
      const saved = await checkAfterKill(corpusDir, indexDir, onDisk, lexical(corpusDir, indexDir), context, everWritten);
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
    await checkAfterKill(corpusDir, indexDir, 'A', lexical(corpusDir, indexDir), 'corpus switched during the read, then back', true);
  }, 30_000);

  it('also in hybrid mode with the tiny embedding model (3 kills)', async () => {
    const corpusDir = path.join(root, 'hybrid', 'corpus');
    const indexDir = path.join(root, 'hybrid', 'index');
    await makeVersionedCorpus(corpusDir, 'B');
    let everWritten = false;
    const plans: { version: Version; at: (run: IndexRun) => Promise<string> }[] = [
      { version: 'B', at: async (run) => (await run.stage('embedding passages'), await sleep(30), 'while embedding') },
      { version: 'A', at: async (run) => (await run.saving(1), await sleep(5), '5 ms after the first save') },
      { version: 'B', at: async (run) => (await run.saving(2), 'at the second save') },
    ];
    for (const [round, plan] of plans.entries()) {
      await setVersion(corpusDir, plan.version);
      const run = startIndexer(corpusDir, indexDir, 'hybrid');
      const detail = await plan.at(run);
      run.kill();
      const exit = await run.exited;
      if (exit.signal === null) expect(exit.code, exit.stderr).toBe(0);
      await checkAfterKill(corpusDir, indexDir, plan.version, hybrid(corpusDir, indexDir), `hybrid round ${round} (${detail})`, everWritten);
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
    const writer = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/kill-during-write.ts'), indexDir], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let writes = 0;
    writer.stdout!.on('data', (chunk: Buffer) => (writes += chunk.toString().split('done ').length - 1));
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    const counts = new Map<number, number>();
    try {
      // Sample until enough writes happened (each one passes through the moment of the switch).
      for (const deadline = Date.now() + 30_000; writes < 40 && Date.now() < deadline; ) {
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
    expect(writes).toBeGreaterThanOrEqual(40);
    expect(Math.max(...counts.keys()), JSON.stringify([...counts])).toBeLessThanOrEqual(2);
  }, 40_000);
});

describe('flipped bytes in every index file', () => {
  const BUDGET_QUESTION = 'Mục tiêu thu ngân sách cuối năm của quận là bao nhiêu?';
  const BUDGET_SENTENCE = 'Toàn quận phấn đấu cuối năm thu ngân sách vượt từ 15% trở lên so với dự toán thành phố giao';
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
        const target = file === 'CURRENT' ? path.join(indexDir, 'CURRENT') : path.join(indexDir, 'bundles', current, file);
        const bytes = await readFile(target);
        const at = flip.where === 'first' ? 0 : flip.where === 'middle' ? Math.floor(bytes.length / 2) : bytes.length - 1;
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
          expect(records.some((r) => r.msg === 'index built'), context).toBe(false);
        } else {
          expect(why!.msg, context).toMatch(/saved index unusable; rebuilding it from the corpus/);
          expect(records.some((r) => r.msg === 'index built'), context).toBe(true);
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
