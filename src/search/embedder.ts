// Loads a sentence-embedding model with transformers.js and wraps it as an Embedder.
//
// Models live in one folder (MODELS_DIR) laid out as <MODELS_DIR>/<model id>/config.json,
// tokenizer.json, tokenizer_config.json, onnx/model[_quantized].onnx. transformers.js reads local
// models from `${env.localModelPath}/${id}/${file}` and saves downloads to
// path.join(env.cacheDir, `${id}/${file}`); pointing both at MODELS_DIR means a model downloaded once
// is found on the next start-up even with downloads disabled, and an admin can copy a model in by hand.
import path from 'node:path';
import { env, pipeline } from '@xenova/transformers';
import { log } from '../log.js';
import type { Embedder } from './types.js';
import { downloadReporter } from './model-download-progress.js';
import { failureMessage, timeoutMessage } from './model-load-messages.js';
import { captureWarnings } from './warning-capture.js';

/** Which model to load, from where, and how long a load may stall (the EMBEDDING_* and MODEL_* settings). */
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

/**
 * Loads the model (from the models folder, or downloading it when allowed) and wraps it as an Embedder;
 * throws an Error telling the operator what to fix when it cannot.
 */
export async function loadEmbedder(options: LoadEmbedderOptions): Promise<Embedder> {
  const { model, modelsDir, quantized } = options;
  pointTransformersAt(modelsDir, options.allowDownloads);
  const extractor = await loadExtractor(options);
  const prefixes = /e5/i.test(model) ? { query: 'query: ', passage: 'passage: ' } : { query: '', passage: '' };
  const embed = (texts: string[]) => embedTexts(extractor, texts);

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

/** Points transformers.js at the models folder, both to read models from and to save downloads to. */
function pointTransformersAt(modelsDir: string, allowDownloads: boolean): void {
  env.allowLocalModels = true;
  env.localModelPath = modelsDir;
  env.allowRemoteModels = allowDownloads;
  env.useFSCache = true;
  env.cacheDir = modelsDir;
}

/**
 * Loads the feature-extraction pipeline, reporting downloads and capturing transformers.js warnings
 * meanwhile; a load that stalls or fails is turned into an Error telling the operator what to do.
 */
async function loadExtractor(options: LoadEmbedderOptions): Promise<Extractor> {
  const { model, modelsDir, quantized, timeoutMs } = options;
  const report = options.onProgress ?? ((message: string) => log.info(message));
  const modelDir = path.join(modelsDir, ...model.split('/'));
  const progress = downloadReporter(modelsDir, report);
  const warnings = captureWarnings();
  const stall = stallTimeout(timeoutMs);
  const loading = pipeline('feature-extraction', model, {
    quantized,
    progress_callback: (event: unknown) => {
      stall.arm();
      progress.callback(event as Parameters<typeof progress.callback>[0]);
    },
  });
  // Stop capturing when the load really ends, which after a timeout is later than our rejection.
  loading.then(
    () => warnings.restore(),
    () => warnings.restore(),
  );
  try {
    return await Promise.race([loading, stall.timeout]);
  } catch (err) {
    if (err instanceof LoadTimeout) {
      // The load cannot be cancelled and runs on; free the sessions it may still produce.
      loading.then((late) => late.dispose()).catch(() => undefined);
      throw new Error(timeoutMessage(options, modelDir, progress.downloading()));
    }
    throw new Error(failureMessage(err, warnings.lastError(), options, modelDir), { cause: err });
  } finally {
    stall.clear();
  }
}

/**
 * A stall timeout, not a total one: a first download of ~120 MB may take minutes on a slow line, but an
 * unreachable hub or a hung read shows no progress at all and must not hold start-up for long. `timeout`
 * rejects with LoadTimeout once `timeoutMs` pass without arm(); it is armed from the start.
 */
function stallTimeout(timeoutMs: number): { timeout: Promise<never>; arm(): void; clear(): void } {
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
  return { timeout, arm, clear: () => clearTimeout(timer) };
}

/** Mean-pooled, normalised embeddings of `texts`, one plain array per text. */
async function embedTexts(extractor: Extractor, texts: string[]): Promise<number[][]> {
  // NFC because the normalizers of BERT-style tokenizers do not compose, and the corpus is NFC.
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
}

class LoadTimeout extends Error {}
