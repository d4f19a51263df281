// Diagnosis of the opening-burst stall with the emulator in the bot's own process: when each of the bot's
// new connections is accepted (relative to the burst), the event loop's longest block, and reply times.
// Run: npx tsx test/bench/burst-connections.ts [cold]   (from the repository root)
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setLogLevel } from '../../src/log.js';
import { startBot } from '../../src/bot/start.js';
import { BotApiEmulator } from '../emulator/bot-api-emulator.js';
import { testSettings } from '../bot/helpers.js';
const dir = await mkdtemp(path.join(os.tmpdir(), 'diag-'));
await cp('corpus', path.join(dir, 'corpus'), { recursive: true });
setLogLevel('warn');
const emu = await BotApiEmulator.start();
const conns: number[] = [];
let t0 = 0;
(emu as unknown as { server: import('node:http').Server }).server.on('connection', () => conns.push(Date.now() - t0));
const handle = await startBot(testSettings(dir, emu, { RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'warn' }), {
  pollingTimeoutSeconds: 10,
  warmUp: process.argv[2] !== 'cold',
});
const qs = (await readFile('test/eval/seed-questions.jsonl', 'utf8'))
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l).question);
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
const before = conns.length;
t0 = Date.now();
const users = Array.from({ length: 200 }, (_, u) => ({ id: 900000 + u, first_name: 'u' }));
users.forEach((u, i) => {
  emu.sendText(u, qs[i % qs.length]);
});
await emu.waitFor(() => users.every((u) => emu.messagesTo(u.id).length >= 1), 60000);
h.disable();
const sends = emu
  .callsOf('sendMessage')
  .map((c) => c.at - t0)
  .sort((a, b) => a - b);
const c = conns.slice(before);
console.log(
  JSON.stringify({
    newConnections: c.length,
    acceptMs: { first: c[0], p50: c[Math.floor(c.length / 2)], last: c.at(-1) },
    loopDelayMaxMs: Math.round(h.max / 1e6),
    loopDelayP99Ms: Math.round(h.percentile(99) / 1e6),
    replyP50: sends[100],
    replyP99: sends[197],
    total: Date.now() - t0,
  }),
);
await handle.stop();
await emu.stop();
