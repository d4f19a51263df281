// Loads a sentence-embedding model with transformers.js and wraps it as an Embedder.
//
// Models live in one folder (MODELS_DIR) laid out as <MODELS_DIR>/<model id>/config.json,
// tokenizer.json, tokenizer_config.json, onnx/model[_quantized].onnx. transformers.js reads local
// models from `${env.localModelPath}/${id}/${file}` and saves downloads to
// path.join(env.cacheDir, `${id}/${file}`); pointing both at MODELS_DIR means a model downloaded once
// is found on the next start-up even with downloads disabled, and an admin can copy a model in by hand.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import { log } from '../log.js';
import type { Embedder } from './types.js';
import { describeError } from '../errors.js';

export interface LoadEmbedderOptions {
  /** Hugging Face model id, also the sub-folder of modelsDir, e.g. "Xenova/multilingual-e5-small". */
  model: string;
  modelsDir: string;
  allowDownloads: boolean;
  /** Use onnx/model_quantized.onnx (int8) instead of onnx/model.onnx. */
  quantized: boolean;
  timeoutMs: number;
  /** Human-readable loading news, mostly download progress. Defaults to the log. */
  onProgress?: (message: string) => void;
}

const BATCH_SIZE = 32;

type Extractor = Awaited<ReturnType<typeof pipeline<'feature-extraction'>>>;

/** The fields of transformers.js progress events that we use. */
interface ProgressEvent {
  status?: string;
  name?: string;
  file?: string;
  progress?: number;
}

export async function loadEmbedder(options: LoadEmbedderOptions): Promise<Embedder> {
  const { model, modelsDir, allowDownloads, quantized, timeoutMs } = options;
  const report = options.onProgress ?? ((message: string) => log.info(message));
  const modelDir = path.join(modelsDir, ...model.split('/'));

  env.allowLocalModels = true;
  env.localModelPath = modelsDir;
  env.allowRemoteModels = allowDownloads;
  env.useFSCache = true;
  env.cacheDir = modelsDir;

  const progress = downloadReporter(modelsDir, report);
  const warnings = captureWarnings();

  // A stall timeout, not a total one: a first download of ~120 MB may take minutes on a slow line, but
  // an unreachable hub or a hung read shows no progress at all and must not hold start-up for long.
  let timer: NodeJS.Timeout | undefined;
  let stalled!: (reason: LoadTimeout) => void;
  const timeout = new Promise<never>((_, reject) => {
    stalled = reject;
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stalled(new LoadTimeout()), timeoutMs);
  };
  arm();
  const loading = pipeline('feature-extraction', model, {
    quantized,
    progress_callback: (event: unknown) => {
      arm();
      progress.callback(event as Parameters<typeof progress.callback>[0]);
    },
  });
  // Stop capturing when the load really ends, which after a timeout is later than our rejection.
  loading.then(
    () => warnings.restore(),
    () => warnings.restore(),
  );

  let extractor: Extractor;
  try {
    extractor = await Promise.race([loading, timeout]);
  } catch (err) {
    if (err instanceof LoadTimeout) {
      // The load cannot be cancelled and runs on; free the sessions it may still produce.
      loading.then((late) => late.dispose()).catch(() => undefined);
      throw new Error(timeoutMessage(options, modelDir, progress.downloading()));
    }
    throw new Error(failureMessage(err, warnings.lastError(), options, modelDir), { cause: err });
  } finally {
    clearTimeout(timer);
  }

  const prefixes = /e5/i.test(model) ? { query: 'query: ', passage: 'passage: ' } : { query: '', passage: '' };

  // NFC because the normalizers of BERT-style tokenizers do not compose, and the corpus is NFC.
  const embed = async (texts: string[]): Promise<number[][]> => {
    const output = await extractor(
      texts.map((t) => t.normalize('NFC')),
      { pooling: 'mean', normalize: true },
    );
    const [rows, width] = output.dims as [number, number];
    const data = output.data as Float32Array;
    // Plain arrays: hnswlib-node rejects typed arrays.
    const vectors: number[][] = [];
    for (let r = 0; r < rows; r++) vectors.push(Array.from(data.subarray(r * width, (r + 1) * width)));
    return vectors;
  };

  const configured = (extractor.model as { config?: { hidden_size?: unknown } }).config?.hidden_size;
  const dimension =
    typeof configured === 'number' && Number.isInteger(configured) && configured > 0
      ? configured
      : (await embed([prefixes.query]))[0]!.length;

  log.debug('Embedding model ready', { model, quantized, dimension, modelsDir });

  return {
    modelId: `${model}${quantized ? '@q8' : ''}`,
    dimension,
    async embedPassages(texts, onProgress) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += BATCH_SIZE) {
        const batch = texts.slice(start, start + BATCH_SIZE).map((t) => prefixes.passage + t);
        vectors.push(...(await embed(batch)));
        onProgress?.(vectors.length, texts.length);
      }
      return vectors;
    },
    async embedQuery(text) {
      return (await embed([prefixes.query + text]))[0]!;
    },
  };
}

