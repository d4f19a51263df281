// The isolation every file reader in a worker thread shares: the file's bytes handed over without a copy,
// a heap limit of its own, and its console output kept off ours.
import { Worker } from 'node:worker_threads';

/**
 * Starts the plain-JS reader at `url` on a private copy of `bytes` (transferred, so pdfjs and jszip may
 * detach it). `workerData` gets the copy as `data`.
 */
export function startReaderWorker(
  url: URL,
  bytes: Uint8Array,
  heapMb: number,
  workerData: Record<string, unknown> = {},
): Worker {
  const data = new Uint8Array(bytes);
  const worker = new Worker(url, {
    workerData: { ...workerData, data },
    transferList: [data.buffer],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    // The readers are plain JS: inheriting tsx's loader flags would make the worker transpile all of
    // pdfjs (about a second per file).
    execArgv: [],
    // Whatever a parser decides to print stays off our stdout/stderr.
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  return worker;
}
