// The engine: the one door through which the bot and the CLI reach the reports. It opens (or builds)
// the index bundle, answers questions from an immutable snapshot of it, and rebuilds a new snapshot
// beside the serving one on reload, swapping only when the new one is complete and saved.
import { DEFAULT_ANSWER_PASSAGES, type Settings } from './config.js';
import type { Passage, SkippedFile } from './corpus/types.js';
import type { Answer, RankedPassage } from './answer/types.js';
import {
  MAX_K,
  MAX_QUESTION_CHARS,
  type AnswerEngine,
  type AskOptions,
  type EngineStatus,
  type IndexSummary,
  type ProgressEvent,
  type SynonymUpdate,
} from './engine-api.js';
import type { Embedder, SearchMode } from './search/types.js';
import { chunkDocument, CHUNKER_VERSION } from './corpus/chunker.js';
import type { OcrOptions } from './corpus/loaders/ocr.js';
import { hashCorpusFiles, sameHashes } from './corpus/corpus-files.js';
import { answerQuestion, rankedPassages } from './answer/answer-question.js';
import { AnswerMemo } from './answer/answer-memo.js';
import { readCalibrations, type Calibrations } from './answer/similarity-gate.js';
import { DEFAULT_HNSW, VectorIndex } from './search/vector-index.js';
import { BundleError, readBundle, writeBundle, type BundleManifest, type LoadedBundle } from './search/bundle-store.js';
import {
  analyseAgainst,
  buildSearchIndexes,
  DEFAULT_FUSION,
  type RankingOptions,
  type SearchIndexes,
} from './search/search-indexes.js';
import type { AnalysedQuestion } from './question/analyse.js';
import { loadSynonyms, type Thesaurus } from './question/synonyms.js';
import { checkSynonymLine, NO_SYNONYMS_FILE, synonymLineSuffix } from './question/synonym-line.js';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { normalizeLine, sliceWhole } from './text/normalize.js';
import { log } from './log.js';
import { describeError } from './errors.js';
import { withDefaults } from './defaults.js';

/** Which embedding model the engine loads and how (from the settings; see search/embedder.ts). */
export interface EmbedderSettings {
  model: string;
  modelsDir: string;
  allowDownloads: boolean;
  quantized: boolean;
  timeoutMs: number;
}

/** Where the corpus and index live and how questions are searched and answered. */
export interface EngineOptions {
  corpusDir: string;
  indexDir: string;
  searchMode: SearchMode;
  /** null: lexical search only, no model is loaded. */
  embedder: EmbedderSettings | null;
  /** Passages per answer when the caller does not say (default DEFAULT_ANSWER_PASSAGES). */
  defaultK?: number;
  /** Weight of the lexical side in hybrid fusion (default 0.5). */
  lexicalWeight?: number;
  /** Candidates each side brings to the fusion (default 50). */
  candidates?: number;
  /** The admins' synonyms file (absent: the built-in thesaurus only). */
  synonymsFile?: string | null;
  /**
   * Withhold answers below the model's calibrated similarity floor (default true). Calibration itself
   * turns it off, so that an earlier floor does not bias the new one.
   */
  similarityGate?: boolean;
  /** OCR of scanned PDFs: budgets, page cap, resolution (defaults in corpus/loaders/ocr.ts). */
  ocr?: Partial<OcrOptions>;
  /**
   * Serve the saved bundle even when the corpus folder's files differ from those it was built from
   * (model and chunker still count). Set when a central index (cluster/central-index.ts) decides when
   * to rebuild: a copy that has just received the central corpus must not build on its own.
   */
  trustSavedIndex?: boolean;
}

/** Search tuning when the options leave it out (see EngineOptions). */
const SEARCH_DEFAULTS = { defaultK: DEFAULT_ANSWER_PASSAGES, ...DEFAULT_FUSION };

