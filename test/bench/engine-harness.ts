// Lets the benchmark time the real Engine code without the parts it must leave out:
//
// - Query embedding. engine.ask embeds the question itself; the issue wants the answer's latency without
//   it (reported apart). memoEmbedder answers embedQuery from vectors computed (and timed) beforehand, so
//   engine.ask runs its real code with embedding reduced to a Map lookup.
// - Building at 100× the corpus. Engine.open can only build from corpus files through the model; at scale
//   the bench has synthetic passages and random vectors instead. engineOverParts gives an Engine whose
//   snapshot is made by the engine's own snapshotOf from those parts, so search/ask are the shipped code.
//
// Both reach into Engine's private fields at run time (TypeScript `private` is not enforced there). They
// check that the fields they rely on exist and fail loudly if the Engine changes shape; a supported hook
// (e.g. ask(question, { queryVector })) would make this unnecessary.
import { builtInThesaurus } from '../../src/question/synonyms.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import type { Passage } from '../../src/corpus/types.js';
import type { BundleManifest } from '../../src/search/bundle-store.js';
import type { Embedder } from '../../src/search/types.js';
import type { VectorIndex } from '../../src/search/vector-index.js';
import { normalizeLine } from '../../src/text/normalize.js';

interface EngineInternals {
  embedder: Embedder | null;
  snapshot: unknown;
  snapshotOf(bundle: unknown): unknown;
}

function internals(engine: Engine): EngineInternals {
  const e = engine as unknown as EngineInternals;
  if (!('embedder' in e) || !('snapshot' in e) || typeof e.snapshotOf !== 'function') {
    throw new Error(
      'the Engine no longer has the embedder/snapshot/snapshotOf members the benchmark harness uses; update test/bench/engine-harness.ts',
    );
  }
  return e;
}

/** An Embedder whose embedQuery returns a precomputed vector for each known question (key: as engine.ask normalises it). */
export function memoEmbedder(
  base: Pick<Embedder, 'modelId' | 'dimension'>,
  vectors: ReadonlyMap<string, number[]>,
): Embedder {
  return {
    modelId: base.modelId,
    dimension: base.dimension,
    embedPassages: () => Promise.reject(new Error('memoEmbedder cannot embed passages')),
    embedQuery(text) {
      const vector = vectors.get(text);
      // A miss must not silently fall back to a model: the timing would then include embedding.
      return vector
        ? Promise.resolve(vector)
        : Promise.reject(new Error(`no precomputed vector for ${JSON.stringify(text.slice(0, 60))}`));
    },
  };
}

/** The key engine.ask looks a question up by (it normalises and cuts before embedding). */
export function askKey(question: string): string {
  return normalizeLine(question).slice(0, 1000);
}

/** Replaces the engine's embedder (it must have one: hybrid or vector mode). */
export function replaceEmbedder(engine: Engine, embedder: Embedder): void {
  const e = internals(engine);
  if (!e.embedder) throw new Error('the engine has no embedder to replace (lexical mode or model not loaded)');
  e.embedder = embedder;
}

export interface EngineParts {
  passages: Passage[];
  vectorIndex: VectorIndex | null;
  embedder: Embedder | null;
}

/**
 * An Engine serving the given passages and vector graph, its snapshot (and so its lexical index) built by
 * the engine's own snapshotOf. Returns it with the time snapshotOf took.
 */
export function engineOverParts(options: EngineOptions, parts: EngineParts): { engine: Engine; snapshotMs: number } {
  const engine = Object.create(Engine.prototype) as Engine;
  Object.assign(engine, {
    options,
    embedder: parts.embedder,
    degradedReason: null,
    reloadInFlight: null,
    snapshot: null,
    thesaurus: builtInThesaurus(),
    calibrations: {},
  });
  const e = internals(engine);
  const manifest: BundleManifest = {
    formatVersion: 1,
    builtAt: new Date().toISOString(),
    modelId: parts.embedder?.modelId ?? null,
    dimension: parts.vectorIndex?.dimension ?? null,
    corpusHashes: {},
    passageCount: parts.passages.length,
    hnsw: parts.vectorIndex ? { ...parts.vectorIndex.params } : null,
    chunkerVersion: 1,
    files: {},
  };
  const started = performance.now();
  e.snapshot = e.snapshotOf({
    manifest,
    passages: parts.passages,
    vectors: null,
    vectorIndex: parts.vectorIndex,
    dir: '',
  });
  return { engine, snapshotMs: performance.now() - started };
}
