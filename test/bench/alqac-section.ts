// Everything measured at ALQAC's own size (runs in its own process, see child.ts): index build
// throughput and memory, query latency of the real Engine, the MiniSearch peer and HNSW quality. It also
// leaves two saved bundles (lexical, hybrid) behind for the start-up measurement.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chunkDocument } from '../../src/corpus/chunker.js';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import type { Passage } from '../../src/corpus/types.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { readCalibrations } from '../../src/answer/similarity-gate.js';
import { readBundle } from '../../src/search/bundle-store.js';
import { buildSearchIndexes } from '../../src/search/search-indexes.js';
import { LexicalIndex } from '../../src/search/lexical-index.js';
import { DEFAULT_HNSW, VectorIndex } from '../../src/search/vector-index.js';
import type { SearchMode } from '../../src/search/types.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import { ALQAC_CORPUS, articleOf, loadQuestions, questionText, VARIANTS, type Variant } from './alqac.js';
import { askKey, benchTarget } from './engine-harness.js';
import { bagOfSyllables, measureHnswQuality, randomVectors, type HnswQuality } from './hnsw-quality.js';
import { measureEngineLatency, type LatencyTable } from './latency.js';
import { compareWithMiniSearch, type PeerComparison } from './peer-minisearch.js';
import {
  liveMemoryMB,
  median,
  peakRssMB,
  randomUnitVector,
  seededRandom,
  summarize,
  timed,
  timedAsync,
  timeEachAsync,
  type LatencySummary,
} from './stats.js';

export const TINY_MODEL = 'test/tiny-e5';
/** e5-small's dimension, for the HNSW quality sets that stand in for the real model's vectors. */
const E5_DIMENSION = 384;

export interface AlqacArgs {
  /** Scratch folder: models/ and the two index folders go there. */
  workDir: string;
  rounds: number;
}

export interface Step {
  ms: number;
  /** Peak RSS of the process once the step is done (monotonic: includes earlier steps). */
  peakRssMB: number;
}

export interface AlqacResult {
  corpus: { documents: number; passages: number; bytes: number; articles: number };
  build: {
    load: Step;
    chunk: Step;
    lexical: Step & { runs: number[] };
    embed: Step & { model: string; dimension: number; charsPerSecond: number };
    hnsw: Step & { M: number; efConstruction: number };
    engineLexical: Step;
    engineHybrid: Step;
  };
  embedQuery: Record<Variant, LatencySummary>;
  latency: LatencyTable;
  lexicalEngineAnswer: LatencyTable['answer'];
  peer: PeerComparison;
  quality: HnswQuality[];
  memory: ReturnType<typeof liveMemoryMB> & { peakRssMB: number };
  bundles: Record<'lexical' | 'hybrid', { indexDir: string; builtAt: string | null; mode: SearchMode }>;
  modelsDir: string;
}

function step(ms: number): Step {
  return { ms, peakRssMB: peakRssMB() };
}

/** The text the engine embeds for a passage (engine.ts: embeddingText). */
function embeddingText(p: Passage): string {
  return [p.docTitle, p.section, p.text].filter(Boolean).join('\n');
}

async function corpusWords(dir: string): Promise<string[]> {
  const words = new Set<string>();
  for (const name of await fs.readdir(dir)) {
    const text = await fs.readFile(path.join(dir, name), 'utf8');
    for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) words.add(w);
  }
  return [...words];
}

