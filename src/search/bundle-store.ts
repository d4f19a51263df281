// The index on disk: one immutable folder per build under INDEX_DIR/bundles/, and INDEX_DIR/CURRENT naming
// the one in use. A build is written to a temporary folder, fsynced and verified, renamed into place,
// and only then does CURRENT switch (atomic rename), so a crash at any moment leaves either the old
// bundle or the new one, never a mix. Every file is checksummed in manifest.json, and the manifest
// checksums itself, so a truncated or flipped byte anywhere is reported instead of loaded.
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Passage } from '../corpus/types.js';
import { sha256 } from '../corpus/corpus-files.js';
import { log } from '../log.js';
import { fsyncDir, writeDurable } from '../fs/durable-file.js';
import { isLockFile, withWriterLock } from './bundle-lock.js';
import { DEFAULT_HNSW, VectorIndex, type HnswParams } from './vector-index.js';
import { describeError } from '../errors.js';

/** The on-disk layout this program writes and reads; a bundle of another version is 'incompatible' and rebuilt. */
export const BUNDLE_FORMAT_VERSION = 1;

/** manifest.json: what a bundle was built from and with, and the size and checksum of each of its files. */
export interface BundleManifest {
  formatVersion: number;
  /** ISO time the bundle was written. */
  builtAt: string;
  /** null when built without vectors (lexical only). */
  modelId: string | null;
  dimension: number | null;
  /** source -> sha256 of the corpus file. */
  corpusHashes: Record<string, string>;
  passageCount: number;
  hnsw: HnswParams | null;
  /** Bumped when chunking changes, so old bundles are rebuilt. */
  chunkerVersion: number;
  /** Every other file of the bundle. */
  files: Record<string, { bytes: number; sha256: string }>;
  extra?: Record<string, unknown>;
}

/** The data a bundle stores: the passages and, with a model, one vector per passage. */
export interface BundleData {
  passages: Passage[];
  /** Row i = passage i; stored as float32, so values come back rounded to float32. */
  vectors: number[][] | null;
}

/** A bundle as read (or just written): its data, verified manifest, vector graph and folder. */
export interface LoadedBundle extends BundleData {
  manifest: BundleManifest;
  vectorIndex: VectorIndex | null;
  dir: string;
}

/** The manifest fields a writer supplies; the rest (files, version, time, count) writeBundle fills in. */
export type BundleManifestInput = Omit<
  BundleManifest,
  'files' | 'formatVersion' | 'builtAt' | 'passageCount' | 'dimension'
> & {
  dimension: number | null;
};

/** Why a bundle cannot be used: none yet ('missing'), damaged ('corrupt') or of another format ('incompatible'). */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'corrupt' | 'incompatible',
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

const BUNDLES = 'bundles';
const CURRENT = 'CURRENT';
const CURRENT_TMP = 'CURRENT.tmp';
const TMP_PREFIX = '.tmp-';
const MANIFEST = 'manifest.json';
const PASSAGES = 'passages.json';
const VECTORS = 'vectors.f32';
const GRAPH = 'vectors.hnsw';
/** Key inside manifest.json holding the sha256 of the manifest without that key; stripped on read. */
const SELF_CHECKSUM = 'manifestSha256';
// "20250131T235959123Z-0a1b2c3d": sorts by time; also the only names cleanup will ever delete.
const ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

// Hand-written checks rather than zod: this runs on every start and on every passage, and keeps the
// crash-test writer quick to spawn.
type Check = (value: unknown) => string | null; // null = fine, else what is wrong

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

const checkHnsw: Check = (v) => {
  if (v === null) return null;
  if (!isRecord(v)) return 'must be an object or null';
  for (const key of ['M', 'efConstruction', 'efSearch'])
    if (!isWhole(v[key], 1)) return `${key} must be a whole number ≥ 1`;
  return null;
};

const checkFiles: Check = (v) => {
  if (!isRecord(v)) return 'must be an object';
  for (const [name, entry] of Object.entries(v)) {
    if (
      !isRecord(entry) ||
      !isWhole(entry.bytes, 0) ||
      typeof entry.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(entry.sha256)
    ) {
      return `entry ${name} must have bytes and a sha256`;
    }
  }
  return null;
};

