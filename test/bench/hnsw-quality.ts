// HNSW quality: recall@10 of the engine's VectorIndex (hnswlib-node) against exact brute-force search
// (exactSearch) on the same vectors, at the shipped efSearch and over a sweep of ef, with query latency.
// ef is not stored in the graph file, so one saved graph is loaded once per ef (VectorIndex.load applies
// it), which also exercises the engine's own load path.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_HNSW,
  exactSearch,
  VectorIndex,
  type HnswParams,
  type VectorLike,
} from '../../src/search/vector-index.js';
import { syllables } from '../../src/text/tokenize.js';
import { randomUnitVector, seededRandom, summarize, timed, timeEach, type LatencySummary } from './stats.js';

export const EF_SWEEP = [16, 32, 64, 100, 128, 256] as const;
const K = 10;
// Hits whose exact cosine ties the 10th best (duplicate passages have identical vectors) count as found.
const TIE_EPSILON = 1e-6;

export interface EfPoint {
  ef: number;
  recall10: number;
  latency: LatencySummary;
}

export interface HnswQuality {
  name: string;
  n: number;
  dimension: number;
  M: number;
  efConstruction: number;
  /** efSearch the engine ships (DEFAULT_HNSW.efSearch). */
  shippedEf: number;
  /** Graph build time in ms, when built here. */
  buildMs: number | null;
  queries: number;
  /** Whether the recall target applies (not to structureless random vectors). */
  target: boolean;
  /** Exact brute-force search in JS (exactSearch), for comparison. */
  exact: LatencySummary;
  sweep: EfPoint[];
}

function cosine(a: VectorLike, b: VectorLike): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface QualityInput {
  name: string;
  vectors: readonly VectorLike[];
  queries: readonly VectorLike[];
  dimension: number;
  /** Build params; efSearch here is ignored (the sweep sets it). */
  build: Pick<HnswParams, 'M' | 'efConstruction'>;
  /** An already saved graph of these vectors; built (and timed) here when absent. */
  graphFile?: string;
  efs?: readonly number[];
  rounds?: number;
  /** Whether the recall target applies (default true). */
  target?: boolean;
}

export async function measureHnswQuality(input: QualityInput): Promise<HnswQuality> {
  const { vectors, queries, dimension } = input;
  const efs = [...new Set([...(input.efs ?? EF_SWEEP), DEFAULT_HNSW.efSearch])].sort((a, b) => a - b);
  const rounds = input.rounds ?? 3;

  // Ground truth, and the brute-force latency the graph saves us from (one round: it is slow at scale).
  const truth: { ids: Set<number>; kth: number }[] = [];
  const exactTimes = queries.map((q) => {
    const { ms, value } = timed(() => exactSearch(vectors, q, K));
    truth.push({ ids: new Set(value.map((h) => h.index)), kth: value[value.length - 1]?.score ?? -Infinity });
    return ms;
  });

  let dir: string | null = null;
  let graphFile = input.graphFile;
  let buildMs: number | null = null;
  if (!graphFile) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-hnsw-'));
    graphFile = path.join(dir, 'graph.hnsw');
    const built = timed(() =>
      VectorIndex.build(vectors, dimension, { ...input.build, efSearch: DEFAULT_HNSW.efSearch }),
    );
    buildMs = built.ms;
    await built.value.save(graphFile);
  }
  try {
    const sweep: EfPoint[] = [];
    for (const ef of efs) {
      const index = await VectorIndex.load(graphFile, dimension, vectors.length, { ...input.build, efSearch: ef });
      let found = 0;
      queries.forEach((q, i) => {
        const { ids, kth } = truth[i]!;
        for (const hit of index.search(q, K)) {
          if (ids.has(hit.index) || cosine(vectors[hit.index]!, q) >= kth - TIE_EPSILON) found++;
        }
      });
      const times = timeEach(queries, (q) => index.search(q, K), rounds);
      sweep.push({ ef, recall10: found / (queries.length * Math.min(K, vectors.length)), latency: summarize(times) });
    }
    return {
      name: input.name,
      n: vectors.length,
      dimension,
      M: input.build.M,
      efConstruction: input.build.efConstruction,
      shippedEf: DEFAULT_HNSW.efSearch,
      buildMs,
      queries: queries.length,
      target: input.target ?? true,
      exact: summarize(exactTimes),
      sweep,
    };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `count` random unit vectors of `dimension`, in one Float32Array (row views), from `seed`: the graph
 * builder and the scale run regenerate the same set instead of passing hundreds of MB between processes.
 */
export function randomVectors(count: number, dimension: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const flat = new Float32Array(count * dimension);
  const rows: Float32Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    flat.set(randomUnitVector(random, dimension), i * dimension);
    rows[i] = flat.subarray(i * dimension, (i + 1) * dimension);
  }
  return rows;
}

/**
 * Texts as `dimension`-d bag-of-syllables vectors: each syllable gets a fixed random direction (seeded by
 * its hash), a text is the idf-weighted sum of its syllables' directions, normalised. The test model
 * embeds the same way; computed here directly, it gives vectors of any dimension with the structure of
 * real text (passages sharing words are near each other) in a second instead of minutes.
 */
export function bagOfSyllables(texts: readonly string[], dimension: number, seed: number): Float32Array[] {
  const tokenized = texts.map((t) => syllables(t));
  const df = new Map<string, number>();
  for (const words of tokenized) for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
  const directions = new Map<string, number[]>();
  const direction = (word: string): number[] => {
    let v = directions.get(word);
    if (!v) {
      let hash = seed >>> 0;
      for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193) >>> 0;
      v = randomUnitVector(seededRandom(hash), dimension);
      directions.set(word, v);
    }
    return v;
  };
  return tokenized.map((words) => {
    const sum = new Float64Array(dimension);
    for (const w of words) {
      const weight = Math.log(1 + texts.length / df.get(w)!);
      const v = direction(w);
      for (let i = 0; i < dimension; i++) sum[i]! += weight * v[i]!;
    }
    let norm = 0;
    for (let i = 0; i < dimension; i++) norm += sum[i]! * sum[i]!;
    // A text without syllables gets some direction: a zero vector has no cosine.
    if (norm === 0) return Float32Array.from(randomUnitVector(seededRandom(seed), dimension));
    norm = Math.sqrt(norm);
    return Float32Array.from(sum, (x) => x / norm);
  });
}