/** The engine's options from the bot's settings (no model at all in lexical mode). */
export function engineOptionsFromSettings(settings: Settings): EngineOptions {
  return {
    corpusDir: settings.CORPUS_DIR,
    indexDir: settings.INDEX_DIR,
    searchMode: settings.SEARCH_MODE,
    defaultK: settings.ANSWER_PASSAGES,
    synonymsFile: settings.SYNONYMS_FILE,
    embedder:
      settings.SEARCH_MODE === 'lexical'
        ? null
        : {
            model: settings.EMBEDDING_MODEL,
            modelsDir: settings.MODELS_DIR,
            allowDownloads: settings.ALLOW_MODEL_DOWNLOADS,
            quantized: settings.EMBEDDING_QUANTIZED,
            timeoutMs: settings.MODEL_LOAD_TIMEOUT_MS,
          },
  };
}

/** Everything one version of the index serves from. Never mutated: a reload builds a new one. */
interface Snapshot extends SearchIndexes {
  manifest: BundleManifest;
  skipped: SkippedFile[];
}

/** The text a passage is embedded as: its heading and document title carry meaning too. */
function embeddingText(p: Passage): string {
  return [p.docTitle, p.section, p.text].filter(Boolean).join('\n');
}

/** The AnswerEngine the bot and the CLI use: see the file header. Created with Engine.open. */
export class Engine implements AnswerEngine {
  private snapshot!: Snapshot;
  private embedder: Embedder | null = null;
  private degradedReason: string | null = null;
  /** Measured similarity floors by model id (see answer/similarity-gate.ts). */
  private calibrations: Calibrations = {};
  private reloadInFlight: Promise<IndexSummary> | null = null;
  private thesaurus!: Thesaurus;
  private readonly memo = new AnswerMemo();
  /** Counted so that an answer made without its query embedding is never memoised as the real one. */
  private queryEmbeddingFailures = 0;

  private readonly tuning: typeof SEARCH_DEFAULTS;

  private constructor(private readonly options: EngineOptions) {
    this.tuning = withDefaults(SEARCH_DEFAULTS, options);
  }

  /** Loads the model (or falls back to lexical search), then the saved index, rebuilding it if stale. */
  static async open(options: EngineOptions, onProgress?: (event: ProgressEvent) => void): Promise<Engine> {
    const engine = new Engine(options);
    await engine.reloadQuestionSettings();
    // The model and the saved index load side by side: onnxruntime builds its session off the main thread.
    const modelLoaded = engine.loadModel(onProgress);
    let bundle: LoadedBundle | null = null;
    try {
      bundle = await readBundle(options.indexDir);
    } catch (error) {
      if (!(error instanceof BundleError)) {
        await modelLoaded;
        throw error;
      }
      if (error.reason === 'missing') log.info('no saved index yet; building one', { indexDir: options.indexDir });
      else log.warn('saved index unusable; rebuilding it from the corpus', { reason: error.message });
    }
    await modelLoaded;
    const stale = bundle ? await engine.staleness(bundle.manifest) : 'no index';
    if (bundle && !stale) {
      engine.snapshot = engine.snapshotOf(bundle);
      log.info('index loaded', { passages: bundle.passages.length, builtAt: bundle.manifest.builtAt });
    } else {
      if (bundle) log.info('saved index is out of date; rebuilding', { reason: stale });
      engine.snapshot = (await engine.build(bundle ? engine.snapshotOf(bundle) : null, onProgress)).snapshot;
    }
    return engine;
  }

  private async loadModel(onProgress?: (event: ProgressEvent) => void): Promise<void> {
    const { searchMode, embedder } = this.options;
    if (searchMode === 'lexical') return;
    if (!embedder) {
      this.degradedReason = 'no embedding model configured';
      return;
    }
    try {
      // Imported on demand: transformers.js and onnxruntime take ~0.5 s to load, which a lexical-only
      // engine should not pay at start-up.
      const { loadEmbedder } = await import('./search/embedder.js');
      this.embedder = await loadEmbedder({
        ...embedder,
        onProgress: (message) => onProgress?.({ stage: 'model', message }),
      });
      this.degradedReason = null;
      log.info('embedding model loaded', { model: this.embedder.modelId, dimension: this.embedder.dimension });
    } catch (error) {
      this.degradedReason = describeError(error);
      log.warn('embedding model unavailable; answering from the lexical index only', { reason: this.degradedReason });
    }
  }