const manifestChecks: Record<string, Check> = {
  formatVersion: (v) => (isWhole(v, 0) ? null : 'must be a whole number'),
  builtAt: (v) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? null : 'must be an ISO date'),
  modelId: (v) => (isStringOrNull(v) ? null : 'must be a string or null'),
  dimension: (v) => (v === null || isWhole(v, 1) ? null : 'must be a whole number ≥ 1 or null'),
  corpusHashes: (v) =>
    isRecord(v) && Object.values(v).every((h) => typeof h === 'string') ? null : 'must map sources to hashes',
  passageCount: (v) => (isWhole(v, 0) ? null : 'must be a whole number'),
  hnsw: checkHnsw,
  chunkerVersion: (v) => (typeof v === 'number' && Number.isInteger(v) ? null : 'must be a whole number'),
  files: checkFiles,
  extra: (v) => (v === undefined || isRecord(v) ? null : 'must be an object'),
};

function manifestProblem(v: Record<string, unknown>): string | null {
  for (const [key, check] of Object.entries(manifestChecks)) {
    const problem = check(v[key]);
    if (problem) return `${key} ${problem}`;
  }
  return null;
}

function isPassage(v: unknown): boolean {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.docTitle === 'string' &&
    isStringOrNull(v.date) &&
    isStringOrNull(v.section) &&
    typeof v.source === 'string' &&
    isWhole(v.position, 0) &&
    typeof v.text === 'string'
  );
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Re-reads a written file: nothing in the write path reports short writes reliably (hnswlib does not at all). */
async function verifyWritten(file: string, expected: { bytes: number; sha256: string }): Promise<void> {
  const back = await readFile(file);
  if (back.length !== expected.bytes) {
    throw new Error(`${path.basename(file)} reads back as ${back.length} bytes, ${expected.bytes} were written`);
  }
  if (sha256(back) !== expected.sha256) throw new Error(`${path.basename(file)} reads back with different contents`);
}

// ---------------------------------------------------------------------------------------------------
// Encoding

function encodeVectors(vectors: readonly number[][], dimension: number): Buffer {
  const flat = new Float32Array(vectors.length * dimension);
  vectors.forEach((row, i) => {
    if (row.length !== dimension) throw new Error(`vector ${i} has ${row.length} dimensions, expected ${dimension}`);
    for (let j = 0; j < dimension; j++) {
      const x = row[j]!;
      if (!Number.isFinite(x)) throw new Error(`vector ${i} has a non-finite value at position ${j}`);
      flat[i * dimension + j] = x;
    }
  });
  const buf = Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength);
  if (endianness() === 'BE') for (let i = 0; i < flat.length; i++) buf.writeFloatLE(flat[i]!, i * 4);
  return buf;
}

function decodeVectors(buf: Buffer, count: number, dimension: number): number[][] {
  const values = count * dimension;
  let flat: Float32Array;
  if (endianness() === 'LE') {
    const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    flat = new Float32Array(aligned.buffer, aligned.byteOffset, values);
  } else {
    flat = new Float32Array(values);
    for (let i = 0; i < values; i++) flat[i] = buf.readFloatLE(i * 4);
  }
  const rows: number[][] = new Array(count);
  for (let i = 0; i < count; i++) rows[i] = Array.from(flat.subarray(i * dimension, (i + 1) * dimension));
  return rows;
}

