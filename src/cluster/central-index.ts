// One corpus, one build: several copies of the bot sharing DATABASE_URL serve one index, built once.
//
// - The corpus lives in PostgreSQL (central-corpus.ts); each copy materialises it in its CORPUS_DIR.
// - A published index bundle is a row of index_bundles (its manifest, the corpus generation it was built
//   from) with its files cut into 1 MB rows of index_bundle_chunks (a city's bundle is ~100 MB; one bytea
//   that size strains the server and the client), inserted in one transaction: a copy sees a whole
//   bundle or none. The last two are kept, so a copy still downloading the previous one can finish.
// - The copy that receives an upload or /reload builds: it takes the build lock (an advisory lock, so one
//   build at a time across copies), stores its corpus changes centrally under the corpus lock, then
//   looks whether a bundle published since the request covers the corpus generation (another admin's
//   build that finished while this one waited: it is loaded, not built again). Otherwise it builds with the
//   engine's own reload, with the same progress, and publishes the bundle before serving it; a failed
//   build or publication publishes nothing and every copy keeps its index. Then NOTIFY.
// - Every copy LISTENs and, as a fallback for a lost notification or connection, polls every
//   INDEX_POLL_SECONDS; a newer bundle is downloaded into its INDEX_DIR as a normal bundle (checksums
//   verified) and swapped in like a reload: questions in flight finish on the old index.
// - At start-up a copy syncs the corpus (seeding an empty central corpus from its folder) and loads the
//   latest bundle when it covers the corpus; otherwise it builds under the build lock (or loads what the
//   copy that held it published meanwhile).
// - The synonyms file and the similarity calibrations are shared too (central-settings.ts): synced with
//   the corpus at start-up and /reload, followed through their own NOTIFY channel on the same LISTEN
//   connection and the same poll, and applied without a build.
import { hostname } from 'node:os';
import pg from 'pg';
import { CHUNKER_VERSION } from '../corpus/chunker.js';
import type { AnswerEngine, IndexSummary, ProgressEvent } from '../engine-api.js';
import { Engine, type EngineOptions } from '../engine.js';
import { describeError } from '../errors.js';
import { log } from '../log.js';
import { CHANNEL, downloadBundle, latestPublished, publishBundle, type Published } from './bundle-transfer.js';
import { BUILD_LOCK, CORPUS_LOCK, ensureCentralSchema, LOCK_NAMESPACE, syncCorpus } from './central-corpus.js';
import { CentralSettings, ensureSettingsSchema, SETTINGS_CHANNEL } from './central-settings.js';
import { logLostConnections } from '../store/pool-errors.js';

/** application_name of the LISTEN connection (visible in pg_stat_activity). */
export const LISTENER_NAME = 'district-bot-index-listener';

/** How a copy reaches the central index, its own engine settings, and how often it polls. */
export interface CentralIndexOptions {
  databaseUrl: string;
  engine: EngineOptions;
  /** How often to look for a newer bundle besides LISTEN (ms). */
  pollMs: number;
  /** Build and load progress at start-up (the log). */
  onProgress?: (event: ProgressEvent) => void;
  /** A bundle built elsewhere was loaded after start-up (for the reload metrics). */
  onLoaded?: (seconds: number) => void;
}

/** Counts for tests and logs: index builds this copy ran and published, bundles it loaded from others. */
export interface CentralCounts {
  builds: number;
  loads: number;
}

/**
 * One copy's side of the central index: opens its engine on the published bundle (or builds and publishes
 * one), builds once on an upload or /reload, and follows the other copies' builds.
 */