  /** (Re)reads the synonyms file; a bad line is logged with its number and skipped, never fatal. */
  private async loadSynonyms(): Promise<void> {
    const file = this.options.synonymsFile ?? null;
    const loaded = await loadSynonyms(file);
    this.thesaurus = loaded.thesaurus;
    if (loaded.fileError) log.warn('synonyms file not read', { file, reason: loaded.fileError });
    for (const issue of loaded.issues.slice(0, 20))
      log.warn('synonyms file: line skipped', { file, line: issue.line, reason: issue.message });
    if (loaded.issues.length > 20)
      log.warn('synonyms file: more lines skipped', { file, count: loaded.issues.length - 20 });
    if (loaded.fileGroups > 0) log.info('synonyms loaded', { file, groups: loaded.fileGroups });
  }

  async addSynonyms(line: string): Promise<SynonymUpdate> {
    const file = this.options.synonymsFile;
    if (!file) return NO_SYNONYMS_FILE;
    const { text, update } = checkSynonymLine(line);
    if (!update.added) return update;
    await mkdir(nodePath.dirname(file), { recursive: true });
    const existing = await readFile(file, 'utf8').catch(() => '');
    await appendFile(file, synonymLineSuffix(existing, text), 'utf8');
    await this.loadSynonyms();
    log.info('synonym group added', { file, group: text });
    return update;
  }

  /**
   * Re-reads what answers depend on besides the index: the synonyms file and the similarity calibrations.
   * A reload does it; so does a copy of the central index when another copy changed them (no rebuild:
   * both apply at question time).
   */
  async reloadQuestionSettings(): Promise<void> {
    await this.loadSynonyms();
    this.calibrations = await readCalibrations(this.options.indexDir);
  }

  /** Why a saved bundle cannot serve as is, or null when it can. */
  private async staleness(manifest: BundleManifest): Promise<string | null> {
    if (manifest.chunkerVersion !== CHUNKER_VERSION)
      return `chunker version ${manifest.chunkerVersion} ≠ ${CHUNKER_VERSION}`;
    if (this.embedder && manifest.modelId !== this.embedder.modelId) {
      return `built with model ${manifest.modelId ?? 'none'}, serving ${this.embedder.modelId}`;
    }
    if (this.options.trustSavedIndex) return null;
    let hashes: Record<string, string>;
    try {
      hashes = await hashCorpusFiles(this.options.corpusDir);
    } catch (error) {
      // No corpus to compare with: the saved index is the best there is.
      log.warn('corpus folder unreadable; serving the saved index', { reason: describeError(error) });
      return null;
    }
    return sameHashes(hashes, manifest.corpusHashes) ? null : 'corpus files changed';
  }

  private snapshotOf(bundle: LoadedBundle): Snapshot {
    return {
      ...buildSearchIndexes(bundle.passages, bundle.vectors, bundle.vectorIndex),
      manifest: bundle.manifest,
      skipped: (bundle.manifest.extra?.skipped as SkippedFile[] | undefined) ?? [],
    };
  }

