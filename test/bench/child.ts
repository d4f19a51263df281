// Entry of the benchmark's child processes: `child.ts <section> <json args>` runs one section and sends
// its result to the parent over IPC. Each section gets a fresh process so that its peak memory is its own
// and its timings are not disturbed by what an earlier section left on the heap.
import { setLogLevel } from '../../src/log.js';

type Section = (args: never) => Promise<unknown>;

const SECTIONS: Record<string, () => Promise<Section>> = {
  alqac: async () => (await import('./alqac-section.js')).runAlqac as Section,
  graph: async () => (await import('./scale.js')).buildScaleGraph as Section,
  scale: async () => (await import('./scale.js')).runScale as Section,
  'bot-load': async () => (await import('./bot-load.js')).benchBotLoad as Section,
  records: async () => (await import('./records.js')).benchRecords as Section,
  'update-queue': async () => (await import('./update-queue.js')).benchUpdateQueue as Section,
  'first-burst': async () => (await import('./first-burst.js')).benchFirstBurst as Section,
  'multi-process': async () => (await import('../cluster/multi-process.js')).runMultiProcess as Section,
};

async function main() {
  const [name, json] = process.argv.slice(2);
  const load = SECTIONS[name ?? ''];
  if (!load || !process.send)
    throw new Error(`usage (from run.ts only): child.ts <${Object.keys(SECTIONS).join('|')}> <json args>`);
  setLogLevel('warn');
  const result = await (await load())(JSON.parse(json ?? '{}') as never);
  await new Promise<void>((resolve, reject) =>
    process.send!({ ok: true, result }, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (process.send) process.send({ ok: false, error: message }, () => process.exit(1));
    else {
      process.stderr.write(message + '\n');
      process.exit(1);
    }
  },
);
