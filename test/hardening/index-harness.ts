// Shared by the index crash tests: the clean builds of corpus versions A and B, the real `index` CLI
// as a child process that can be killed at chosen moments, and the checks made after every kill.
import { spawn } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { hashCorpusFiles } from '../../src/corpus/corpus-files.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { setLogLevel, setLogSink } from '../../src/log.js';
import { BundleError, readBundle } from '../../src/search/bundle-store.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import { makeVersionedCorpus, PROBES, type Version } from './corpus-versions.js';
import { REPO_CORPUS, SEED_FILE } from '../fixtures/seed-report.js';
import { makeTempDir } from '../fixtures/temp-dir.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'src/cli.ts');
export const BUNDLE_ID = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

export let root: string;
let modelsDir: string;
export const logLines: string[] = [];

/** What a clean build of each version holds: sorted passage texts, and the corpus fingerprints. */
const clean: Record<Version, { texts: string[]; hashes: Record<string, string> }> = {
  A: { texts: [], hashes: {} },
  B: { texts: [], hashes: {} },
};

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const textsOf = (passages: { text: string }[]) => passages.map((p) => p.text).sort();

export function lexical(corpusDir: string, indexDir: string): EngineOptions {
  return { corpusDir, indexDir, searchMode: 'lexical', embedder: null };
}

export function hybrid(corpusDir: string, indexDir: string): EngineOptions {
  return {
    corpusDir,
    indexDir,
    searchMode: 'hybrid',
    embedder: { model: 'test/tiny-e5', modelsDir, allowDownloads: false, quantized: true, timeoutMs: 30_000 },
  };
}

/** Registers the set-up (tiny model, clean builds of A and B) and clean-up in the calling test file. */
export function useIndexHarness(): void {
  beforeAll(async () => {
    setLogLevel('info');
    setLogSink((line) => logLines.push(line));
    root = await makeTempDir('index-crash-');
    modelsDir = path.join(root, 'models');
    await makeTinyModel(modelsDir, {
      vocabulary: [await readFile(path.join(REPO_CORPUS, SEED_FILE), 'utf8')],
    });
    for (const version of ['A', 'B'] as const) {
      const corpus = path.join(root, `clean-${version}`, 'corpus');
      await makeVersionedCorpus(corpus, version);
      const engine = await Engine.open(lexical(corpus, path.join(root, `clean-${version}`, 'index')));
      await engine.close();
      clean[version] = {
        texts: textsOf((await readBundle(path.join(root, `clean-${version}`, 'index'))).passages),
        hashes: await hashCorpusFiles(corpus),
      };
    }
    // The two versions really differ, or the test proves nothing.
    expect(clean.A.texts).not.toEqual(clean.B.texts);
    expect(clean.A.texts.length).not.toBe(clean.B.texts.length);
  });

  afterAll(async () => {
    setLogSink((line) => process.stderr.write(line + '\n'));
    await rm(root, { recursive: true, force: true });
  });
}

export interface IndexRun {
  /** Resolves when the CLI has printed "saving index…" `n` times. */
  saving(n: number): Promise<void>;
  /** Resolves on the first progress line of a stage ("reading files", "embedding passages") after `afterSaves` saves. */
  stage(prefix: string, afterSaves?: number): Promise<void>;
  kill(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export function startIndexer(corpusDir: string, indexDir: string, mode: 'lexical' | 'hybrid'): IndexRun {
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function bundleFolders(indexDir: string): Promise<string[]> {
  return (await readdir(path.join(indexDir, 'bundles')).catch(() => [] as string[])).filter((n) => BUNDLE_ID.test(n));
}

/**
 * The checks after a kill: the saved bundle is exactly one version (or there is none yet), the engine
 * opened on it serves exactly the version on disk, and at most two bundles are kept.
 */
export async function checkAfterKill(
  indexDir: string,
  onDisk: Version,
  options: EngineOptions,
  context: string,
  everWritten: boolean,
) {
  let saved: Version | 'none';
  try {
    const bundle = await readBundle(indexDir);
    const texts = textsOf(bundle.passages);
    saved = sameTexts(texts, clean.A.texts) ? 'A' : sameTexts(texts, clean.B.texts) ? 'B' : ('mix' as never);
    expect(saved, `${context}: saved passages are neither A nor B (${texts.length} passages)`).not.toBe('mix');
    // The fingerprints say which corpus the passages came from; a mismatch would let a later start-up
    // serve B's passages for A's files without noticing.
    expect(
      bundle.manifest.corpusHashes,
      `${context}: manifest fingerprints do not match the saved passages (${saved})`,
    ).toEqual(clean[saved].hashes);
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
