// How long a copy takes to publish an index bundle in PostgreSQL and another to download and install it
// (the central index, src/cluster/bundle-transfer.ts), for a synthetic bundle of a city's size: N
// passages of ~600 characters with random 384-d vectors (e5-small's dimension) and their HNSW graph
// (built with a small efConstruction: only the bytes matter here). Needs PostgreSQL (TEST_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test); a database is created and dropped.
//
// Standalone: npx tsx test/bench/central-bundle.ts [--passages 40000] (prints a JSON summary)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureCentralSchema } from '../../src/cluster/central-corpus.js';
import { downloadBundle, latestPublished, publishBundle } from '../../src/cluster/bundle-transfer.js';
import type { Passage } from '../../src/corpus/types.js';
import { setLogLevel } from '../../src/log.js';
import { readBundle, writeBundle } from '../../src/search/bundle-store.js';
import { createTestDatabase, probeServer } from '../fixtures/postgres.js';

const DIMENSION = 384;

function syntheticPassages(n: number): { passages: Passage[]; vectors: number[][] } {
  const sentence = 'Ủy ban nhân dân quận triển khai kế hoạch phát triển kinh tế xã hội năm 2019, ';
  const passages: Passage[] = [];
  const vectors: number[][] = [];
  for (let i = 0; i < n; i++) {
    passages.push({
      id: `p${i}`,
      docTitle: `Báo cáo số ${i % 200}`,
      date: '2019',
      section: `Mục ${i % 17}`,
      source: `bao-cao-${i % 200}.txt`,
      position: i,
      text: `${sentence.repeat(8)}${i}`,
    });
    vectors.push(Array.from({ length: DIMENSION }, () => Math.random() - 0.5));
  }
  return { passages, vectors };
}

/** Publishes and downloads one synthetic bundle of `passageCount` passages; its size and the times taken. */
export async function runCentralBundleBench(passageCount: number) {
  const server = await probeServer();
  if (!server.available) return { skipped: server.reason };
  const db = await createTestDatabase('cbundle');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const root = await mkdtemp(path.join(os.tmpdir(), 'central-bundle-'));
  try {
    await ensureCentralSchema(pool);
    const builderDir = path.join(root, 'builder');
    const { passages, vectors } = syntheticPassages(passageCount);
    await writeBundle(builderDir, {
      passages,
      vectors,
      vectorIndex: null,
      manifest: {
        modelId: 'synthetic',
        dimension: DIMENSION,
        corpusHashes: {},
        hnsw: { M: 16, efConstruction: 16, efSearch: 50 },
        chunkerVersion: 1,
      },
    });
    let started = performance.now();
    await publishBundle(pool, builderDir, 1, 'bench');
    const publishSeconds = (performance.now() - started) / 1000;
    const published = (await latestPublished(pool))!;
    started = performance.now();
    await downloadBundle(pool, path.join(root, 'follower'), published);
    const downloadSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const loaded = await readBundle(path.join(root, 'follower'));
    const loadSeconds = (performance.now() - started) / 1000;
    const megabytes = Object.values(published.manifest.files).reduce((sum, f) => sum + f.bytes, 0) / 1e6;
    return {
      passages: loaded.passages.length,
      megabytes: Math.round(megabytes * 10) / 10,
      publishSeconds: Math.round(publishSeconds * 100) / 100,
      downloadAndInstallSeconds: Math.round(downloadSeconds * 100) / 100,
      readBundleSeconds: Math.round(loadSeconds * 100) / 100,
    };
  } finally {
    await pool.end();
    await db.drop();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({ options: { passages: { type: 'string', default: '40000' } } });
  setLogLevel('warn');
  runCentralBundleBench(Number(values.passages)).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`central bundle bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
