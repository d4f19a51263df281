// `npm run bench`: proves the engine fast at ALQAC's size and at 10× and 100× it, offline, in one run.
// Prints a table and writes the same figures to bench-results/bench.json.
//
//   1. index build throughput and peak memory      4. HNSW recall@10 against exact search, ef sweep
//   2. query latency p50/p95/p99 per mode           5. start-up with a saved index (fresh processes)
//   3. the same at 10× and 100× the passages        6. MiniSearch on the same passages and questions
//   + the bot load test (test/bench/bot-load.ts) when present
//   + the record (test/bench/records.ts): log writes per store, start-up with the database, p95 logging off/on
//   + the multi-process run (test/bench/multi-process.ts): 3 webhook processes, SIGKILL, /reload; and 1 process
//
// Every section runs in its own child process (child.ts) for clean memory figures. The 100× HNSW graph
// is built by a background process started first, so that it is ready when the 100× run needs it.
//
// Options: --factors 10,100  --rounds N  --scale-dimension 64  --scale-efc 64  --startup-runs 5
//          --serial (no background graph build)  --no-bot-load  --no-records  --out bench-results/bench.json
//          --no-multi-process   --only multi-process (that section alone)
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_HNSW } from '../../src/search/vector-index.js';
import type { AlqacResult } from './alqac-section.js';
import { TINY_MODEL } from './alqac-section.js';
import type { HnswQuality } from './hnsw-quality.js';
import type { LatencyTable, Measured } from './latency.js';
import type { ScaleGraphArgs, ScaleGraphResult, ScaleResult } from './scale.js';
import { measureStartup, type StartupResult } from './startup.js';
import type { LatencySummary } from './stats.js';
import { renderRecords, type RecordsBenchResult } from './records.js';
import { benchMultiProcess, renderMultiProcess, type MultiProcessRun } from './multi-process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CHILD = path.join(HERE, 'child.ts');
const BOT_LOAD = path.join(HERE, 'bot-load.ts');

// --------------------------------------------------------------------------------------------------
// Child processes

/** Children still running, so that a failed run does not leave a background graph build behind. */
const running = new Set<ChildProcess>();

function runChild<T>(section: string, args: unknown, heapMB = 4096): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [section, JSON.stringify(args)], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--expose-gc', `--max-old-space-size=${heapMB}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let message: { ok: boolean; result?: T; error?: string } | null = null;
    child.on('message', (m) => (message = m as typeof message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (message?.ok) resolve(message.result as T);
      else
        reject(new Error(`bench section ${section} failed (exit ${code ?? signal}): ${message?.error ?? 'no result'}`));
    });
  });
}

// --------------------------------------------------------------------------------------------------
// Formatting

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    '| ' + r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ') + ' |';
  return [
    line(headers),
    '|' + widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|') + '|',
    ...cells.slice(1).map(line),
  ].join('\n');
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const mb = (v: number) => v.toFixed(0);
const r2 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(2));
const secs = (v: number) => (v / 1000).toFixed(2) + ' s';
const ok = (pass: boolean) => (pass ? 'yes' : 'NO');

const LABELS: Record<Measured, string> = {
  lexical: 'lexical search',
  vector: 'vector search',
  hybrid: 'hybrid search',
  answer: 'answer (search + excerpt + citation)',
};

