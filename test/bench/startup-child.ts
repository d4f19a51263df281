// One start-up, in a fresh process: `node --import tsx startup-child.ts <json>`, spawned by startup.ts.
// Opens the Engine on an index already on disk and prints one JSON line the moment it is ready (the
// parent timestamps that line), then a second one after answering a first question.
const bootMs = performance.now(); // since process start: node + the tsx loader

interface Args {
  corpusDir: string;
  indexDir: string;
  mode: 'lexical' | 'hybrid';
  modelsDir: string;
  model: string;
  question: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const { setLogLevel } = await import('../../src/log.js');
setLogLevel('warn');
const { Engine } = await import('../../src/engine.js');
const importedMs = performance.now();
const engine = await Engine.open({
  corpusDir: args.corpusDir,
  indexDir: args.indexDir,
  searchMode: args.mode,
  embedder: args.mode === 'lexical' ? null : { model: args.model, modelsDir: args.modelsDir, allowDownloads: false, quantized: true, timeoutMs: 60_000 },
});
const readyMs = performance.now();
const status = engine.status();
process.stdout.write(
  JSON.stringify({ bootMs, importMs: importedMs - bootMs, openMs: readyMs - importedMs, readyMs, rssMB: process.memoryUsage.rss() / 2 ** 20, builtAt: status.builtAt, mode: status.mode }) + '\n',
);
const started = performance.now();
await engine.ask(args.question);
process.stdout.write(JSON.stringify({ firstAnswerMs: performance.now() - started, rssMB: process.memoryUsage.rss() / 2 ** 20 }) + '\n');
await engine.close();
