// .pdf reports. pdfjs runs in a worker thread per file: a hostile or pathological PDF can keep the
// parser busy for minutes or grow its heap without bound, and only a separate thread can be stopped.
import { Worker } from 'node:worker_threads';
import { UnreadableFileError, type ParsedFile } from './detect.js';

const WORKER_URL = new URL('./pdf-worker.mjs', import.meta.url);
// Text extraction needs little memory; a PDF that needs more is not a report we can use.
const WORKER_HEAP_MB = 512;

type WorkerReply = { ok: true; pages: string[]; numPages: number } | { ok: false; code: string; message: string };

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round((ms / 1000) * 10) / 10} s` : `${ms} ms`;
}

function runWorker(bytes: Uint8Array, timeoutMs: number): Promise<WorkerReply> {
  // A private copy can be handed over without copying again, and pdfjs may detach what it gets.
  const data = new Uint8Array(bytes);
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: { data },
      transferList: [data.buffer],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      // The worker is plain JS: inheriting tsx's loader flags would make it transpile all of pdfjs
      // (about a second per file).
      execArgv: [],
      // Keep the worker's output off our stdout/stderr whatever pdfjs decides to print.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new UnreadableFileError(`parser timed out after ${formatDuration(timeoutMs)}`)));
    }, timeoutMs);
    worker.once('message', (reply: WorkerReply) => finish(() => resolve(reply)));
    worker.once('error', (error: Error & { code?: string }) => {
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new UnreadableFileError(`PDF needs more than ${WORKER_HEAP_MB} MB of memory to read`)
            : new Error(`PDF parser failed: ${error.message}`),
        ),
      );
    });
    worker.once('exit', (code) => {
      finish(() => reject(new Error(`PDF parser stopped unexpectedly (exit code ${code})`)));
    });
  });
}

export async function parsePdf(bytes: Uint8Array, timeoutMs: number): Promise<ParsedFile> {
  const reply = await runWorker(bytes, timeoutMs);
  if (!reply.ok) {
    if (reply.code === 'password') throw new UnreadableFileError('PDF is password-protected: save a copy without a password');
    throw new UnreadableFileError(`not a valid PDF (${reply.message || 'damaged file'})`);
  }
  if (reply.numPages === 0) throw new UnreadableFileError('not a valid PDF (no pages found)');
  const text = reply.pages.filter((page) => page.trim() !== '').join('\n\n');
  if (text.trim() === '') throw new UnreadableFileError('PDF has no extractable text (scanned image?)');
  return { text };
}
