// The central corpus: the reports of every copy of the bot, kept in PostgreSQL (table corpus_files) so
// that an upload or a /reload handled by any copy changes the one corpus all copies build from. Each copy
// keeps a local materialisation in its CORPUS_DIR, because the loaders read files from disk.
//
// Every change bumps one corpus generation (table corpus_generation); a published index bundle records
// the generation it was built from (central-index.ts), which is how a copy knows whether a bundle covers
// the corpus.
//
// Local folder ↔ central, a three-way merge against the last synced state (CORPUS_DIR/.central-corpus.json,
// name → sha256; hidden, so never a report):
// - a file that differs locally from that state was changed here (an upload, a file copied in by hand, a
//   deletion): with `push` it is written to the central corpus, otherwise it is left as it is;
// - every other file takes the central version: written when new or different (the replaced one kept in
//   .history/, as an upload does), moved to .history/ when deleted centrally.
// A folder without that state (a copy joining) takes the central corpus as it is, so that a stale folder
// never overwrites newer reports; an empty central corpus is seeded from the folder. Callers hold the
// corpus lock (central-index.ts) around a sync, so two copies never interleave their changes.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { hashCorpusFiles, sha256 } from '../corpus/corpus-files.js';
import { HISTORY_DIR, incomingPath, installUpload } from '../bot/uploads.js';
import { replaceFile } from '../fs/durable-file.js';
import { log } from '../log.js';
import { createSchemaUnderLock, inTransaction } from './transaction.js';