  /** Reads the corpus and builds a complete, saved snapshot; the serving one is untouched. */
  private async build(
    previous: Snapshot | null,
    onProgress?: (event: ProgressEvent) => void,
  ): Promise<{ snapshot: Snapshot; summary: IndexSummary }> {
    const started = performance.now();
    const { corpusDir, indexDir } = this.options;
    const listed = await hashCorpusFiles(corpusDir);
    // The parsers (mammoth, pdf.js) load on the first build, not at every start-up.
    const { loadCorpus } = await import('./corpus/load-corpus.js');
    const corpus = await loadCorpus(corpusDir, {
      ocr: this.options.ocr,
      onProgress: (done, total) => onProgress?.({ stage: 'load', done, total }),
    });
    // The manifest must fingerprint the bytes that were indexed: a file replaced between the listing and
    // the read would otherwise be recorded with the old hash, and a later start-up with the old file back
    // would serve the new file's passages as if current. Skipped files keep their listing hash (or
    // 'unreadable'), which at worst causes one extra rebuild.
    const corpusHashes: Record<string, string> = {};
    for (const s of corpus.skipped) corpusHashes[s.source] = listed[s.source] ?? 'unreadable';
    for (const d of corpus.documents)
      corpusHashes[d.source] = corpus.fileHashes[d.source] ?? listed[d.source] ?? 'unreadable';
    if (corpus.documents.length === 0) log.warn('the corpus has no readable report', { corpusDir });
    const passages = corpus.documents.flatMap((document) => chunkDocument(document));

    let vectors: number[][] | null = null;
    let reusedEmbeddings = 0;
    if (this.embedder) {
      const embedder = this.embedder;
      // Unchanged passages keep their vectors: only new or edited text is embedded again.
      const known = new Map<string, number[]>();
      if (previous?.vectors && previous.manifest.modelId === embedder.modelId) {
        previous.passages.forEach((p, i) => {
          known.set(embeddingText(p), previous.vectors![i]!);
        });
      }
      const texts = passages.map(embeddingText);
      const missing = [...new Set(texts.filter((t) => !known.has(t)))];
      const fresh = await embedder.embedPassages(missing, (done, total) =>
        onProgress?.({ stage: 'embed', done, total }),
      );
      missing.forEach((text, i) => {
        known.set(text, fresh[i]!);
      });
      vectors = texts.map((t) => known.get(t)!);
      reusedEmbeddings = passages.length - missing.length;
    }
    const vectorIndex =
      vectors && this.embedder ? VectorIndex.build(vectors, this.embedder.dimension, DEFAULT_HNSW) : null;

    onProgress?.({ stage: 'save' });
    const bundle = await writeBundle(indexDir, {
      passages,
      vectors,
      vectorIndex,
      manifest: {
        modelId: this.embedder?.modelId ?? null,
        dimension: this.embedder?.dimension ?? null,
        corpusHashes,
        hnsw: vectorIndex ? DEFAULT_HNSW : null,
        chunkerVersion: CHUNKER_VERSION,
        extra: { skipped: corpus.skipped },
      },
    });
    const snapshot = this.snapshotOf(bundle);
    const summary: IndexSummary = {
      documents: corpus.documents.length,
      passages: passages.length,
      skipped: corpus.skipped,
      reusedEmbeddings,
      seconds: (performance.now() - started) / 1000,
    };
    log.info('index built', { ...summary, skipped: summary.skipped.length });
    return { snapshot, summary };
  }

  /** The mode actually serving: vector search needs a loaded model. */
  get mode(): SearchMode {
    return this.embedder ? this.options.searchMode : 'lexical';
  }

  /** Embeds a question for vector search (exposed so benchmarks can time it apart from search). */
  async embedQuery(question: string): Promise<number[] | null> {
    if (!this.embedder || this.mode === 'lexical') return null;
    return this.embedder.embedQuery(question);
  }

  /** Analyses a question once, against the serving snapshot (its vocabulary, years and places). */
  analyse(question: string): AnalysedQuestion {
    return analyseAgainst(this.snapshot, question, this.thesaurus, MAX_QUESTION_CHARS);
  }

  /**
   * Ranks passages for a question (text, or already analysed); synchronous, on the current snapshot.
   * The year and district priors re-order a pool of the best candidates.
   */
  search(
    question: string | AnalysedQuestion,
    k: number,
    queryVector: number[] | null,
    mode: SearchMode = this.mode,
  ): RankedPassage[] {
    const snap = this.snapshot;
    const analysed = typeof question === 'string' ? this.analyse(question) : question;
    return rankedPassages(snap, analysed, k, queryVector, { ...this.ranking(), mode });
  }

  /** The fusion settings of hybrid search, with the mode serving. */
  private ranking(): RankingOptions {
    return { mode: this.mode, candidates: this.tuning.candidates, lexicalWeight: this.tuning.lexicalWeight };
  }

  async ask(question: string, options: AskOptions = {}): Promise<Answer> {
    const k = Math.min(Math.max(Math.trunc(options.k ?? this.tuning.defaultK), 1), MAX_K);
    // Everything an answer is computed from; a reload or a new synonym gives a new object here.
    const state = [this.snapshot, this.thesaurus, this.calibrations, this.embedder, this.queryEmbeddingFailures];
    return this.memo.answer(question, k, state, () => this.answer(question, k));
  }