class LoadTimeout extends Error {}

/**
 * Turns transformers.js progress events into "Downloading <model> <file> 45%" lines, at most one per
 * file per 10%. transformers.js reports reading a local file with the same events as a download, so
 * files already present in the models folder are recognised up front and kept quiet.
 */
function downloadReporter(modelsDir: string, report: (message: string) => void) {
  const lastStep = new Map<string, number>();
  const local = new Set<string>();
  const remote = new Set<string>();
  const callback = (event: ProgressEvent) => {
    try {
      if (!event.name || !event.file) return;
      const key = `${event.name}/${event.file}`;
      if (event.status === 'initiate') {
        if (existsSync(path.join(modelsDir, ...event.name.split('/'), ...event.file.split('/')))) local.add(key);
        else remote.add(key);
        return;
      }
      if (event.status !== 'progress' || local.has(key) || typeof event.progress !== 'number') return;
      const percent = Math.min(100, Math.floor(event.progress));
      const step = Math.floor(percent / 10);
      if (step <= (lastStep.get(key) ?? -1)) return;
      lastStep.set(key, step);
      report(`Downloading ${event.name} ${event.file} ${percent}%`);
    } catch (err) {
      // A progress message must never break the load.
      log.debug('Progress callback failed', { err });
    }
  };
  return { callback, downloading: () => remote.size > 0 };
}

/**
 * transformers.js prints warnings with console.warn, which would break our one-JSON-object-per-line
 * stderr. Route them to the log while loading, and keep the last error: when onnxruntime-node rejects a
 * model, transformers.js warns the real reason and then throws a vague "Can't create a session" from
 * its wasm fallback.
 */
let captureDepth = 0;
let originalWarn: typeof console.warn | undefined;
let lastWarnedError: string | undefined;

function captureWarnings() {
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

/** First line, without a trailing full stop, since it is quoted inside our own sentence. */
function shortReason(text: string): string {
  const firstLine = (text.split('\n').find((l) => l.trim() !== '') ?? text).trim().replace(/\.$/, '');
  return firstLine.length > 240 ? firstLine.slice(0, 237) + '...' : firstLine;
}

function modelFiles(quantized: boolean): string {
  return `config.json, tokenizer.json, tokenizer_config.json and onnx/model${quantized ? '_quantized' : ''}.onnx`;
}

function timeoutMessage(options: LoadEmbedderOptions, modelDir: string, downloading: boolean): string {
  const { timeoutMs } = options;
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`;
  const head = `Embedding model ${options.model} made no loading progress for ${limit} (MODEL_LOAD_TIMEOUT_MS=${timeoutMs})`;
  return downloading
    ? `${head} while downloading into ${modelDir}: raise MODEL_LOAD_TIMEOUT_MS so the first download can finish, or put a copy of the model in that folder.`
    : `${head}: raise MODEL_LOAD_TIMEOUT_MS if this machine or its disk is slow.`;
}

function failureMessage(
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
