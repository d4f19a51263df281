// Index bundles through PostgreSQL: a copy that built a bundle publishes its files (index_bundles: the
// manifest and the corpus generation it was built from; index_bundle_chunks: each file in 1 MB rows, since
// a city's bundle is ~100 MB and one bytea that size strains the server and the client) in one
// transaction, so another copy sees a whole bundle or none; the others download it into their own index
// folder, where bundle-store.ts checks every file against the manifest before it becomes current.
import type pg from 'pg';
import {
  currentBundleId,
  installBundleFiles,
  readCurrentBundleFiles,
  type BundleManifest,
} from '../search/bundle-store.js';
import { log } from '../log.js';
import { inPoolTransaction } from './transaction.js';

/** The NOTIFY channel announcing a published bundle (payload: its id). */
export const CHANNEL = 'index_bundles';
const CHUNK_BYTES = 1024 * 1024;
/** Chunks fetched per query while downloading: bounds the memory a query result takes. */
const CHUNKS_PER_QUERY = 8;
/** The last two stay, so that a copy still downloading the previous one can finish. */
const BUNDLES_KEPT = 2;

/** A published bundle's row, without its files. */
export interface Published {
  id: number;
  bundleName: string;
  generation: number;
  manifestText: string;
  manifest: BundleManifest;
}

/** The latest published bundle (without its files), or null. */
export async function latestPublished(pool: pg.Pool): Promise<Published | null> {
  const { rows } = await pool.query(
    'SELECT id, bundle_name, corpus_generation, manifest FROM index_bundles ORDER BY id DESC LIMIT 1',
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    bundleName: row.bundle_name,
    generation: Number(row.corpus_generation),
    manifestText: row.manifest,
    manifest: JSON.parse(row.manifest) as BundleManifest,
  };
}

/**
 * Publishes the current bundle of `indexDir` as built from corpus `generation`, in one transaction that
 * also drops all but the last two bundles and NOTIFYs; returns its id.
 */
export async function publishBundle(pool: pg.Pool, indexDir: string, generation: number, by: string): Promise<number> {
  const started = performance.now();
  const bundle = await readCurrentBundleFiles(indexDir);
  const totalBytes = [...bundle.files.values()].reduce((sum, b) => sum + b.length, 0);
  const id = await inPoolTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO index_bundles (bundle_name, corpus_generation, manifest, total_bytes, built_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [bundle.id, generation, bundle.manifestText, totalBytes, by],
    );
    const id = Number(rows[0].id);
    for (const [file, data] of bundle.files) {
      for (let seq = 0; seq * CHUNK_BYTES < Math.max(data.length, 1); seq++) {
        const chunk = data.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES);
        await client.query('INSERT INTO index_bundle_chunks (bundle_id, file, seq, data) VALUES ($1, $2, $3, $4)', [
          id,
          file,
          seq,
          chunk,
        ]);
      }
    }
    await client.query(
      'DELETE FROM index_bundles WHERE id NOT IN (SELECT id FROM index_bundles ORDER BY id DESC LIMIT $1)',
      [BUNDLES_KEPT],
    );
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(id)]); // delivered at COMMIT
    return id;
  });
  const ms = Math.round(performance.now() - started);
  log.info('index bundle published', { bundle: bundle.id, id, generation, bytes: totalBytes, ms });
  return id;
}

/** Writes a published bundle into `indexDir` as its current bundle (verified), unless it is already. */
export async function downloadBundle(pool: pg.Pool, indexDir: string, bundle: Published): Promise<void> {
  if ((await currentBundleId(indexDir)) === bundle.bundleName) return;
  const started = performance.now();
  const files = new Map<string, Buffer>();
  for (const file of Object.keys(bundle.manifest.files)) {
    const parts: Buffer[] = [];
    for (;;) {
      const { rows } = await pool.query(
        `SELECT data FROM index_bundle_chunks WHERE bundle_id = $1 AND file = $2 AND seq >= $3
         ORDER BY seq LIMIT $4`,
        [bundle.id, file, parts.length, CHUNKS_PER_QUERY],
      );
      for (const row of rows) parts.push(row.data as Buffer);
      if (rows.length < CHUNKS_PER_QUERY) break;
    }
    files.set(file, Buffer.concat(parts));
  }
  await installBundleFiles(indexDir, { id: bundle.bundleName, manifestText: bundle.manifestText, files });
  const bytes = [...files.values()].reduce((sum, b) => sum + b.length, 0);
  log.info('index bundle downloaded', {
    bundle: bundle.bundleName,
    bytes,
    ms: Math.round(performance.now() - started),
  });
}
