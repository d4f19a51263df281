// What every copy applies at question time besides the index, kept in PostgreSQL beside the central
// corpus: the office's synonyms file and the similarity calibrations. Neither needs a build, so neither
// is a corpus file (a change would bump the corpus generation and rebuild the index) nor part of the
// published bundle (a calibration measured after a build would wait for the next one). A change is
// announced with NOTIFY (the poll of central-index.ts is the fallback); each copy writes it into its own
// file (SYNONYMS_FILE, INDEX_DIR/similarity-calibration.json), where the engine reads it, and the engine
// re-reads both without building.
//
// - Synonyms: one row holding the file's text and a version. A /synonym on any copy appends its line in
//   a transaction that holds the row (SELECT … FOR UPDATE), so two admins adding at once both keep their
//   line. A hand edit of one copy's file is stored at that copy's next start-up or /reload (as a report
//   copied into its folder is), merged line by line with what the others stored since it last synced
//   (INDEX_DIR/.central-synonyms.txt keeps that text); the first copy seeds the row from its file.
// - Calibrations: one row per model id. `npm run calibrate` stores its result there; a copy's own file
//   is stored at its start-up or /reload; for each model the latest measurement wins everywhere.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { hostname } from 'node:os';
import pg from 'pg';
import {
  CALIBRATION_FILE,
  readCalibrations,
  type Calibrations,
  type SimilarityCalibration,
} from '../answer/similarity-gate.js';
import type { SynonymUpdate } from '../engine-api.js';
import { describeError } from '../errors.js';
import { replaceFile } from '../fs/durable-file.js';
import { log } from '../log.js';
import { checkSynonymLine, NO_SYNONYMS_FILE, synonymLineSuffix } from '../question/synonym-line.js';
import { MAX_SYNONYMS_BYTES } from '../question/synonyms.js';
import { LOCK_NAMESPACE } from './central-corpus.js';
import { createSchemaUnderLock, inPoolTransaction } from './transaction.js';