function latencyRows(
  scale: string,
  passages: number,
  table: LatencyTable,
  extra: [string, { accented: LatencySummary; unaccented: LatencySummary }][] = [],
): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const [label, v] of extra) {
    rows.push([
      scale,
      int(passages),
      label,
      ms(v.accented.p50),
      ms(v.accented.p95),
      ms(v.accented.p99),
      ms(v.unaccented.p50),
      ms(v.unaccented.p95),
      ms(v.unaccented.p99),
      '–',
      '–',
    ]);
  }
  for (const what of ['lexical', 'vector', 'hybrid', 'answer'] as const) {
    const v = table[what];
    if (!v) continue;
    const q = (x: typeof v.accented) => (what === 'answer' ? `${r2(x.answered)} ans.` : r2(x.recall5));
    rows.push([
      scale,
      int(passages),
      LABELS[what],
      ms(v.accented.latency.p50),
      ms(v.accented.latency.p95),
      ms(v.accented.latency.p99),
      ms(v.unaccented.latency.p50),
      ms(v.unaccented.latency.p95),
      ms(v.unaccented.latency.p99),
      q(v.accented),
      q(v.unaccented),
    ]);
  }
  return rows;
}

function qualityRows(q: HnswQuality): (string | number)[][] {
  return q.sweep.map((p) => [
    q.name,
    int(q.n),
    q.dimension,
    `${q.M} / ${q.efConstruction}`,
    p.ef === q.shippedEf ? `${p.ef} (shipped)` : p.ef,
    p.recall10.toFixed(3),
    ms(p.latency.p50),
    ms(p.latency.p95),
    ms(q.exact.p50),
  ]);
}

/** Passage count at 100× (or the largest scale run, or 100 × ALQAC's when no scale ran). */
const hundredPassages = (input: RenderInput) =>
  input.scale.find((s) => s.result.factor === 100)?.result.passages ?? input.alqac.corpus.passages * 100;

const worstP95 = (t: LatencyTable | undefined, what: Measured) =>
  t?.[what] ? Math.max(t[what]!.accented.latency.p95, t[what]!.unaccented.latency.p95) : NaN;

