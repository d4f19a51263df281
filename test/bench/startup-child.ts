// One start-up, in a fresh process: `node --import tsx startup-child.ts <json>`, spawned by startup.ts.
// Opens the Engine on an index already on disk and prints one JSON line the moment it is ready (the
// parent timestamps that line), then a second one after answering a first question.
import type { ChildArgs as Args } from './startup.js'; // type only: erased, loads nothing

const bootMs = performance.now(); // since process start: node + the tsx loader

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const { setLogLevel } = await import('../../src/log.js');
setLogLevel('warn');
const { Engine } = await import('../../src/engine.js');
const importedMs = performance.now();
const engine = await Engine.open({
  corpusDir: args.corpusDir,
  indexDir: args.indexDir,
  searchMode: args.mode,
  embedder:
    args.mode === 'lexical'
      ? null
      : { model: args.model, modelsDir: args.modelsDir, allowDownloads: false, quantized: true, timeoutMs: 60_000 },
});
const readyMs = performance.now();
const status = engine.status();
process.stdout.write(
  JSON.stringify({
    bootMs,
    importMs: importedMs - bootMs,
    openMs: readyMs - importedMs,
    readyMs,
    rssMB: process.memoryUsage.rss() / 2 ** 20,
    builtAt: status.builtAt,
    mode: status.mode,
  }) + '\n',
);
const started = performance.now();
await engine.ask(args.question);
const firstAnswerMs = performance.now() - started;
// Heavy modules the engine may or may not have loaded on the way: importing one now is instant if it was
// (start-up paid for it), and otherwise shows what deferring it saved.
const lateImportMs: Record<string, number> = {};
for (const name of ['@xenova/transformers', 'mammoth']) {
  const before = performance.now();
  await import(name);
  lateImportMs[name] = performance.now() - before;
}
process.stdout.write(JSON.stringify({ firstAnswerMs, lateImportMs }) + '\n');
await engine.close();
