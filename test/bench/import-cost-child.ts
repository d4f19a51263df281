// Spawned by startup.ts: how long the heavy modules that the engine imports eagerly take to load in a
// fresh process, although a lexical-only engine serving a saved index never uses them (the embedding
// runtime, and the .docx reader that only a rebuild needs). Prints one JSON line of milliseconds.
const cost: Record<string, number> = {};
for (const name of ['@xenova/transformers', 'mammoth', 'jszip']) {
  const started = performance.now();
  await import(name);
  cost[name] = performance.now() - started;
}
process.stdout.write(JSON.stringify(cost) + '\n');
