// The engine at 10× and 100× ALQAC's passage count (synth.ts) with random unit vectors on the vector side.
// Two steps, each in its own process (child.ts): buildScaleGraph builds and saves the HNSW graph of the
// random vectors; runScale regenerates the same vectors from the seed, loads that graph, builds the rest of
// the engine over the synthetic passages and measures it as at ALQAC's size. Separate processes keep each
// one's peak memory its own, and let the orchestrator start a graph early.
import { buildSearchIndexes } from '../../src/search/search-indexes.js';
import { DEFAULT_HNSW, VectorIndex, type HnswParams } from '../../src/search/vector-index.js';
import { loadAlqac, questionText, VARIANTS } from './alqac.js';
import { askKey, benchTarget } from './engine-harness.js';
import { measureHnswQuality, randomVectors, type HnswQuality } from './hnsw-quality.js';
import { measureEngineLatency, type LatencyTable, type Measured } from './latency.js';
import { liveMemoryMB, peakRssMB, randomUnitVector, seededRandom, timed, timedAsync } from './stats.js';
import { synthesizePassages } from './synth.js';

export interface ScaleGraphArgs {
  factor: number;
  dimension: number;
  build: Pick<HnswParams, 'M' | 'efConstruction'>;
  seed: number;
  file: string;
}

export interface ScaleGraphResult {
  factor: number;
  points: number;
  dimension: number;
  M: number;
  efConstruction: number;
  buildMs: number;
  pointsPerSecond: number;
  peakRssMB: number;
  file: string;
}

/** How many passages the synthetic corpus at `factor` has (ALQAC's count times factor). */
async function passageCount(factor: number): Promise<number> {
  return (await loadAlqac()).passages.length * factor;
}

export async function buildScaleGraph(args: ScaleGraphArgs): Promise<ScaleGraphResult> {
  const n = await passageCount(args.factor);
  const vectors = randomVectors(n, args.dimension, args.seed);
  const built = timed(() =>
    VectorIndex.build(vectors, args.dimension, { ...args.build, efSearch: DEFAULT_HNSW.efSearch }),
  );
  await built.value.save(args.file);
  return {
    factor: args.factor,
    points: n,
    dimension: args.dimension,
    M: args.build.M,
    efConstruction: args.build.efConstruction,
    buildMs: built.ms,
    pointsPerSecond: n / (built.ms / 1000),
    peakRssMB: peakRssMB(),
    file: args.file,
  };
}

export interface ScaleArgs {
  factor: number;
  graph: ScaleGraphResult;
  seed: number;
  rounds: number;
  /** Questions whose exact nearest neighbours are computed for recall@10 (brute force is slow at scale). */
  qualityQueries: number;
  /** ef values to measure recall at (default: the sweep). */
  qualityEfs?: number[];
  measure?: Measured[];
}

export interface ScaleResult {
  factor: number;
  passages: number;
  synthesizeMs: number;
  /** buildSearchIndexes (the engine's snapshot): the lexical index over all passages. */
  lexicalBuildMs: number;
  graphLoadMs: number;
  latency: LatencyTable;
  quality: HnswQuality;
  memory: ReturnType<typeof liveMemoryMB> & { peakRssMB: number; baselineHeapMB: number };
}

export async function runScale(args: ScaleArgs): Promise<ScaleResult> {
  const alqac = await loadAlqac();
  const baseline = liveMemoryMB();
  const synthesized = timed(() => synthesizePassages(alqac.passages, args.factor, args.seed));
  const passages = synthesized.value;
  const { dimension, M, efConstruction } = args.graph;
  const vectors = randomVectors(passages.length, dimension, args.seed);
  const graph = await timedAsync(() =>
    VectorIndex.load(args.graph.file, dimension, passages.length, {
      M,
      efConstruction,
      efSearch: DEFAULT_HNSW.efSearch,
    }),
  );

  // One random query vector per question text (the vector side's quality is measured apart, below).
  const random = seededRandom(args.seed + 1);
  const queryVectors = new Map<string, number[]>();
  for (const variant of VARIANTS)
    for (const q of alqac.questions)
      queryVectors.set(askKey(questionText(q, variant)), randomUnitVector(random, dimension));

  // The engine's search indexes over the synthetic passages and the loaded graph (no stored vectors, so
  // no similarity gate), as an engine in hybrid mode serves them.
  const indexes = timed(() => buildSearchIndexes(passages, null, graph.value));
  const engine = benchTarget(indexes.value, { mode: 'hybrid' });
  const memory = { ...liveMemoryMB(), peakRssMB: peakRssMB(), baselineHeapMB: baseline.heapUsed };
  const latency = measureEngineLatency(engine, alqac.questions, {
    rounds: args.rounds,
    vectors: queryVectors,
    measure: args.measure,
  });

  const queries = [...queryVectors.values()].slice(0, args.qualityQueries);
  const quality = await measureHnswQuality({
    name: `${args.factor}× scale: random ${dimension}-d unit vectors, lighter build (context only); ${queries.length} random queries`,
    vectors,
    queries,
    dimension,
    build: { M, efConstruction },
    graphFile: args.graph.file,
    rounds: args.rounds,
    efs: args.qualityEfs,
    target: false,
  });
  return {
    factor: args.factor,
    passages: passages.length,
    synthesizeMs: synthesized.ms,
    lexicalBuildMs: indexes.ms,
    graphLoadMs: graph.ms,
    latency,
    quality,
    memory: { ...memory, peakRssMB: Math.max(memory.peakRssMB, peakRssMB()) },
  };
}