/** The tables of the central corpus and the published bundles; every statement is idempotent. */
export const CENTRAL_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS corpus_files (
     name        TEXT PRIMARY KEY,
     content     BYTEA,
     sha256      TEXT NOT NULL,
     size        BIGINT NOT NULL,
     generation  BIGINT NOT NULL,
     updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
     updated_by  TEXT NOT NULL,
     deleted     BOOLEAN NOT NULL DEFAULT false
   )`,
  `CREATE TABLE IF NOT EXISTS corpus_generation (
     singleton   BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
     generation  BIGINT NOT NULL
   )`,
  'INSERT INTO corpus_generation (singleton, generation) VALUES (true, 0) ON CONFLICT DO NOTHING',
  `CREATE TABLE IF NOT EXISTS index_bundles (
     id                 BIGSERIAL PRIMARY KEY,
     bundle_name        TEXT NOT NULL,
     corpus_generation  BIGINT NOT NULL,
     manifest           TEXT NOT NULL,
     total_bytes        BIGINT NOT NULL,
     built_by           TEXT NOT NULL,
     published_at       TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS index_bundle_chunks (
     bundle_id  BIGINT NOT NULL REFERENCES index_bundles (id) ON DELETE CASCADE,
     file       TEXT NOT NULL,
     seq        INTEGER NOT NULL,
     data       BYTEA NOT NULL,
     PRIMARY KEY (bundle_id, file, seq)
   )`,
];

/** Advisory lock keys (pg_advisory_lock(int, int)): the first names this feature, the second the lock. */
export const LOCK_NAMESPACE = 0x44_42_43_49; // "DBCI"
/** Held while a copy stores its corpus changes and copies the central corpus into its folder (short). */
export const CORPUS_LOCK = 1;
/** Held for a whole build and its publication: one build at a time across copies. */
export const BUILD_LOCK = 2;

/** Creates the tables; two copies starting together are serialised by a transaction-scoped lock. */
export async function ensureCentralSchema(pool: pg.Pool): Promise<void> {
  await createSchemaUnderLock(pool, [LOCK_NAMESPACE, 0], CENTRAL_SCHEMA);
}

const SYNC_STATE_FILE = '.central-corpus.json';

/** What one sync did. */
export interface CorpusSync {
  /** The central corpus generation after the sync. */
  generation: number;
  /** Files this copy wrote to (or deleted from) the central corpus. */
  pushed: string[];
  /** Files written into, or moved out of, the local folder. */
  materialised: string[];
}

type Hashes = Record<string, string>;

async function readSyncState(corpusDir: string): Promise<Hashes | null> {
  try {
    return JSON.parse(await readFile(path.join(corpusDir, SYNC_STATE_FILE), 'utf8')) as Hashes;
  } catch {
    return null; // none yet (or unreadable): the central corpus wins
  }
}

/** The central corpus generation now. */
export async function corpusGeneration(db: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await db.query('SELECT generation FROM corpus_generation');
  return Number(rows[0]?.generation ?? 0);
}

/** name → sha256 of the central corpus; deleted files map to null. */
async function centralHashes(client: pg.ClientBase): Promise<Map<string, string | null>> {
  const { rows } = await client.query('SELECT name, sha256, deleted FROM corpus_files');
  return new Map(rows.map((r) => [r.name as string, r.deleted ? null : (r.sha256 as string)]));
}

/**
 * Files changed locally since the last sync and not (yet) equal to the central version: all of them when
 * seeding an empty central corpus. A change another copy already stored (one shared folder) is none.
 */
function localChanges(local: Hashes, synced: Hashes | null, central: Map<string, string | null>): string[] {
  if (central.size === 0) return Object.keys(local);
  if (!synced) return [];
  const names = new Set([...Object.keys(local), ...Object.keys(synced)]);
  return [...names].filter(
    (name) =>
      local[name] !== synced[name] &&
      local[name] !== 'unreadable' &&
      (local[name] ?? null) !== (central.get(name) ?? null),
  );
}

/** Writes the local changes to the central corpus in one transaction that bumps the generation once. */
async function pushChanges(client: pg.ClientBase, corpusDir: string, names: string[], by: string): Promise<void> {
  await inTransaction(client, async () => {
    const { rows } = await client.query(
      'UPDATE corpus_generation SET generation = generation + 1 RETURNING generation',
    );
    const generation = rows[0].generation;
    for (const name of names) {
      const content = await readFile(path.join(corpusDir, name)).catch(() => null);
      await client.query(
        `INSERT INTO corpus_files (name, content, sha256, size, generation, updated_by, deleted)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (name) DO UPDATE SET content = $2, sha256 = $3, size = $4, generation = $5,
           updated_by = $6, deleted = $7, updated_at = now()`,
        [name, content, content ? sha256(content) : '', content?.length ?? 0, generation, by, content === null],
      );
    }
  });
}

/** "20261202T081500123Z": when a file was moved into .history/. */
const historyStamp = () => new Date().toISOString().replace(/[-:.]/g, '');

/** Makes the local copy of `name` the central version: written (old one kept in .history/) or moved out. */
async function materialiseFile(client: pg.ClientBase, corpusDir: string, name: string, wanted: string | null) {
  if (wanted === null) {
    const historyDir = path.join(corpusDir, HISTORY_DIR);
    await mkdir(historyDir, { recursive: true });
    await rename(path.join(corpusDir, name), path.join(historyDir, `${name}.${historyStamp()}-deleted`));
    return;
  }
  const { rows } = await client.query('SELECT content FROM corpus_files WHERE name = $1', [name]);
  const temp = await incomingPath(corpusDir, name);
  await writeFile(temp, rows[0].content as Buffer);
  await installUpload(corpusDir, name, temp);
}

/**
 * Brings the local folder and the central corpus together (see the file header). With `push`, local
 * changes go to the central corpus first; without, they stay local until a sync that pushes. The caller
 * holds the corpus lock.
 */
export async function syncCorpus(
  client: pg.ClientBase,
  corpusDir: string,
  options: { push: boolean; by: string },
): Promise<CorpusSync> {
  await mkdir(corpusDir, { recursive: true });
  const local = await hashCorpusFiles(corpusDir);
  const synced = await readSyncState(corpusDir);
  let central = await centralHashes(client);
  const changed = localChanges(local, synced, central);
  const pushed = options.push || central.size === 0 ? changed : [];
  if (pushed.length > 0) {
    await pushChanges(client, corpusDir, pushed, options.by);
    central = await centralHashes(client);
    log.info('corpus changes stored centrally', { files: pushed });
  }
  const keptLocal = new Set(changed.filter((name) => !pushed.includes(name)));
  const materialised: string[] = [];
  const state: Hashes = {};
  // A local file the central corpus never had and that is not a local change (a joining copy's leftover)
  // is moved to .history/ like a deleted one: every copy must build from the same files.
  const names = new Set([...central.keys(), ...Object.keys(local)]);
  for (const name of names) {
    const wanted = central.get(name) ?? null;
    if (keptLocal.has(name)) {
      if (synced?.[name] !== undefined) state[name] = synced[name];
      continue;
    }
    if (wanted !== null) state[name] = wanted;
    if ((local[name] ?? null) === wanted) continue;
    await materialiseFile(client, corpusDir, name, wanted);
    materialised.push(name);
  }
  await replaceFile(path.join(corpusDir, SYNC_STATE_FILE), JSON.stringify(state, null, 1));
  if (materialised.length > 0) log.info('central corpus copied into the corpus folder', { files: materialised });
  return { generation: await corpusGeneration(client), pushed, materialised };
}