/** manifest.json text with its own checksum as the last key, so one flipped byte anywhere is caught. */
function encodeManifest(manifest: BundleManifest): string {
  const body = JSON.stringify(manifest);
  return JSON.stringify({ ...manifest, [SELF_CHECKSUM]: sha256(body) }, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------------
// Bundle ids and CURRENT

let lastIdMs = 0;
function newBundleId(): string {
  // Strictly increasing within a process, even for two bundles in the same millisecond.
  const ms = Math.max(Date.now(), lastIdMs + 1);
  lastIdMs = ms;
  return `${new Date(ms).toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** The bundle id CURRENT names; BundleError('missing') when there is none. */
async function readCurrentId(indexDir: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path.join(indexDir, CURRENT), 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') {
      throw new BundleError(`no index bundle yet in ${indexDir} (${CURRENT} is missing)`, 'missing');
    }
    throw new BundleError(`${CURRENT} in ${indexDir} cannot be read: ${describeError(err)}`, 'corrupt');
  }
  const id = text.trim();
  if (!ID_PATTERN.test(id)) {
    throw new BundleError(
      `${CURRENT} in ${indexDir} does not name a bundle (${JSON.stringify(text.slice(0, 60))})`,
      'corrupt',
    );
  }
  return id;
}

async function readCurrentIdOrNull(indexDir: string): Promise<string | null> {
  try {
    return await readCurrentId(indexDir);
  } catch {
    return null;
  }
}

async function switchCurrent(indexDir: string, id: string): Promise<void> {
  const tmp = path.join(indexDir, CURRENT_TMP);
  await writeDurable(tmp, id + '\n');
  await rename(tmp, path.join(indexDir, CURRENT));
  await fsyncDir(indexDir);
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * Writes a complete bundle and makes it current. Builds the vector graph when `vectors` are given
 * without `vectorIndex`. Returns the bundle as a later readBundle would (vectors as given).
 */
export async function writeBundle(
  indexDir: string,
  data: BundleData & { manifest: BundleManifestInput; vectorIndex: VectorIndex | null },
): Promise<LoadedBundle> {
  const { passages, vectors } = data;
  const n = passages.length;
  const { dimension, vectorIndex } = vectorSideOf(data);
  const passagesBuf = Buffer.from(JSON.stringify(passages), 'utf8');
  const vectorsBuf = vectors && dimension !== null ? encodeVectors(vectors, dimension) : null;

  const bundlesDir = path.join(indexDir, BUNDLES);
  return withWriterLock(bundlesDir, async () => {
    const id = newBundleId();
    const tmpDir = path.join(bundlesDir, TMP_PREFIX + id);
    const finalDir = path.join(bundlesDir, id);
    try {
      await mkdir(tmpDir);
      const files = await writeDataFiles(
        tmpDir,
        passagesBuf,
        vectorsBuf ? { vectorsBuf, vectorIndex: vectorIndex! } : null,
      );
      const manifest: BundleManifest = {
        formatVersion: BUNDLE_FORMAT_VERSION,
        builtAt: new Date().toISOString(),
        modelId: data.manifest.modelId,
        dimension,
        corpusHashes: data.manifest.corpusHashes,
        passageCount: n,
        hnsw: vectorIndex ? { ...vectorIndex.params } : null,
        chunkerVersion: data.manifest.chunkerVersion,
        files,
        ...(data.manifest.extra !== undefined ? { extra: data.manifest.extra } : {}),
      };
      const manifestText = encodeManifest(manifest);
      // Written last: a folder with a valid manifest has every file it lists.
      await writeDurable(path.join(tmpDir, MANIFEST), manifestText);
      await verifyWritten(path.join(tmpDir, MANIFEST), {
        bytes: Buffer.byteLength(manifestText),
        sha256: sha256(manifestText),
      });
      await fsyncDir(tmpDir);
      await publish(indexDir, id);
      log.info('index bundle written', { bundle: id, passages: n, dimension });
      // Parse the manifest back so the caller holds exactly what a later read would return.
      const loaded = parseManifest(manifestText, finalDir);
      return { passages, vectors, manifest: loaded, vectorIndex, dir: finalDir };
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  });
}

/** The dimension and vector graph a bundle will hold (the graph built here when not given), checked against the passages. */
function vectorSideOf(data: BundleData & { manifest: BundleManifestInput; vectorIndex: VectorIndex | null }): {
  dimension: number | null;
  vectorIndex: VectorIndex | null;
} {
  const { passages, vectors } = data;
  const n = passages.length;
  if (!vectors) {
    if (data.vectorIndex)
      throw new Error('writeBundle: a vector index was given without the vectors it was built from');
    return { dimension: null, vectorIndex: null };
  }
  if (vectors.length !== n) throw new Error(`writeBundle: ${vectors.length} vectors for ${n} passages`);
  const dimension = data.manifest.dimension ?? vectors[0]?.length ?? null;
  if (dimension === null)
    throw new Error('writeBundle: the dimension of an empty vector set must be given in the manifest');
  const vectorIndex = data.vectorIndex ?? VectorIndex.build(vectors, dimension, data.manifest.hnsw ?? DEFAULT_HNSW);
  if (vectorIndex.size !== n || vectorIndex.dimension !== dimension) {
    throw new Error(
      `writeBundle: vector index holds ${vectorIndex.size} × ${vectorIndex.dimension}, expected ${n} × ${dimension}`,
    );
  }
  return { dimension, vectorIndex };
}

/** Writes, fsyncs and reads back the passages (and the vectors and their graph) into `dir`; returns their manifest entries. */
async function writeDataFiles(
  dir: string,
  passagesBuf: Buffer,
  vectorSide: { vectorsBuf: Buffer; vectorIndex: VectorIndex } | null,
): Promise<BundleManifest['files']> {
  const files: BundleManifest['files'] = {};
  const put = async (name: string, buf: Buffer) => {
    const entry = { bytes: buf.length, sha256: sha256(buf) };
    await writeDurable(path.join(dir, name), buf);
    await verifyWritten(path.join(dir, name), entry);
    files[name] = entry;
  };
  await put(PASSAGES, passagesBuf);
  if (vectorSide) {
    await put(VECTORS, vectorSide.vectorsBuf);
    const graphFile = path.join(dir, GRAPH);
    await vectorSide.vectorIndex.save(graphFile); // validates the graph and fsyncs
    const graph = await readFile(graphFile);
    files[GRAPH] = { bytes: graph.length, sha256: sha256(graph) };
  }
  return files;
}

/** Moves the complete bundle `id` from its temp folder into place and points CURRENT at it. */
async function publish(indexDir: string, id: string): Promise<void> {
  const bundlesDir = path.join(indexDir, BUNDLES);
  // Make room before the new bundle appears, keeping only the current one: a crash at any later
  // point then leaves at most two bundles (current and new) instead of three until the next write.
  const previous = await readCurrentIdOrNull(indexDir);
  await removeOldBundles(bundlesDir, TMP_PREFIX + id, previous);
  await rename(path.join(bundlesDir, TMP_PREFIX + id), path.join(bundlesDir, id));
  await fsyncDir(bundlesDir);

  await switchCurrent(indexDir, id);
  await removeOldBundles(bundlesDir, id, previous);
}

/** Keeps the current bundle and the one before it; removes older bundles and temp folders of crashed writes. */
async function removeOldBundles(bundlesDir: string, current: string, previous: string | null): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(bundlesDir);
  } catch (err) {
    log.warn('cannot list index bundles for cleanup', { dir: bundlesDir, error: err });
    return;
  }
  for (const name of entries) {
    if (name === current || name === previous) continue;
    if (await isLockFile(bundlesDir, name)) continue;
    const isBundle = ID_PATTERN.test(name);
    const isTemp = name.startsWith(TMP_PREFIX) && ID_PATTERN.test(name.slice(TMP_PREFIX.length));
    if (!isBundle && !isTemp) continue; // not ours: leave it alone
    try {
      // Rename first so a crash mid-delete never leaves a half-deleted folder under a bundle name.
      const doomed = isBundle ? path.join(bundlesDir, TMP_PREFIX + name) : path.join(bundlesDir, name);
      if (isBundle) await rename(path.join(bundlesDir, name), doomed);
      await rm(doomed, { recursive: true, force: true });
    } catch (err) {
      log.warn('cannot remove an old index bundle', { bundle: name, error: err });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading

function parseManifest(text: string, dir: string): BundleManifest {
  const where = `bundle ${path.basename(dir)}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BundleError(
      `${where}: ${MANIFEST} is not valid JSON (${text.length} bytes; truncated or corrupted)`,
      'corrupt',
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BundleError(`${where}: ${MANIFEST} is not a JSON object`, 'corrupt');
  }
  const record = raw as Record<string, unknown>;
  // Checked before anything else: another format may lay out (or checksum) the manifest differently.
  if (record.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new BundleError(
      `${where}: format version ${JSON.stringify(record.formatVersion)}, this program reads version ${BUNDLE_FORMAT_VERSION}`,
      'incompatible',
    );
  }
  const { [SELF_CHECKSUM]: claimed, ...body } = record;
  if (typeof claimed !== 'string' || sha256(JSON.stringify(body)) !== claimed) {
    throw new BundleError(`${where}: ${MANIFEST} fails its checksum (edited or corrupted)`, 'corrupt');
  }
  const problem = manifestProblem(body);
  if (problem) throw new BundleError(`${where}: ${MANIFEST} is malformed: ${problem}`, 'corrupt');
  const manifest = body as unknown as BundleManifest;
  const expected = manifest.dimension === null ? [PASSAGES] : [PASSAGES, VECTORS, GRAPH];
  const listed = Object.keys(manifest.files).sort();
  if (listed.join() !== [...expected].sort().join()) {
    throw new BundleError(
      `${where}: ${MANIFEST} lists files [${listed.join(', ')}], expected [${expected.join(', ')}]`,
      'corrupt',
    );
  }
  return manifest;
}

async function readManifestOf(dir: string): Promise<BundleManifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (err) {
    const what =
      errorCode(err) === 'ENOENT' ? 'is missing' : `cannot be read (${errorCode(err) ?? describeError(err)})`;
    const folder = await stat(dir).then(
      () => true,
      () => false,
    );
    throw new BundleError(
      folder
        ? `bundle ${path.basename(dir)}: ${MANIFEST} ${what}`
        : `${CURRENT} names bundle ${path.basename(dir)}, which does not exist`,
      'corrupt',
    );
  }
  return parseManifest(text, dir);
}

/** Reads one bundle file and checks it against the manifest: BundleError('corrupt') saying what is wrong. */
async function readChecked(dir: string, name: string, entry: { bytes: number; sha256: string }): Promise<Buffer> {
  const where = `bundle ${path.basename(dir)}`;
  let buf: Buffer;
  try {
    buf = await readFile(path.join(dir, name));
  } catch (err) {
    const what =
      errorCode(err) === 'ENOENT' ? 'is missing' : `cannot be read (${errorCode(err) ?? describeError(err)})`;
    throw new BundleError(`${where}: ${name} ${what}`, 'corrupt');
  }
  if (buf.length !== entry.bytes) {
    const why = buf.length < entry.bytes ? 'truncated' : 'longer than written';
    throw new BundleError(`${where}: ${name} is ${buf.length} bytes, expected ${entry.bytes} (${why})`, 'corrupt');
  }
  const actual = sha256(buf);
  if (actual !== entry.sha256) {
    throw new BundleError(
      `${where}: ${name} has sha256 ${actual.slice(0, 12)}…, expected ${entry.sha256.slice(0, 12)}… (contents corrupted)`,
      'corrupt',
    );
  }
  return buf;
}

async function loadBundle(indexDir: string, id: string, params: HnswParams | undefined): Promise<LoadedBundle> {
  const dir = path.join(indexDir, BUNDLES, id);
  const manifest = await readManifestOf(dir);
  const where = `bundle ${id}`;
  const n = manifest.passageCount;

  const passagesBuf = await readChecked(dir, PASSAGES, manifest.files[PASSAGES]!);
  let passagesRaw: unknown;
  try {
    passagesRaw = JSON.parse(passagesBuf.toString('utf8'));
  } catch {
    throw new BundleError(`${where}: ${PASSAGES} is not valid JSON`, 'corrupt');
  }
  if (!Array.isArray(passagesRaw))
    throw new BundleError(`${where}: ${PASSAGES} does not hold a list of passages`, 'corrupt');
  const bad = passagesRaw.findIndex((p) => !isPassage(p));
  if (bad >= 0) throw new BundleError(`${where}: ${PASSAGES} entry ${bad} is not a passage`, 'corrupt');
  const passages = passagesRaw as Passage[];
  if (passages.length !== n)
    throw new BundleError(`${where}: ${PASSAGES} holds ${passages.length} passages, manifest says ${n}`, 'corrupt');

  const dimension = manifest.dimension;
  if (dimension === null) return { passages, vectors: null, manifest, vectorIndex: null, dir };

  const vectorsBuf = await readChecked(dir, VECTORS, manifest.files[VECTORS]!);
  if (vectorsBuf.length !== n * dimension * 4) {
    throw new BundleError(
      `${where}: ${VECTORS} is ${vectorsBuf.length} bytes, expected ${n} × ${dimension} float32`,
      'corrupt',
    );
  }
  const vectors = decodeVectors(vectorsBuf, n, dimension);

  const built = manifest.hnsw ?? params ?? DEFAULT_HNSW;
  const effective: HnswParams = {
    M: built.M,
    efConstruction: built.efConstruction,
    efSearch: params?.efSearch ?? built.efSearch,
  };
  let vectorIndex: VectorIndex;
  try {
    // Checksum first: hnswlib trusts the file and a damaged graph can crash the process.
    await readChecked(dir, GRAPH, manifest.files[GRAPH]!);
    vectorIndex = await VectorIndex.load(path.join(dir, GRAPH), dimension, n, effective);
  } catch (err) {
    // The vectors are intact, so the graph can be rebuilt from them; the bundle itself stays as is.
    log.warn('vector graph unusable; rebuilding it from the saved vectors (re-index to persist the fix)', {
      bundle: id,
      reason: describeError(err),
      passages: n,
    });
    vectorIndex = VectorIndex.build(vectors, dimension, effective);
  }
  return { passages, vectors, manifest, vectorIndex, dir };
}

/**
 * Loads the current bundle, verifying every file. BundleError 'missing' when there is none,
 * 'corrupt' naming the damaged file, 'incompatible' for another format version. A damaged
 * vectors.hnsw is rebuilt from vectors.f32 (with a warning) instead of failing. `params.efSearch`
 * overrides the stored one.
 */
export async function readBundle(indexDir: string, params?: HnswParams): Promise<LoadedBundle> {
  return withCurrentBundle(indexDir, (id) => loadBundle(indexDir, id, params));
}

/** The current bundle's manifest (checksum-verified), without reading its data; null if none is readable. */
export async function readManifest(indexDir: string): Promise<BundleManifest | null> {
  try {
    return await withCurrentBundle(indexDir, (id) => readManifestOf(path.join(indexDir, BUNDLES, id)));
  } catch {
    return null;
  }
}

/** Runs fn on the bundle CURRENT names; if it fails because a writer switched CURRENT and removed that bundle meanwhile, again. */
async function withCurrentBundle<T>(indexDir: string, fn: (id: string) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const id = await readCurrentId(indexDir);
    try {
      return await fn(id);
    } catch (err) {
      if (attempt < 3 && err instanceof BundleError && err.reason === 'corrupt') {
        const now = await readCurrentIdOrNull(indexDir);
        if (now !== null && now !== id) continue;
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Bundles as files, for copying a bundle between processes (cluster/central-index.ts publishes a built
// bundle in PostgreSQL and the other copies install it in their own index folder).

/** One bundle as its raw files: the manifest text and every file it lists. */
export interface BundleFiles {
  /** The bundle's folder name (its id), kept when it is installed elsewhere. */
  id: string;
  manifestText: string;
  files: Map<string, Buffer>;
}

/** The current bundle's id, or null when there is none (or CURRENT is unreadable). */
export function currentBundleId(indexDir: string): Promise<string | null> {
  return readCurrentIdOrNull(indexDir);
}

/** The current bundle's files, each verified against the manifest; BundleError when missing or damaged. */
export async function readCurrentBundleFiles(indexDir: string): Promise<BundleFiles> {
  return withCurrentBundle(indexDir, async (id) => {
    const dir = path.join(indexDir, BUNDLES, id);
    const manifestText = await readFile(path.join(dir, MANIFEST), 'utf8').catch(() => '');
    const manifest = parseManifest(manifestText, dir);
    const files = new Map<string, Buffer>();
    for (const [name, entry] of Object.entries(manifest.files)) files.set(name, await readChecked(dir, name, entry));
    return { id, manifestText, files };
  });
}

/**
 * Installs a bundle copied from elsewhere under its own id and makes it current, with the same writer lock,
 * durability and cleanup as writeBundle. Every file is checked against the manifest (and the manifest
 * against its own checksum) before anything is written: BundleError('corrupt') otherwise.
 */
export async function installBundleFiles(indexDir: string, bundle: BundleFiles): Promise<BundleManifest> {
  if (!ID_PATTERN.test(bundle.id)) throw new BundleError(`not a bundle id: ${JSON.stringify(bundle.id)}`, 'corrupt');
  const manifest = parseManifest(bundle.manifestText, bundle.id);
  for (const [name, entry] of Object.entries(manifest.files)) {
    const buf = bundle.files.get(name);
    if (!buf || buf.length !== entry.bytes || sha256(buf) !== entry.sha256)
      throw new BundleError(`bundle ${bundle.id}: ${name} is missing or differs from its manifest entry`, 'corrupt');
  }
  const bundlesDir = path.join(indexDir, BUNDLES);
  return withWriterLock(bundlesDir, async () => {
    const tmpDir = path.join(bundlesDir, TMP_PREFIX + bundle.id);
    try {
      await rm(tmpDir, { recursive: true, force: true });
      await mkdir(tmpDir);
      for (const name of Object.keys(manifest.files))
        await writeDurable(path.join(tmpDir, name), bundle.files.get(name)!);
      await writeDurable(path.join(tmpDir, MANIFEST), bundle.manifestText);
      await fsyncDir(tmpDir);
      const previous = await readCurrentIdOrNull(indexDir);
      if (previous === bundle.id) {
        await rm(tmpDir, { recursive: true, force: true });
        return manifest;
      }
      await removeOldBundles(bundlesDir, TMP_PREFIX + bundle.id, previous);
      await rm(path.join(bundlesDir, bundle.id), { recursive: true, force: true });
      await rename(tmpDir, path.join(bundlesDir, bundle.id));
      await fsyncDir(bundlesDir);
      await switchCurrent(indexDir, bundle.id);
      await removeOldBundles(bundlesDir, bundle.id, previous);
      log.info('index bundle installed', { bundle: bundle.id, passages: manifest.passageCount });
      return manifest;
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  });
}