  private async answer(question: string, k: number): Promise<Answer> {
    const text = sliceWhole(normalizeLine(question), MAX_QUESTION_CHARS);
    if (!/[\p{L}\p{N}]/u.test(text)) {
      return { question, answered: false, excerpt: '', citation: null, passages: [], reason: 'empty' };
    }
    let queryVector: number[] | null = null;
    try {
      queryVector = await this.embedQuery(text);
    } catch (error) {
      this.queryEmbeddingFailures++;
      log.warn('query embedding failed; answering lexically', { reason: describeError(error) });
    }
    return answerQuestion(this.snapshot, question, queryVector, {
      ...this.ranking(),
      k,
      thesaurus: this.thesaurus,
      maxQuestionChars: MAX_QUESTION_CHARS,
      similarityFloor: this.similarityFloor(),
    });
  }

  /** The loaded model's calibrated similarity floor, unless the gate is off (see answer/similarity-gate.ts). */
  private similarityFloor(): number | undefined {
    if (!this.embedder || this.options.similarityGate === false) return undefined;
    return this.calibrations[this.embedder.modelId]?.floor;
  }

  /**
   * `beforeSwap` runs once the new bundle is saved and before it serves (the central index publishes it
   * there); if it throws, the old snapshot keeps serving and the reload fails with its error.
   */
  reload(
    onProgress?: (event: ProgressEvent) => void,
    beforeSwap?: (summary: IndexSummary) => Promise<void>,
  ): Promise<IndexSummary> {
    if (this.reloadInFlight) return this.reloadInFlight;
    const run = async () => {
      await this.reloadQuestionSettings();
      if (!this.embedder && this.options.searchMode !== 'lexical') await this.loadModel(onProgress);
      const { snapshot, summary } = await this.build(this.snapshot, onProgress);
      await beforeSwap?.(summary);
      this.snapshot = snapshot; // the swap: one assignment, so a question sees the old or the new index
      return summary;
    };
    this.reloadInFlight = run().finally(() => {
      this.reloadInFlight = null;
    });
    return this.reloadInFlight;
  }

  /**
   * Serves the bundle now current in the index folder (installed there by another process's build), with
   * the same one-assignment swap as reload: questions in flight finish on the old snapshot.
   */
  async adoptSavedBundle(): Promise<IndexSummary> {
    const started = performance.now();
    await this.reloadInFlight?.catch(() => undefined);
    await this.reloadQuestionSettings();
    const snapshot = this.snapshotOf(await readBundle(this.options.indexDir));
    this.snapshot = snapshot;
    log.info('index loaded', { passages: snapshot.passages.length, builtAt: snapshot.manifest.builtAt });
    return {
      documents: this.documentsOf(snapshot).length,
      passages: snapshot.passages.length,
      skipped: snapshot.skipped,
      reusedEmbeddings: snapshot.passages.length,
      seconds: (performance.now() - started) / 1000,
    };
  }

  status(): EngineStatus {
    const snap = this.snapshot;
    return {
      ready: true,
      mode: this.mode,
      degradedReason: this.degradedReason,
      degraded:
        this.degradedReason === null ? null : this.options.embedder ? 'model-unavailable' : 'no-model-configured',
      modelId: this.embedder?.modelId ?? null,
      // The bot renders every reply with the document list: computed once per snapshot, not per reply
      // (walking every passage cost ~0.5 ms a reply on ALQAC's 2,733 passages).
      documents: this.documentsOf(snap).map((d) => ({ ...d })),
      passages: snap.passages.length,
      builtAt: snap.manifest.builtAt,
      reloading: this.reloadInFlight !== null,
      skipped: snap.skipped,
    };
  }

  private readonly documentLists = new WeakMap<Snapshot, EngineStatus['documents']>();

  private documentsOf(snap: Snapshot): EngineStatus['documents'] {
    let list = this.documentLists.get(snap);
    if (!list) {
      const documents = new Map<string, EngineStatus['documents'][number]>();
      for (const p of snap.passages) {
        const doc = documents.get(p.source) ?? { title: p.docTitle, source: p.source, date: p.date, passages: 0 };
        doc.passages++;
        documents.set(p.source, doc);
      }
      list = [...documents.values()];
      this.documentLists.set(snap, list);
    }
    return list;
  }

  /** Files the last build could not read, with reasons (for admins). */
  skippedFiles(): SkippedFile[] {
    return this.snapshot.skipped;
  }

  /** Waits for a reload in flight; nothing else holds resources. */
  async close(): Promise<void> {
    await this.reloadInFlight?.catch(() => undefined);
  }
}