// --------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      factors: { type: 'string', default: '10,100' },
      rounds: { type: 'string', default: '5' },
      'scale-rounds': { type: 'string', default: '3' },
      'scale-dimension': { type: 'string', default: '64' },
      'scale-efc': { type: 'string', default: '64' },
      'startup-runs': { type: 'string', default: '5' },
      serial: { type: 'boolean', default: false },
      'no-bot-load': { type: 'boolean', default: false },
      'no-records': { type: 'boolean', default: false },
      'no-multi-process': { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: path.join('bench-results', 'bench.json') },
    },
  });
  const factors = values.factors!.split(',').filter(Boolean).map(Number);
  const rounds = Number(values.rounds);
  const scaleRounds = Number(values['scale-rounds']);
  const scaleDimension = Number(values['scale-dimension']);
  const scaleBuild = { M: DEFAULT_HNSW.M, efConstruction: Number(values['scale-efc']) };
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-'));
  const progress = (message: string) =>
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
  const multiProcessSection = () =>
    benchMultiProcess((options) => runChild<MultiProcessRun['result']>('multi-process', options), progress);
  if (values.only === 'multi-process') {
    process.stdout.write(renderMultiProcess(await multiProcessSection()) + '\n');
    return;
  }

  try {
    // The largest scale's graph takes longest: it is built by a background process from the start
    // (unless --serial), the others just before their scale run.
    const graphArgs = (factor: number): ScaleGraphArgs => ({
      factor,
      dimension: scaleDimension,
      build: scaleBuild,
      seed: 1000 + factor,
      file: path.join(workDir, `graph-${factor}x.hnsw`),
    });
    const buildGraph = (factor: number) => {
      progress(
        `building the ${factor}× HNSW graph (${scaleDimension}-d random vectors, efConstruction ${scaleBuild.efConstruction})`,
      );
      return runChild<ScaleGraphResult>('graph', graphArgs(factor), 8192);
    };
    const largest = Math.max(...factors);
    const background = factors.length && !values.serial ? buildGraph(largest) : null;
    background?.catch(() => undefined); // awaited below; failures reported there

    progress('ALQAC: build, latency, peer, HNSW quality');
    const alqac = await runChild<AlqacResult>('alqac', { workDir, rounds });

    const scale: { graph: ScaleGraphResult; result: ScaleResult }[] = [];
    for (const factor of [...factors].sort((a, b) => a - b)) {
      const graph = await (factor === largest && background ? background : buildGraph(factor));
      progress(`${factor}× scale: engine over ${int(graph.points)} synthetic passages`);
      const big = factor >= 100;
      const result = await runChild<ScaleResult>(
        'scale',
        // Exact search over 273k vectors takes ~0.6 s a query: fewer queries and only the shipped ef at 100×.
        {
          factor,
          graph,
          seed: 1000 + factor,
          rounds: scaleRounds,
          qualityQueries: big ? 20 : 100,
          qualityEfs: big ? [DEFAULT_HNSW.efSearch] : undefined,
        },
        12288,
      );
      scale.push({ graph, result });
    }

    // Start-up last: nothing of ours runs beside it, so the child processes have the machine's cores.
    progress('start-up with a saved index (fresh processes)');
    const startupRuns = Number(values['startup-runs']);
    const question = 'Người nghiện ma túy có bị đưa vào cơ sở cai nghiện bắt buộc không?';
    const startup: StartupResult[] = [];
    for (const mode of ['lexical', 'hybrid'] as const) {
      const bundle = alqac.bundles[mode];
      startup.push(
        await measureStartup(
          {
            corpusDir: path.resolve('..', 'shared', 'benchmarks', 'alqac2023', 'corpus'),
            indexDir: bundle.indexDir,
            mode,
            modelsDir: alqac.modelsDir,
            model: TINY_MODEL,
            question,
          },
          bundle.builtAt,
          startupRuns,
        ),
      );
    }

    let botLoad: unknown = null;
    const botLoadArgs = { users: 200, questionsPerUser: 5 };
    if (values['no-bot-load']) botLoad = { skipped: 'disabled with --no-bot-load' };
    else if (!existsSync(BOT_LOAD))
      botLoad = { skipped: 'test/bench/bot-load.ts is not there yet' }; // HOOK: runs benchBotLoad when it exists
    else {
      progress(
        `bot load: ${botLoadArgs.users} users × ${botLoadArgs.questionsPerUser} questions through the Bot API emulator`,
      );
      botLoad = await runChild<unknown>('bot-load', botLoadArgs).catch((error: Error) => ({ error: error.message }));
    }

    let records: RecordsBenchResult | { skipped: string } | { error: string };
    if (values['no-records']) records = { skipped: 'disabled with --no-records' };
    else {
      progress('the record: log writes per store, start-up with the database, reply latency with logging off and on');
      records = await runChild<RecordsBenchResult>('records', {}).catch((error: Error) => ({ error: error.message }));
    }

    // The opening burst (issue 10, part 5): 200 first questions at once against a fresh bot, the emulator
    // in the bot's process (as before) and in its own process (as Telegram is), with and without warm-up.
    const firstBurst: { label: string; result: unknown }[] = [];
    if (!values['no-bot-load']) {
      const variants = [
        {
          label: 'emulator in-process, warm-up',
          args: { users: 200, emulator: 'in-process', warmUp: true, corpus: 'project' },
        },
        {
          label: 'emulator own process, no warm-up',
          args: { users: 200, emulator: 'process', warmUp: false, corpus: 'project' },
        },
        {
          label: 'emulator own process, warm-up (shipped)',
          args: { users: 200, emulator: 'process', warmUp: true, corpus: 'project' },
        },
      ];
      for (const variant of variants) {
        progress(`first burst: 200 first questions, ${variant.label}`);
        firstBurst.push({
          label: variant.label,
          result: await runChild<unknown>('first-burst', variant.args).catch((error: Error) => ({
            error: error.message,
          })),
        });
      }
    }

    // The durable update queue in PostgreSQL (issue 10, part 1): updates stored and claimed per second.
    progress('update queue: 5,000 updates through PostgreSQL, 3 workers');
    const updateQueue = await runChild<unknown>('update-queue', { updates: 5000, chats: 500, workers: 3 }).catch(
      (error: Error) => ({ error: error.message }),
    );

    const multiProcess = values['no-multi-process'] ? [] : await multiProcessSection();

    const totalMs = performance.now() - started;
    const report = render({
      updateQueue,
      firstBurst,
      alqac,
      startup,
      scale,
      botLoad,
      botLoadArgs,
      scaleBuild,
      scaleDimension,
      rounds,
      scaleRounds,
      totalMs,
    });
    process.stdout.write(report.text + '\n');
    process.stdout.write(
      '\n' + ('throughput' in records ? renderRecords(records) : `The record: ${JSON.stringify(records)}`) + '\n',
    );
    if (multiProcess.length > 0) process.stdout.write('\n' + renderMultiProcess(multiProcess) + '\n');
    await fs.mkdir(path.dirname(values.out!), { recursive: true });
    await fs.writeFile(
      values.out!,
      JSON.stringify(
        {
          ranAt: new Date().toISOString(),
          totalSeconds: totalMs / 1000,
          machine: {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
            node: process.version,
            loadAverage: os.loadavg(),
          },
          settings: { rounds, scaleRounds, scaleDimension, scaleBuild, shippedHnsw: DEFAULT_HNSW },
          targets: report.targets,
          table: report.text,
          alqac,
          startup,
          scale,
          botLoad,
          records,
          multiProcess,
        },
        null,
        2,
      ),
    );
    progress(`figures written to ${values.out}`);
  } finally {
    for (const child of running) child.kill();
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

interface RenderInput {
  alqac: AlqacResult;
  startup: StartupResult[];
  scale: { graph: ScaleGraphResult; result: ScaleResult }[];
  botLoad: unknown;
  botLoadArgs: { users: number; questionsPerUser: number };
  firstBurst: { label: string; result: unknown }[];
  updateQueue: unknown;
  scaleBuild: { M: number; efConstruction: number };
  scaleDimension: number;
  rounds: number;
  scaleRounds: number;
  totalMs: number;
}

function render(input: RenderInput): { text: string; targets: { target: string; measured: string; pass: boolean }[] } {
  const { alqac, startup, scale } = input;
  const out: string[] = [];
  const { corpus, build } = alqac;
  const mbytes = corpus.bytes / 1e6;

  out.push(
    `# Benchmark — ALQAC 2023: ${corpus.documents} laws, ${int(corpus.articles)} articles with text, ${int(corpus.passages)} passages, ${mbytes.toFixed(1)} MB`,
    '',
  );
  out.push('## 1. Index build (ALQAC)', '');
  const perSecond = (n: number, t: number) => int(n / (t / 1000));
  const loadChunkIndex = build.load.ms + build.chunk.ms + build.lexical.ms;
  out.push(
    table(
      ['step', 'time', 'documents/s', 'passages/s', 'MB/s', 'peak RSS MB'],
      [
        [
          'load (read + normalise)',
          secs(build.load.ms),
          perSecond(corpus.documents, build.load.ms),
          '–',
          (mbytes / (build.load.ms / 1000)).toFixed(1),
          mb(build.load.peakRssMB),
        ],
        [
          'chunk',
          secs(build.chunk.ms),
          perSecond(corpus.documents, build.chunk.ms),
          perSecond(corpus.passages, build.chunk.ms),
          '–',
          mb(build.chunk.peakRssMB),
        ],
        [
          `lexical index (median of ${build.lexical.runs.length}; first run, JIT cold: ${secs(build.lexical.runs[0]!)})`,
          secs(build.lexical.ms),
          '–',
          perSecond(corpus.passages, build.lexical.ms),
          '–',
          mb(build.lexical.peakRssMB),
        ],
        [
          'load + chunk + lexical index',
          secs(loadChunkIndex),
          perSecond(corpus.documents, loadChunkIndex),
          perSecond(corpus.passages, loadChunkIndex),
          (mbytes / (loadChunkIndex / 1000)).toFixed(1),
          mb(build.lexical.peakRssMB),
        ],
        [
          `embed passages (${build.embed.model}, ${build.embed.dimension}-d; ${int(build.embed.charsPerSecond)} chars/s)`,
          secs(build.embed.ms),
          '–',
          perSecond(corpus.passages, build.embed.ms),
          '–',
          mb(build.embed.peakRssMB),
        ],
        [
          `HNSW graph (M ${build.hnsw.M}, efConstruction ${build.hnsw.efConstruction})`,
          secs(build.hnsw.ms),
          '–',
          perSecond(corpus.passages, build.hnsw.ms),
          '–',
          mb(build.hnsw.peakRssMB),
        ],
        [
          'Engine.open, lexical, no index yet (build + save)',
          secs(build.engineLexical.ms),
          '–',
          perSecond(corpus.passages, build.engineLexical.ms),
          '–',
          mb(build.engineLexical.peakRssMB),
        ],
        [
          'Engine.open, hybrid, no index yet (+ embed + graph)',
          secs(build.engineHybrid.ms),
          '–',
          perSecond(corpus.passages, build.engineHybrid.ms),
          '–',
          mb(build.engineHybrid.peakRssMB),
        ],
      ],
    ),
    '',
  );

  out.push(
    `## 2–3. Query latency, ms (excluding the query's embedding, shown apart); each question's time is the median of ${input.rounds} rounds (${input.scaleRounds} at scale) after a warm-up; percentiles over the 100 questions`,
    '',
  );
  const latencyHeaders = [
    'scale',
    'passages',
    'measure',
    'acc. p50',
    'acc. p95',
    'acc. p99',
    'unacc. p50',
    'unacc. p95',
    'unacc. p99',
    'acc. R@5',
    'unacc. R@5',
  ];
  const rows = latencyRows('1×', corpus.passages, alqac.latency, [
    [`query embedding (${build.embed.model})`, alqac.embedQuery],
  ]);
  if (alqac.lexicalEngineAnswer)
    rows.push(
      ...latencyRows('1×', corpus.passages, { answer: alqac.lexicalEngineAnswer }).map((r) => {
        r[2] = 'answer, lexical-only engine';
        return r;
      }),
    );
  for (const { result } of scale) rows.push(...latencyRows(`${result.factor}×`, result.passages, result.latency));
  out.push(table(latencyHeaders, rows), '');
  out.push(
    `R@5: Recall@5 (relevant article among the first 5). At 1× vectors come from the tiny test model (a bag-of-words stand-in, not e5); at scale they are random ${input.scaleDimension}-d unit vectors, so vector and hybrid R@5 there only show whether the lexical side still finds the article. The scale's distractors are the same law's sentences re-dealt, so they contain the very sentences that answer each question: a harsher test of ranking than 100× as many different reports would be. "ans.": share of questions answered (not abstained).`,
    '',
  );

  out.push('## 3. Scale: build and memory', '');
  const scaleRows: (string | number)[][] = [
    [
      '1×',
      int(corpus.passages),
      '–',
      secs(build.lexical.ms),
      perSecond(corpus.passages, build.lexical.ms),
      `${build.embed.dimension}-d model, efC ${build.hnsw.efConstruction}: ${secs(build.hnsw.ms)}`,
      perSecond(corpus.passages, build.hnsw.ms),
      mb(alqac.memory.heapUsed),
      mb(alqac.memory.arrayBuffers),
      mb(alqac.memory.rss),
      mb(alqac.memory.peakRssMB),
    ],
  ];
  for (const { graph, result } of scale) {
    scaleRows.push([
      `${result.factor}×`,
      int(result.passages),
      secs(result.synthesizeMs),
      secs(result.lexicalBuildMs),
      perSecond(result.passages, result.lexicalBuildMs),
      `${graph.dimension}-d random, efC ${graph.efConstruction}: ${secs(graph.buildMs)}`,
      int(graph.pointsPerSecond),
      mb(result.memory.heapUsed),
      mb(result.memory.arrayBuffers),
      mb(result.memory.rss),
      mb(result.memory.peakRssMB),
    ]);
  }
  out.push(
    table(
      [
        'scale',
        'passages',
        'synthesise',
        'lexical index',
        'passages/s',
        'HNSW graph (M 16)',
        'points/s',
        'JS heap MB',
        'typed arrays MB',
        'RSS serving MB',
        'peak RSS MB',
      ],
      scaleRows,
    ),
    '',
    `1×: the ALQAC process serving both engines (lexical + hybrid) and the passages. Scale: one engine over synthetic passages (real sentences re-dealt within each law) and random ${input.scaleDimension}-d vectors in a graph built with efConstruction ${input.scaleBuild.efConstruction}, not the shipped 384-d (e5-small) and efConstruction ${DEFAULT_HNSW.efConstruction}: a 100× graph at those settings takes ~8 min on this machine, most of the 10-minute budget, and the vector side's latency hardly depends on them. At 384-d the 100× graph would hold ≈ ${mb((hundredPassages(input) * (140 + 4 * 384)) / 2 ** 20)} MB of native memory (${DEFAULT_HNSW.M * 2} level-0 links + 384 float32 + label per vector). JS heap and typed arrays are live sizes after a full GC; the HNSW graph is native memory, in RSS only.`,
    '',
  );

  out.push('## 4. HNSW recall@10 against exact search (exactSearch), and latency per ef', '');
  const quality = [...alqac.quality, ...scale.map((s) => s.result.quality)];
  out.push(
    table(
      ['vectors', 'n', 'd', 'M / efC', 'ef', 'recall@10', 'p50 ms', 'p95 ms', 'exact p50 ms'],
      quality.flatMap(qualityRows),
    ),
    '',
  );
  out.push(
    `Recall: share of the exact top 10 (exactSearch, brute force in JS; its latency in the last column) that the graph returns, ties at the 10th place counted as found. Uniform random vectors have no neighbourhood structure (every point is almost equally far from every other), the hardest case for any graph index: real embeddings, like the bag-of-syllables vectors, cluster by topic.`,
    '',
  );

  out.push(
    "## 5. Start-up with a saved index (process start → Engine ready; median of runs, each a fresh `node --import tsx` process, as `tsx src/main.ts` runs the bot minus the tsx CLI's own parent process)",
    '',
  );
  out.push(
    table(
      [
        'mode',
        'runs',
        'start → ready',
        'min',
        'max',
        'node + tsx',
        'imports',
        'Engine.open',
        'RSS ready MB',
        'first answer',
      ],
      startup.map((s) => [
        s.mode,
        s.runs.length,
        secs(s.median.wallMs),
        secs(Math.min(...s.runs.map((r) => r.wallMs))),
        secs(Math.max(...s.runs.map((r) => r.wallMs))),
        secs(s.median.bootMs),
        secs(s.median.importMs),
        secs(s.median.openMs),
        mb(s.median.rssMB),
        `${ms(s.median.firstAnswerMs)} ms`,
      ]),
    ),
    '',
  );

  const lexicalStart = startup.find((s) => s.mode === 'lexical');
  if (lexicalStart) {
    // Importing a module after start-up is instant when start-up had loaded it already.
    const heavy = Object.entries(lexicalStart.lateImportMs).map(([name, late]) =>
      late < 20
        ? `${name} loaded at start-up although unused (lazy import would save its load time)`
        : `${name} not loaded (deferred; it would have cost ${secs(late)})`,
    );
    out.push(`Lexical start-up, heavy modules: ${heavy.join('; ')}.`, '');
  }

  out.push('## 6. Peer: MiniSearch 7.2 (default BM25, fields title + section + text), same passages and questions', '');
  const { ours, minisearch } = alqac.peer;
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
  const peerRow = (label: string, a: number, b: number, f: (v: number) => string) => [label, f(a), f(b), ratio(a, b)];
  out.push(
    table(
      ['', 'ours', 'MiniSearch', 'ours / MiniSearch'],
      [
        peerRow('index build, ms', ours.buildMs, minisearch.buildMs, ms),
        peerRow('accented p50, ms', ours.latency.accented.p50, minisearch.latency.accented.p50, ms),
        peerRow('accented p95, ms', ours.latency.accented.p95, minisearch.latency.accented.p95, ms),
        peerRow('unaccented p50, ms', ours.latency.unaccented.p50, minisearch.latency.unaccented.p50, ms),
        peerRow('unaccented p95, ms', ours.latency.unaccented.p95, minisearch.latency.unaccented.p95, ms),
        peerRow('accented Recall@5', ours.recall5.accented, minisearch.recall5.accented, r2),
        peerRow('unaccented Recall@5', ours.recall5.unaccented, minisearch.recall5.unaccented, r2),
      ],
    ),
    '',
  );

  out.push(
    `## Bot load (${input.botLoadArgs.users} users × ${input.botLoadArgs.questionsPerUser} questions, Bot API emulator, lexical engine)`,
    '',
  );
  const bot = input.botLoad as {
    replies?: number;
    expected?: number;
    p50Ms?: number;
    p95Ms?: number;
    errors?: number;
    seconds?: number;
    skipped?: string;
    error?: string;
  } | null;
  if (bot && typeof bot.replies === 'number') {
    out.push(
      table(
        ['replies received', 'p50 latency', 'p95 latency', 'errors', 'wall time'],
        [
          [
            `${bot.replies} / ${bot.expected}`,
            `${bot.p50Ms} ms`,
            `${bot.p95Ms} ms`,
            bot.errors ?? '–',
            `${bot.seconds} s`,
          ],
        ],
      ),
      '',
    );
  } else out.push(`not run: ${bot?.skipped ?? bot?.error ?? 'unknown'}`, '');

  out.push('## First burst (200 simultaneous first questions, fresh bot, polling, lexical, project corpus)', '');
  if (input.firstBurst.length > 0) {
    type Burst = {
      answeredOnce?: number;
      users?: number;
      duplicates?: number;
      missing?: number;
      replyMs?: { p50: number; p95: number; p99: number; max: number };
      botCpuMs?: number;
      loadAverage?: number;
      error?: string;
    };
    out.push(
      table(
        ['variant', 'exactly one reply', 'p50', 'p95', 'p99', 'max', 'bot CPU', 'load avg'],
        input.firstBurst.map(({ label, result }) => {
          const r = result as Burst;
          if (!r.replyMs) return [label, `error: ${r.error ?? 'unknown'}`, '', '', '', '', '', ''];
          return [
            label,
            `${r.answeredOnce} / ${r.users}`,
            `${r.replyMs.p50} ms`,
            `${r.replyMs.p95} ms`,
            `${r.replyMs.p99} ms`,
            `${r.replyMs.max} ms`,
            `${r.botCpuMs} ms`,
            String(r.loadAverage),
          ];
        }),
      ),
      '',
    );
  } else out.push('not run (--no-bot-load)', '');

  out.push('## Update queue (PostgreSQL, 5,000 updates from 500 chats, 3 workers)', '');
  {
    const q = input.updateQueue as {
      enqueuePerSecond?: number;
      singleClaimsPerSecond?: number;
      workerUpdatesPerSecond?: number;
      skipped?: string;
      error?: string;
    };
    if (typeof q?.enqueuePerSecond === 'number') {
      out.push(
        table(
          ['stored/s (20 concurrent)', 'claimed+completed/s, one at a time', 'claimed+completed/s, UpdateWorker'],
          [[q.enqueuePerSecond, q.singleClaimsPerSecond ?? '–', q.workerUpdatesPerSecond ?? '–']],
        ),
        '',
      );
    } else out.push(`not run: ${q?.skipped ?? q?.error ?? 'unknown'}`, '');
  }

  // Targets of the issue.
  const lexicalStartup = startup.find((s) => s.mode === 'lexical');
  const hundred = scale.find((s) => s.result.factor === 100)?.result;
  const shipped = alqac.quality
    .filter((q) => q.target)
    .map((q) => ({ name: q.name, recall: q.sweep.find((p) => p.ef === q.shippedEf)!.recall10 }));
  const shippedBurst = input.firstBurst.at(-1)?.result as
    | { replyMs?: { p99: number }; answeredOnce?: number; users?: number }
    | undefined;
  const targets = [
    {
      target: '200 simultaneous first questions, emulator in its own process: p99 reply ≤ 1 s, each exactly one reply',
      measured: shippedBurst?.replyMs
        ? `p99 ${shippedBurst.replyMs.p99} ms, ${shippedBurst.answeredOnce} / ${shippedBurst.users}`
        : 'not run',
      pass: shippedBurst?.replyMs
        ? shippedBurst.replyMs.p99 <= 1000 && shippedBurst.answeredOnce === shippedBurst.users
        : false,
    },
    {
      target: 'ALQAC hybrid search p95 ≤ 10 ms (excl. embedding)',
      measured: `${ms(worstP95(alqac.latency, 'hybrid'))} ms`,
      pass: worstP95(alqac.latency, 'hybrid') <= 10,
    },
    {
      target: 'ALQAC answer p95 ≤ 15 ms (excl. embedding)',
      measured: `${ms(worstP95(alqac.latency, 'answer'))} ms`,
      pass: worstP95(alqac.latency, 'answer') <= 15,
    },
    {
      target: '100× hybrid search p95 ≤ 50 ms',
      measured: hundred ? `${ms(worstP95(hundred.latency, 'hybrid'))} ms` : 'not run',
      pass: hundred ? worstP95(hundred.latency, 'hybrid') <= 50 : false,
    },
    ...shipped.map((s) => ({
      target: `HNSW recall@10 ≥ 0.98 at the shipped M/efC/ef — ${s.name.split(';')[0]}`,
      measured: s.recall.toFixed(3),
      pass: s.recall >= 0.98,
    })),
    {
      target: 'start-up with a saved index ≤ 1 s (ALQAC, lexical)',
      measured: lexicalStartup ? secs(lexicalStartup.median.wallMs) : 'not run',
      pass: lexicalStartup ? lexicalStartup.median.wallMs <= 1000 : false,
    },
    ...(['accented', 'unaccented'] as const).map((v) => ({
      target: `lexical faster than MiniSearch (p50 and p95), ${v}`,
      measured: `p50 ${ms(ours.latency[v].p50)} vs ${ms(minisearch.latency[v].p50)} ms, p95 ${ms(ours.latency[v].p95)} vs ${ms(minisearch.latency[v].p95)} ms`,
      pass: ours.latency[v].p50 < minisearch.latency[v].p50 && ours.latency[v].p95 < minisearch.latency[v].p95,
    })),
    ...(['accented', 'unaccented'] as const).map((v) => ({
      target: `lexical Recall@5 above MiniSearch's, ${v}`,
      measured: `${r2(ours.recall5[v])} vs ${r2(minisearch.recall5[v])}`,
      pass: ours.recall5[v] > minisearch.recall5[v],
    })),
  ];
  out.push(
    '## Targets',
    '',
    table(
      ['target', 'measured', 'met'],
      targets.map((t) => [t.target, t.measured, ok(t.pass)]),
    ),
    '',
  );
  out.push(
    `Total run time: ${(input.totalMs / 1000).toFixed(0)} s on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}.`,
  );
  return { text: out.join('\n'), targets };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