/** The tables of the shared synonyms and calibrations; every statement is idempotent. */
export const SETTINGS_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS central_synonyms (
     singleton   BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
     content     TEXT,
     version     BIGINT NOT NULL,
     updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
     updated_by  TEXT NOT NULL
   )`,
  // content NULL: no copy has seeded it from its file yet.
  `INSERT INTO central_synonyms (singleton, content, version, updated_by) VALUES (true, NULL, 0, '')
   ON CONFLICT DO NOTHING`,
  `CREATE TABLE IF NOT EXISTS similarity_calibrations (
     model_id     TEXT PRIMARY KEY,
     calibration  TEXT NOT NULL,
     measured_at  TIMESTAMPTZ NOT NULL,
     updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
     updated_by   TEXT NOT NULL
   )`,
];

/** The NOTIFY channel announcing a change of the synonyms or calibrations (payload: which). */
export const SETTINGS_CHANNEL = 'question_settings';
/** Advisory lock key (in central-corpus.ts's namespace) serialising the creation of these tables. */
const SETTINGS_SCHEMA_LOCK = 3;
/** The synonyms text this copy last synced with, beside its index (one per copy, unlike the corpus folder). */
export const SYNONYMS_STATE_FILE = '.central-synonyms.txt';

/** Creates the tables; two copies starting together are serialised by a transaction-scoped lock. */
export async function ensureSettingsSchema(pool: pg.Pool): Promise<void> {
  await createSchemaUnderLock(pool, [LOCK_NAMESPACE, SETTINGS_SCHEMA_LOCK], SETTINGS_SCHEMA);
}

const linesOf = (text: string) => (text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/));

/**
 * Line-wise three-way merge of a synonyms file: the local lines, less those another copy removed since
 * `base` (the text last synced), then the lines other copies added since. A copy that never synced
 * (`base` null) keeps all its lines and gains the central ones.
 */
export function mergeSynonymLines(local: string, base: string | null, central: string): string {
  const baseLines = new Set(linesOf(base ?? ''));
  const centralLines = new Set(linesOf(central));
  const localLines = linesOf(local);
  const kept = localLines.filter((line) => !baseLines.has(line) || centralLines.has(line));
  const known = new Set(localLines);
  const added = linesOf(central).filter((line) => !known.has(line) && !baseLines.has(line));
  const merged = [...kept, ...added];
  return merged.length === 0 ? '' : `${merged.join('\n')}\n`;
}

/**
 * What a copy's file and the central text should become, given what the file holds, what it last synced
 * and the central text: the central text itself unless the file adds, removes or reorders lines.
 */
function wantedSynonyms(local: string, base: string | null, central: string): string {
  if (local === central || local === base) return central; // nothing changed here
  const merged = mergeSynonymLines(local, base, central);
  return linesOf(merged).join('\n') === linesOf(central).join('\n') ? central : merged;
}

const measuredAt = (c: SimilarityCalibration) => new Date(Date.parse(c.measuredAt) || 0);

/**
 * Stores `calibration` unless a later measurement of the same model is stored; announces it. Returns
 * whether it was stored. One statement: two copies storing at once cannot lose the later one.
 */
export async function storeCalibration(
  pool: pg.Pool,
  calibration: SimilarityCalibration,
  by: string,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `WITH stored AS (
       INSERT INTO similarity_calibrations (model_id, calibration, measured_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (model_id) DO UPDATE SET calibration = excluded.calibration, measured_at = excluded.measured_at,
         updated_by = excluded.updated_by, updated_at = now()
       WHERE similarity_calibrations.measured_at < excluded.measured_at
       RETURNING model_id)
     SELECT pg_notify($5, 'calibration') FROM stored`,
    [calibration.modelId, JSON.stringify(calibration), measuredAt(calibration), by, SETTINGS_CHANNEL],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * `npm run calibrate` on a machine whose settings run the central index: stores the new floor for every
 * copy (each takes it within seconds, through the notification or its poll).
 */
export async function publishCalibration(databaseUrl: string, calibration: SimilarityCalibration): Promise<boolean> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await ensureSettingsSchema(pool);
    return await storeCalibration(pool, calibration, `${hostname()}:${process.pid} (calibrate)`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** The stored calibrations by model id. */
async function centralCalibrations(pool: pg.Pool): Promise<Calibrations> {
  const { rows } = await pool.query('SELECT model_id, calibration FROM similarity_calibrations ORDER BY model_id');
  return Object.fromEntries(
    rows.map((r) => [r.model_id as string, JSON.parse(r.calibration) as SimilarityCalibration]),
  );
}

/** For each model the later of two measurements. */
function latestOf(a: Calibrations, b: Calibrations): Calibrations {
  const out: Calibrations = { ...a };
  for (const [id, c] of Object.entries(b)) if (!out[id] || measuredAt(out[id]) < measuredAt(c)) out[id] = c;
  return out;
}

/** Why a synonyms file's text cannot be stored centrally (the engine refuses to read it too), or null. */
function refusedSynonymsText(text: string): string | null {
  if (text.includes('\u0000')) return 'not a text file (binary content)';
  if (Buffer.byteLength(text) > MAX_SYNONYMS_BYTES) return `larger than ${MAX_SYNONYMS_BYTES / 1024 / 1024} MB`;
  return null;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Where one copy keeps these settings: its synonyms file (null: none configured) and its index folder. */
export interface SettingsFiles {
  synonymsFile: string | null;
  indexDir: string;
}

/** One copy's side of the shared synonyms and calibrations (see the file header). */
export class CentralSettings {
  /** Syncs and additions of this copy run one at a time (they write the same files). */
  private queue: Promise<unknown> = Promise.resolve();
  /** The central synonyms version and local text after the last sync: a poll with neither changed reads no more. */
  private seen: { version: number; local: string } | null = null;

  /**
   * `by` names this copy in the tables (host:pid); `onChange` makes the engine re-read the files after a
   * sync changed them. It runs in turn with the syncs, so that an older read never replaces a newer one.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly files: SettingsFiles,
    private readonly by: string,
    private readonly onChange: () => Promise<void>,
  ) {}

  /**
   * Brings this copy's files and the central settings together. With `push` (start-up, /reload) this
   * copy's own changes are stored centrally first; without (a notification, the poll) they stay local,
   * merged with the central ones. When a local file changed, `onChange` runs.
   */
  sync(push: boolean): Promise<void> {
    return this.serially(async () => {
      const synonyms = await this.syncSynonyms(push);
      const calibrations = await this.syncCalibrations(push);
      if (synonyms || calibrations) await this.onChange();
    });
  }

  /**
   * A /synonym: appends the line to the central synonyms (holding their row, so that concurrent additions
   * on other copies are kept), announces it, and writes this copy's file (then `onChange` runs).
   */
  addSynonyms(line: string): Promise<SynonymUpdate> {
    if (!this.files.synonymsFile) return Promise.resolve(NO_SYNONYMS_FILE);
    const { text, update } = checkSynonymLine(line);
    if (!update.added) return Promise.resolve(update);
    return this.serially(async (): Promise<SynonymUpdate> => {
      try {
        await inPoolTransaction(this.pool, async (client) => {
          const { rows } = await client.query('SELECT content FROM central_synonyms FOR UPDATE');
          const content = (rows[0]?.content as string | null) ?? '';
          await client.query(
            `UPDATE central_synonyms SET content = $1, version = version + 1, updated_at = now(), updated_by = $2`,
            [content + synonymLineSuffix(content, text), this.by],
          );
          await client.query('SELECT pg_notify($1, $2)', [SETTINGS_CHANNEL, 'synonyms']); // sent at COMMIT
        });
      } catch (error) {
        log.warn('synonym group not stored centrally', { group: text, error: describeError(error) });
        return { added: false, problem: describeError(error), problemKind: 'not-stored', phrases: [] };
      }
      log.info('synonym group added to the central synonyms', { group: text });
      // Stored for every copy: if this copy's file cannot be written now, its poll retries.
      try {
        if (await this.syncSynonyms(false)) await this.onChange();
      } catch (error) {
        log.warn('synonym group stored; the synonyms file here follows later', { error: describeError(error) });
      }
      return update;
    });
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private get stateFile(): string {
    return path.join(this.files.indexDir, SYNONYMS_STATE_FILE);
  }

  /** See sync; the synonyms half. */
  private async syncSynonyms(push: boolean): Promise<boolean> {
    const file = this.files.synonymsFile;
    if (!file) return false;
    const local = (await readText(file)) ?? '';
    // A file the engine refuses (binary, too big) is neither stored for the others nor merged into: the
    // copy starts, its engine reports the file, and the central synonyms stay as they were.
    const refused = refusedSynonymsText(local);
    if (refused) {
      if (push) log.warn('synonyms file not shared with the other copies', { file, reason: refused });
      return false;
    }
    if (!push && this.seen?.local === local) {
      const { rows } = await this.pool.query('SELECT version FROM central_synonyms');
      if (Number(rows[0]?.version) === this.seen.version) return false;
    }
    const base = await readText(this.stateFile);
    const central = push ? await this.pushSynonyms(local, base) : await this.centralSynonyms();
    if (central.content === null) return false; // nothing stored yet: the file stays as it is
    const wanted = wantedSynonyms(local, base, central.content);
    if (wanted !== local) {
      await mkdir(path.dirname(file), { recursive: true });
      await replaceFile(file, wanted);
    }
    await mkdir(this.files.indexDir, { recursive: true });
    if (base !== central.content) await replaceFile(this.stateFile, central.content);
    this.seen = { version: central.version, local: wanted };
    return wanted !== local;
  }

  private async centralSynonyms(): Promise<{ content: string | null; version: number }> {
    const { rows } = await this.pool.query('SELECT content, version FROM central_synonyms');
    return { content: rows[0]?.content ?? null, version: Number(rows[0]?.version ?? 0) };
  }

  /** Stores this copy's changes to its synonyms file (or seeds the central text with it); returns the result. */
  private pushSynonyms(local: string, base: string | null): Promise<{ content: string; version: number }> {
    return inPoolTransaction(this.pool, async (client) => {
      const { rows } = await client.query('SELECT content, version FROM central_synonyms FOR UPDATE');
      const central = (rows[0]?.content as string | null) ?? null;
      const wanted = central === null ? local : wantedSynonyms(local, base, central);
      if (wanted === central) return { content: central, version: Number(rows[0].version) };
      const updated = await client.query(
        `UPDATE central_synonyms SET content = $1, version = version + 1, updated_at = now(), updated_by = $2
         RETURNING version`,
        [wanted, this.by],
      );
      await client.query('SELECT pg_notify($1, $2)', [SETTINGS_CHANNEL, 'synonyms']);
      log.info(central === null ? 'central synonyms seeded from this copy' : 'synonyms file changes stored centrally');
      return { content: wanted, version: Number(updated.rows[0].version) };
    });
  }

  /** See sync; the calibrations half. */
  private async syncCalibrations(push: boolean): Promise<boolean> {
    const local = await readCalibrations(this.files.indexDir);
    if (push) for (const calibration of Object.values(local)) await storeCalibration(this.pool, calibration, this.by);
    const wanted = latestOf(local, await centralCalibrations(this.pool));
    const unchanged = Object.keys(wanted).every((id) => JSON.stringify(wanted[id]) === JSON.stringify(local[id]));
    if (unchanged) return false;
    await mkdir(this.files.indexDir, { recursive: true });
    await replaceFile(path.join(this.files.indexDir, CALIBRATION_FILE), `${JSON.stringify(wanted, null, 2)}\n`);
    log.info('similarity calibrations taken from the central ones', { models: Object.keys(wanted) });
    return true;
  }
}
