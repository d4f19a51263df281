// A process-wide console.warn redirect, held only while a model loads (see embedder.ts).
import { log } from '../log.js';
import { describeError } from '../errors.js';

let captureDepth = 0;
let originalWarn: typeof console.warn | undefined;
let lastWarnedError: string | undefined;

/**
 * transformers.js prints warnings with console.warn, which would break our one-JSON-object-per-line
 * stderr. Route them to the log while loading, and keep the last error: when onnxruntime-node rejects a
 * model, transformers.js warns the real reason and then throws a vague "Can't create a session" from
 * its wasm fallback.
 * Returns the last error warned and restore(), which ends this capture (captures nest).
 */
export function captureWarnings() {
  if (captureDepth++ === 0) {
    originalWarn = console.warn;
    lastWarnedError = undefined;
    console.warn = (...args: unknown[]) => {
      const error = args.find((a): a is Error => a instanceof Error);
      if (error) lastWarnedError = error.message;
      log.warn(
        'transformers.js: ' +
          args
            .map((a) => describeError(a))
            .join(' ')
            .trim(),
      );
    };
  }
  let restored = false;
  return {
    lastError: () => lastWarnedError,
    restore() {
      if (restored) return;
      restored = true;
      if (--captureDepth === 0 && originalWarn) {
        console.warn = originalWarn;
        originalWarn = undefined;
      }
    },
  };
}
