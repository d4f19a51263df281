// The isolation every file reader in a worker thread shares: the file's bytes handed over without a copy,
// a heap limit of its own, its console output kept off ours, a time budget, and one outcome per file.
import { Worker } from 'node:worker_threads';
import { UnreadableFileError } from './detect.js';

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

/** A reader worker and the words its errors use, so that each reader keeps its own wording. */
export interface ReaderWorkerSpec {
  url: URL;
  heapMb: number;
  workerData?: Record<string, unknown>;
  /** The reader in "<name> failed: …" and "<name> stopped unexpectedly …", e.g. "PDF parser". */
  name: string;
  /** The reader in "<timeoutName> timed out after 30 s", e.g. "parser". */
  timeoutName: string;
  /** What "<subject> needs more than 512 MB of memory to read" says, e.g. "PDF". */
  subject: string;
  /**
   * For a reader that posts `{ ready: true }` once it has loaded its libraries: only this generous limit
   * applies until then, and the time budget starts at that message.
   */
  startupTimeoutMs?: number;
}

/** "800 ms", "2.5 s": a time budget as the skip reasons say it. */
function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round((ms / 1000) * 10) / 10} s` : `${ms} ms`;
}

function isReadyMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'ready' in message;
}

/**
 * Runs the reader on `bytes` and resolves with its reply. Exactly one outcome: the reply, the time budget
 * running out, the heap limit, a crash or an exit; the worker is terminated in every case.
 */
export function runReaderWorker<Reply>(spec: ReaderWorkerSpec, bytes: Uint8Array, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const worker = startReaderWorker(spec.url, bytes, spec.heapMb, spec.workerData);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timedOut = () =>
      finish(() => reject(new UnreadableFileError(`${spec.timeoutName} timed out after ${formatDuration(timeoutMs)}`)));
    const waitsForReady = spec.startupTimeoutMs !== undefined;
    let timer = waitsForReady
      ? setTimeout(() => finish(() => reject(new Error('reader worker did not start'))), spec.startupTimeoutMs)
      : setTimeout(timedOut, timeoutMs);
    worker.on('message', (reply: unknown) => {
      if (waitsForReady && isReadyMessage(reply)) {
        clearTimeout(timer);
        timer = setTimeout(timedOut, timeoutMs);
        return;
      }
      finish(() => resolve(reply as Reply));
    });
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadableFileError(`${spec.subject} needs more than ${spec.heapMb} MB of memory to read`)
            : new Error(`${spec.name} failed: ${error.message}`),
        ),
      ),
    );
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`${spec.name} stopped unexpectedly (exit code ${code})`))),
    );
  });
}