export async function runAlqac(args: AlqacArgs): Promise<AlqacResult> {
  const modelsDir = path.join(args.workDir, 'models');
  // The eval's test model (32-d): at 384-d its JS mean pooling makes embedding ten times slower, which
  // measures transformers.js, not the engine; e5's dimension is covered by the HNSW sets below.
  await makeTinyModel(modelsDir, { vocabulary: await corpusWords(ALQAC_CORPUS) });
  const questions = await loadQuestions();
  let bytes = 0;
  for (const name of await fs.readdir(ALQAC_CORPUS)) bytes += (await fs.stat(path.join(ALQAC_CORPUS, name))).size;

  // --- 1. Build: load, chunk, lexical index (the index three times: it is short and the machine is noisy).
  const loaded = await timedAsync(() => loadCorpus(ALQAC_CORPUS));
  const load = step(loaded.ms);
  const chunked = timed(() => loaded.value.documents.flatMap((d) => chunkDocument(d)));
  const chunk = step(chunked.ms);
  const passages = chunked.value;
  const lexicalDocs = passages.map((p) => ({ title: p.docTitle, section: p.section, text: p.text }));
  const lexicalRuns = [0, 1, 2].map(() => timed(() => LexicalIndex.build(lexicalDocs)).ms);
  const lexical = { ...step(median(lexicalRuns)), runs: lexicalRuns };

  // The engine end to end (load + chunk + index [+ embed + graph] + save), leaving bundles for start-up.
  const settings = { model: TINY_MODEL, modelsDir, allowDownloads: false, quantized: true, timeoutMs: 60_000 };
  const options = (mode: SearchMode): EngineOptions => ({
    corpusDir: ALQAC_CORPUS,
    indexDir: path.join(args.workDir, `index-${mode}`),
    searchMode: mode,
    embedder: mode === 'lexical' ? null : settings,
  });
  const lexicalEngine = await timedAsync(() => Engine.open(options('lexical')));
  const engineLexical = step(lexicalEngine.ms);
  // The embedding stage is timed from the hybrid build's own progress events: from the last file loaded
  // (then chunking, ~0.1 s) to the last batch embedded. Embedding is the slow part of a hybrid build.
  let loadedAt = NaN;
  let embeddedAt = NaN;
  const hybridEngine = await timedAsync(() =>
    Engine.open(options('hybrid'), (event) => {
      if (event.stage === 'load' && event.done === event.total) loadedAt = performance.now();
      if (event.stage === 'embed') embeddedAt = performance.now();
    }),
  );
  const engineHybrid = step(hybridEngine.ms);
  const engine = hybridEngine.value;
  if (engine.mode !== 'hybrid')
    throw new Error(`the hybrid engine serves ${engine.mode}: ${engine.status().degradedReason}`);
  const saved = await readBundle(options('hybrid').indexDir);
  const embedded = saved.vectors!;
  const model = { modelId: saved.manifest.modelId!, dimension: saved.manifest.dimension! };
  const embedMs = embeddedAt - loadedAt;
  const chars = passages.reduce((sum, p) => sum + embeddingText(p).length, 0);
  const embed = {
    ms: embedMs,
    peakRssMB: engineHybrid.peakRssMB,
    model: model.modelId,
    dimension: model.dimension,
    charsPerSecond: chars / (embedMs / 1000),
  };
  const graph = timed(() => VectorIndex.build(embedded, model.dimension, DEFAULT_HNSW));
  const hnsw = { ...step(graph.ms), M: DEFAULT_HNSW.M, efConstruction: DEFAULT_HNSW.efConstruction };

  // --- 2. Latency. Query embedding first (timed, and the vectors kept), then everything else without it.
  const vectors = new Map<string, number[]>();
  const embedQuery = {} as Record<Variant, LatencySummary>;
  for (const variant of VARIANTS) {
    const keys = questions.map((q) => askKey(questionText(q, variant)));
    const times = await timeEachAsync(
      keys,
      async (key) => vectors.set(key, (await engine.embedQuery(key))!),
      args.rounds,
    );
    embedQuery[variant] = summarize(times);
  }
  // The engines' saved bundles, searched and answered from by the engine's own pure steps.
  const hybridTarget = benchTarget(buildSearchIndexes(saved.passages, saved.vectors, saved.vectorIndex), {
    mode: engine.mode,
    similarityFloor: (await readCalibrations(options('hybrid').indexDir))[model.modelId]?.floor,
  });
  const lexicalSaved = await readBundle(options('lexical').indexDir);
  const lexicalTarget = benchTarget(buildSearchIndexes(lexicalSaved.passages, null, null), { mode: 'lexical' });
  const latency = measureEngineLatency(hybridTarget, questions, { rounds: args.rounds, vectors });
  const lexicalOnly = measureEngineLatency(lexicalTarget, questions, {
    rounds: args.rounds,
    vectors: null,
    measure: ['answer'],
  });
  const memory = { ...liveMemoryMB(), peakRssMB: peakRssMB() };

  // --- 6. Peer.
  // MiniSearch takes ~30 ms a question: three rounds keep this under half a minute.
  const peer = compareWithMiniSearch(lexicalEngine.value, passages, questions, lexical.ms, Math.min(args.rounds, 3));

  // --- 4. HNSW quality: the test model's vectors of ALQAC, then random vectors of e5-small's dimension.
  const questionVectors = VARIANTS.flatMap((variant) =>
    questions.map((q) => vectors.get(askKey(questionText(q, variant)))!),
  );
  const quality: HnswQuality[] = [];
  quality.push(
    await measureHnswQuality({
      name: `ALQAC passages, ${model.dimension}-d test-model vectors; queries: the 200 questions`,
      vectors: embedded,
      queries: questionVectors,
      dimension: model.dimension,
      build: DEFAULT_HNSW,
      rounds: args.rounds,
    }),
  );
  const texts = passages.map(embeddingText);
  const texts384 = bagOfSyllables(
    [...texts, ...questions.flatMap((q) => VARIANTS.map((v) => questionText(q, v)))],
    E5_DIMENSION,
    5,
  );
  quality.push(
    await measureHnswQuality({
      name: `ALQAC passages as ${E5_DIMENSION}-d bag-of-syllables vectors (e5-small's dimension, real text structure); queries: the 200 questions`,
      vectors: texts384.slice(0, texts.length),
      queries: texts384.slice(texts.length),
      dimension: E5_DIMENSION,
      build: DEFAULT_HNSW,
      rounds: args.rounds,
    }),
  );
  const random = seededRandom(7);
  quality.push(
    await measureHnswQuality({
      name: `random ${E5_DIMENSION}-d unit vectors, ALQAC's count (no structure at all: the worst case); 200 random queries`,
      vectors: randomVectors(passages.length, E5_DIMENSION, 11),
      queries: Array.from({ length: 200 }, () => randomUnitVector(random, E5_DIMENSION)),
      dimension: E5_DIMENSION,
      build: DEFAULT_HNSW,
      rounds: args.rounds,
      target: false,
    }),
  );

  return {
    corpus: {
      documents: loaded.value.documents.length,
      passages: passages.length,
      bytes,
      articles: new Set(
        passages.filter((p) => articleOf(p.section) !== null).map((p) => `${p.docTitle}|${articleOf(p.section)}`),
      ).size,
    },
    build: { load, chunk, lexical, embed, hnsw, engineLexical, engineHybrid },
    embedQuery,
    latency,
    lexicalEngineAnswer: lexicalOnly.answer,
    peer,
    quality,
    memory,
    bundles: {
      lexical: {
        indexDir: options('lexical').indexDir,
        builtAt: lexicalEngine.value.status().builtAt,
        mode: 'lexical',
      },
      hybrid: { indexDir: options('hybrid').indexDir, builtAt: engine.status().builtAt, mode: 'hybrid' },
    },
    modelsDir,
  };
}