export class CentralIndex {
  readonly counts: CentralCounts = { builds: 0, loads: 0 };
  private engine!: Engine;
  /** Id of the published bundle serving here (0: none yet). */
  private servingId = 0;
  /** Reloads and loads of this copy run one at a time. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private listener: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private checking = false;
  private stopped = false;
  private readonly by = `${hostname()}:${process.pid}`;
  /** The shared synonyms and calibrations, written into this copy's files. */
  private readonly settings: CentralSettings;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: CentralIndexOptions,
  ) {
    const { synonymsFile = null, indexDir } = options.engine;
    // Before the engine exists (start-up) there is nothing to re-read: Engine.open reads the files.
    const reread = async () => this.engine?.reloadQuestionSettings();
    this.settings = new CentralSettings(pool, { synonymsFile, indexDir }, this.by, reread);
  }

  /** Creates the tables if needed, syncs the corpus and opens the engine on the central index. */
  static async open(options: CentralIndexOptions): Promise<CentralIndex> {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
    logLostConnections(pool, 'central index');
    const central = new CentralIndex(pool, options);
    try {
      await ensureCentralSchema(pool);
      await ensureSettingsSchema(pool);
      await central.openEngine();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return central;
  }

  /** The engine serving the central index; its reload builds once for every copy. */
  get answerEngine(): AnswerEngine {
    const engine = this.engine;
    return {
      ask: (question, options) => engine.ask(question, options),
      status: () => engine.status(),
      reload: (onProgress) => this.reload(onProgress),
      // Stored centrally for every copy, and used here from the next question on.
      addSynonyms: (line) => this.settings.addSynonyms(line),
      close: () => this.close(),
    };
  }

  private async openEngine(): Promise<void> {
    // Before the engine opens, so that it reads the central synonyms and calibrations.
    await this.settings.sync(true);
    const { generation } = await this.syncCorpus();
    let latest = await this.latest();
    if (this.covers(latest, generation)) {
      await this.openOn(latest);
      return;
    }
    await this.withLock(BUILD_LOCK, async () => {
      const { generation: now } = await this.syncCorpus();
      latest = await this.latest();
      if (this.covers(latest, now)) return this.openOn(latest);
      // No bundle covers the corpus: this copy opens (building if its saved one is stale) and publishes.
      this.engine = await Engine.open(this.options.engine, this.options.onProgress);
      this.servingId = await this.publish(now);
      this.counts.builds++;
    });
  }

  /** Opens the engine on a published bundle, downloading it unless it is already the local one. */
  private async openOn(latest: Published): Promise<void> {
    await this.download(latest);
    this.engine = await Engine.open({ ...this.options.engine, trustSavedIndex: true }, this.options.onProgress);
    this.servingId = latest.id;
    this.counts.loads++;
    log.info('index loaded from the central index', { bundle: latest.bundleName, generation: latest.generation });
  }

  /** Listens for published bundles and shared settings, and polls for both as a fallback. */
  start(): void {
    this.pollTimer = setInterval(() => {
      void this.checkForNewer();
      void this.followSettings();
    }, this.options.pollMs);
    this.pollTimer.unref();
    void this.listen();
  }

  /** Takes the synonyms and calibrations another copy changed, without a build. Never throws. */
  async followSettings(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.settings.sync(false);
    } catch (error) {
      log.warn('could not follow the shared synonyms and calibrations', { error: describeError(error) });
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: LISTENER_NAME });
    client.on('notification', (message) =>
      message.channel === SETTINGS_CHANNEL ? void this.followSettings() : void this.checkForNewer(),
    );
    client.on('error', (error) => {
      log.warn('index notifications lost; polling until they are back', { error: error.message });
      if (this.listener === client) this.listener = null;
    });
    client.on('end', () => {
      if (this.listener === client) this.listener = null;
    });
    this.listener = client; // set while connecting, so that the next poll does not open another
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      await client.query(`LISTEN ${SETTINGS_CHANNEL}`);
      if (this.stopped) await client.end();
    } catch (error) {
      log.warn('cannot listen for index bundles; polling', { error: describeError(error) });
      if (this.listener === client) this.listener = null;
      await client.end().catch(() => undefined);
    }
  }

  /** Loads a bundle published after the one serving here, if there is one. Never throws. */
  async checkForNewer(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      if (!this.listener) void this.listen(); // the poll also brings a dropped LISTEN back
      const latest = await this.latest();
      if (latest && latest.id > this.servingId && this.fits(latest))
        await this.runExclusive(() => this.loadPublished(latest));
    } catch (error) {
      log.warn('could not load the newer index; serving the current one', { error: describeError(error) });
    } finally {
      this.checking = false;
    }
  }

  private async loadPublished(latest: Published): Promise<IndexSummary> {
    const started = performance.now();
    if (latest.id <= this.servingId) return { ...this.summaryNow(started), source: 'loaded' };
    // The corpus folder follows, so that a later build here starts from the same files.
    await this.withLock(CORPUS_LOCK, (client) => syncCorpus(client, this.options.engine.corpusDir, this.syncBy(false)));
    await this.download(latest);
    const summary = await this.engine.adoptSavedBundle();
    this.servingId = latest.id;
    this.counts.loads++;
    const seconds = (performance.now() - started) / 1000;
    this.options.onLoaded?.(seconds);
    log.info('index loaded from the central index', { bundle: latest.bundleName, generation: latest.generation });
    return { ...summary, seconds, source: 'loaded' };
  }

  private summaryNow(started: number): IndexSummary {
    const status = this.engine.status();
    return {
      documents: status.documents.length,
      passages: status.passages,
      skipped: status.skipped,
      reusedEmbeddings: status.passages,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /**
   * An upload or /reload: stores this copy's corpus changes centrally, then builds and publishes the
   * index, unless a bundle published meanwhile already covers the corpus (then it is loaded).
   */
  async reload(onProgress?: (event: ProgressEvent) => void): Promise<IndexSummary> {
    const seenBefore = (await this.latest())?.id ?? 0;
    return this.runExclusive(() =>
      this.withLock(BUILD_LOCK, async () => {
        const { generation } = await this.syncCorpus();
        // A hand edit of this copy's synonyms file is stored now, as its corpus changes are.
        await this.settings.sync(true);
        const latest = await this.latest();
        if (this.covers(latest, generation) && latest.id > seenBefore) {
          log.info('a build by another copy covers the corpus; loading it instead of building');
          return this.loadPublished(latest);
        }
        const summary = await this.engine.reload(onProgress, async () => {
          this.servingId = await this.publish(generation);
        });
        this.counts.builds++;
        return { ...summary, source: 'built' as const };
      }),
    );
  }

  private syncBy(push: boolean) {
    return { push, by: this.by };
  }

  private syncCorpus() {
    return this.withLock(CORPUS_LOCK, (client) => syncCorpus(client, this.options.engine.corpusDir, this.syncBy(true)));
  }

  /** Whether `bundle` was built from corpus `generation` (or later) and this copy can serve it. */
  private covers(bundle: Published | null, generation: number): bundle is Published {
    return bundle !== null && bundle.generation >= generation && this.fits(bundle);
  }

  /** A bundle this copy can serve: same chunker, and the model it runs (once it runs one). */
  private fits(bundle: Published): boolean {
    if (bundle.manifest.chunkerVersion !== CHUNKER_VERSION) return false;
    return !this.engine || bundle.manifest.modelId === this.engine.status().modelId;
  }

  private runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(fn);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /** Runs fn holding a session advisory lock on a connection of its own (waiting for another copy's). */
  private async withLock<T>(key: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, key]);
      try {
        return await fn(client);
      } finally {
        // A connection that cannot unlock is dropped: the server then releases the lock itself.
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, key]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      client.release(broken);
    }
  }

  private latest(): Promise<Published | null> {
    return latestPublished(this.pool);
  }

  private async publish(generation: number): Promise<number> {
    return publishBundle(this.pool, this.options.engine.indexDir, generation, this.by);
  }

  private download(bundle: Published): Promise<void> {
    return downloadBundle(this.pool, this.options.engine.indexDir, bundle);
  }

  /** Stops listening and polling; waits for a load or build in flight; closes the engine and the pool. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
    await this.exclusive;
    await this.engine?.close();
    await this.pool.end().catch(() => undefined);
  }
}
