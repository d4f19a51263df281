// What the operator reads when the embedding model does not load: the cause in one line and the fix
// (which setting to change, which files to put where).
import path from 'node:path';
import { describeError } from '../errors.js';
import type { LoadEmbedderOptions } from './embedder.js';

/** First line, without a trailing full stop, since it is quoted inside our own sentence. */
function shortReason(text: string): string {
  const firstLine = (text.split('\n').find((l) => l.trim() !== '') ?? text).trim().replace(/\.$/, '');
  return firstLine.length > 240 ? firstLine.slice(0, 237) + '...' : firstLine;
}

function modelFiles(quantized: boolean): string {
  return `config.json, tokenizer.json, tokenizer_config.json and onnx/model${quantized ? '_quantized' : ''}.onnx`;
}

/** The message for a model load that made no progress for the stall timeout: which setting to raise, or where to put the model. */
export function timeoutMessage(options: LoadEmbedderOptions, modelDir: string, downloading: boolean): string {
  const { timeoutMs } = options;
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`;
  const head = `Embedding model ${options.model} made no loading progress for ${limit} (MODEL_LOAD_TIMEOUT_MS=${timeoutMs})`;
  return downloading
    ? `${head} while downloading into ${modelDir}: raise MODEL_LOAD_TIMEOUT_MS so the first download can finish, or put a copy of the model in that folder.`
    : `${head}: raise MODEL_LOAD_TIMEOUT_MS if this machine or its disk is slow.`;
}

/**
 * The message for a model load that failed: the model missing with downloads off, a download that failed,
 * or damaged files (then `warnedError`, the reason transformers.js only warned, replaces its vague error).
 */
export function failureMessage(
  err: unknown,
  warnedError: string | undefined,
  options: LoadEmbedderOptions,
  modelDir: string,
): string {
  const { model, modelsDir, allowDownloads, quantized } = options;
  let reason = describeError(err);

  const missingLocally = /not found locally at "([^"]+)"/.exec(reason);
  if (missingLocally) {
    const missing = path.relative(modelsDir, missingLocally[1]!);
    return (
      `Embedding model ${model} could not be loaded from ${modelsDir} and downloads are disabled (${missing} is missing): ` +
      `put a copy of the model in ${modelDir} (${modelFiles(quantized)}) or set ALLOW_MODEL_DOWNLOADS=true.`
    );
  }

  const httpFailure =
    /(Could not locate file|Unauthorized access|Forbidden access|error occurred while trying to load file|Error \(\d+\) occurred)/.test(
      reason,
    );
  // undici reports network trouble as TypeError("fetch failed") with the system error as cause, and a
  // connection dropped mid-download as TypeError("terminated").
  const networkFailure =
    err instanceof TypeError &&
    /fetch failed|terminated|socket|network|ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/i.test(
      `${reason} ${err.cause instanceof Error ? err.cause.message : ''}`,
    );
  if (allowDownloads && (httpFailure || networkFailure)) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
    const hint = /Could not locate file/.test(reason)
      ? ` Check that EMBEDDING_MODEL names a transformers.js (ONNX) model${quantized ? ' and, if it has no onnx/model_quantized.onnx, set EMBEDDING_QUANTIZED=false' : ''}.`
      : ' Check the internet connection.';
    return (
      `Embedding model ${model} is not in ${modelsDir} and could not be downloaded: ${shortReason(reason)}${cause}.${hint} ` +
      `Or put a copy of the model in ${modelDir} (${modelFiles(quantized)}).`
    );
  }

  if (/Can't create a session/.test(reason) && warnedError) reason = warnedError;
  const fix = allowDownloads
    ? 'replace them with a good copy, or delete that folder so the model is downloaded again.'
    : 'replace them with a good copy, or delete that folder and set ALLOW_MODEL_DOWNLOADS=true to download the model again.';
  return `Embedding model ${model} could not be loaded from ${modelDir} (${shortReason(reason)}): its files look damaged or incomplete; ${fix}`;
}
