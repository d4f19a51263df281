// Runs a .doc or .xlsx reader in a worker thread started by office.ts, so that a file that makes a
// reader loop or eat memory can be stopped without taking the bot down. The readers are TypeScript:
// tsx's API loads them here the same way under tsx, vitest and node.
import { parentPort, workerData } from 'node:worker_threads';

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[method] = () => {};

const { tsImport } = await import('tsx/esm/api');
try {
  const readers = await tsImport('./office-readers.ts', import.meta.url);
  // Loading the readers is not the file's doing: the parse budget starts now.
  parentPort.postMessage({ ready: true });
  const parsed = await readers.readOffice(workerData.kind, Buffer.from(workerData.data));
  parentPort.postMessage({ ok: true, parsed });
} catch (error) {
  const unreadable = error?.name === 'UnreadableFileError';
  parentPort.postMessage({ ok: false, unreadable, message: String(error?.message ?? error) });
}
