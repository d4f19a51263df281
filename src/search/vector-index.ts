// The only module that touches hnswlib-node. hnswlib trusts its files completely: a damaged graph makes
// searchKnn read out of bounds and the whole process dies (SIGSEGV, seen in practice), and a file built
// for another dimension loads silently. So every file is checked structurally in JS before readIndex
// sees it, always into a fresh native object, and probed after.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { describeError } from '../errors.js';

type NativeIndex = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** The HNSW graph's build and search settings (hnswlib's M, efConstruction and ef). */
export interface HnswParams {
  /** Graph degree; more = better recall, more memory. */
  M: number;
  efConstruction: number;
  /** Candidate list size at query time; not stored in the file, so it is set after every load. */
  efSearch: number;
}

/**
 * The shipped graph settings. efSearch 100: on random 64-d vectors ef 64 gave recall@10 ≈ 0.975 against
 * exact search, ef 100 ≈ 0.995; ef is a query-time setting (not saved in the file), so changing it
 * rebuilds nothing.
 */
export const DEFAULT_HNSW: HnswParams = Object.freeze({ M: 16, efConstruction: 200, efSearch: 100 });

/** One nearest neighbour found by VectorIndex.search. */
export interface VectorHit {
  /** Position of the vector in the array the index was built from (= passage index). */
  index: number;
  /** Cosine similarity, 1 = same direction. */
  score: number;
}

/** Anything the caller may hand us as a vector; typed arrays are copied into the plain arrays hnswlib needs. */
export type VectorLike = readonly number[] | Float32Array | Float64Array;

// Fixed seed: the same vectors and params give the same graph, byte for byte.
const RANDOM_SEED = 100;
const HEADER_BYTES = 96;
// Self-match tolerance for the post-load probe (float32 rounding of 1 - dot).
const PROBE_EPSILON = 1e-4;

function checkParams(params: HnswParams): void {
  const ok = (v: number, max: number) => Number.isInteger(v) && v >= 1 && v <= max;
  if (!ok(params.M, 10_000) || params.M < 2)
    throw new Error(`HNSW M must be a whole number from 2 to 10000, got ${params.M}`);
  if (!ok(params.efConstruction, 1_000_000))
    throw new Error(`HNSW efConstruction must be a whole number ≥ 1, got ${params.efConstruction}`);
  if (!ok(params.efSearch, 1_000_000))
    throw new Error(`HNSW efSearch must be a whole number ≥ 1, got ${params.efSearch}`);
}

function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 65_536) {
    throw new Error(`vector dimension must be a whole number from 1 to 65536, got ${dimension}`);
  }
}

/** hnswlib-node only accepts plain arrays (a Float32Array throws a TypeError deep inside), and NaN poisons the graph. */
function toPlainVector(v: VectorLike, dimension: number, what: string): number[] {
  if (!Array.isArray(v) && !(v instanceof Float32Array) && !(v instanceof Float64Array)) {
    throw new TypeError(`${what} must be an array of numbers or a Float32Array`);
  }
  if (v.length !== dimension) throw new Error(`${what} has ${v.length} dimensions, expected ${dimension}`);
  const out = Array.isArray(v) ? (v as number[]) : Array.from(v);
  for (let i = 0; i < dimension; i++) {
    const x = out[i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new Error(`${what} has a non-finite value at position ${i}`);
  }
  return out;
}

interface HnswHeader {
  maxElements: number;
  count: number;
  M: number;
  efConstruction: number;
}

/** Every field of the 96-byte header hnswlib writes before the level-0 data. */
interface RawHnswHeader extends HnswHeader {
  offsetLevel0: number;
  sizePerElement: number;
  labelOffset: number;
  offsetData: number;
  maxLevel: number;
  enterPoint: number;
  maxM: number;
  maxM0: number;
}

/**
 * Checks an hnswlib HierarchicalNSW file well enough that hnswlib cannot crash on it: header consistent
 * with `dimension`, every neighbour id in range and present on the level it is linked at, labels a
 * permutation of 0..n-1, vectors finite, no trailing or missing bytes. Throws an Error saying what is wrong.
 */
function inspectHnswFile(file: Buffer, dimension: number, expectedCount: number): HnswHeader {
  const len = file.length;
  if (len < HEADER_BYTES)
    throw new Error(`file is ${len} bytes, shorter than the ${HEADER_BYTES}-byte header (truncated)`);
  // Typed views need 4-byte alignment; fs buffers normally are, small pooled ones may not be.
  const buf = file.byteOffset % 4 === 0 ? file : Buffer.from(file);
  const header = readHnswHeader(buf);
  const { maxElements, count, M, efConstruction } = header;
  checkHeader(header, dimension, expectedCount);

  const level0End = HEADER_BYTES + count * header.sizePerElement;
  if (level0End + 4 * count > len) {
    throw new Error(`file is ${len} bytes, too short for ${count} vectors of dimension ${dimension} (truncated)`);
  }
  if (count === 0) {
    if (len !== HEADER_BYTES) throw new Error(`empty index has ${len - HEADER_BYTES} unexpected trailing bytes`);
    return { maxElements, count, M, efConstruction };
  }
  if (header.maxLevel < 0 || header.maxLevel > 64) throw new Error(`header maxLevel ${header.maxLevel} is implausible`);
  if (header.enterPoint >= count) throw new Error(`header entry point ${header.enterPoint} is out of range`);
  checkLevel0(buf, header, dimension);
  const { levels, listStart } = upperLevelLists(buf, header, level0End);
  checkUpperLinks(buf, header, levels, listStart);
  return { maxElements, count, M, efConstruction };
}

function readHnswHeader(buf: Buffer): RawHnswHeader {
  const u64 = (offset: number, name: string): number => {
    const v = buf.readBigUInt64LE(offset);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`header field ${name} is implausibly large (${v})`);
    return Number(v);
  };
  return {
    offsetLevel0: u64(0, 'offsetLevel0'),
    maxElements: u64(8, 'maxElements'),
    count: u64(16, 'count'),
    sizePerElement: u64(24, 'sizeDataPerElement'),
    labelOffset: u64(32, 'labelOffset'),
    offsetData: u64(40, 'offsetData'),
    maxLevel: buf.readInt32LE(48),
    enterPoint: buf.readUInt32LE(52),
    maxM: u64(56, 'maxM'),
    maxM0: u64(64, 'maxM0'),
    M: u64(72, 'M'),
    efConstruction: u64(88, 'efConstruction'),
  };
}

/** The header's fields against each other, the expected count and dimension, and sane limits. */
function checkHeader(h: RawHnswHeader, dimension: number, expectedCount: number): void {
  const { count, maxElements, M, maxM, maxM0, offsetData } = h;
  if (count !== expectedCount) throw new Error(`file holds ${count} vectors, expected ${expectedCount}`);
  if (h.offsetLevel0 !== 0)
    throw new Error(`header offsetLevel0 is ${h.offsetLevel0}, expected 0 (not an hnswlib index)`);
  if (maxElements < count) throw new Error(`header maxElements ${maxElements} is below the count ${count}`);
  // We always save with maxElements = count; a huge value would make hnswlib allocate for it.
  if (maxElements > Math.max(2 * count, count + 1024))
    throw new Error(`header maxElements ${maxElements} is implausible for ${count} vectors`);
  if (M < 2 || M > 10_000 || maxM < 1 || maxM > 10_000 || maxM0 < 1 || maxM0 > 20_000) {
    throw new Error(`header link sizes are implausible (M=${M}, maxM=${maxM}, maxM0=${maxM0})`);
  }
  if (offsetData !== 4 + 4 * maxM0) throw new Error(`header offsetData ${offsetData} does not match maxM0 ${maxM0}`);
  const storedDimension = (h.labelOffset - offsetData) / 4;
  if (storedDimension !== dimension) {
    throw new Error(`file was built for dimension ${storedDimension}, expected ${dimension}`);
  }
  if (h.sizePerElement !== h.labelOffset + 8)
    throw new Error(`header element size ${h.sizePerElement} is inconsistent`);
}

/** Level 0: per element a link count (u16) + flags byte + pad, maxM0 links, the vector, the 64-bit label. */
function checkLevel0(buf: Buffer, h: RawHnswHeader, dimension: number): void {
  const { count, maxM0 } = h;
  const u32 = new Uint32Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 4));
  const f32 = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.length / 4));
  const seenLabels = new Uint8Array(count);
  const words = h.sizePerElement / 4; // sizePerElement is a multiple of 4 by construction
  for (let i = 0; i < count; i++) {
    const w = HEADER_BYTES / 4 + i * words;
    const head = u32[w]!;
    const links = head & 0xffff;
    if (head >>> 16 !== 0) throw new Error(`vector ${i} is marked deleted or has a damaged link header`);
    if (links > maxM0) throw new Error(`vector ${i} has ${links} level-0 links, more than ${maxM0}`);
    for (let j = 1; j <= links; j++) {
      if (u32[w + j]! >= count) throw new Error(`vector ${i} links to ${u32[w + j]}, out of range`);
    }
    const d = w + h.offsetData / 4;
    for (let j = 0; j < dimension; j++) {
      if (!Number.isFinite(f32[d + j]!)) throw new Error(`vector ${i} holds a non-finite value`);
    }
    const lw = w + h.labelOffset / 4;
    const label = u32[lw]!;
    if (u32[lw + 1] !== 0 || label >= count || seenLabels[label])
      throw new Error(`vector ${i} has a bad or duplicate label`);
    seenLabels[label] = 1;
  }
}

/**
 * Upper levels, after level 0: per element a byte size, then `level` blocks of (count + maxM links).
 * Returns each element's level and where its blocks start; the file must end with the last of them.
 */
function upperLevelLists(
  buf: Buffer,
  h: RawHnswHeader,
  level0End: number,
): { levels: Int32Array; listStart: Float64Array } {
  const { count, maxLevel, enterPoint } = h;
  const len = buf.length;
  const linkBlock = 4 + 4 * h.maxM;
  const levels = new Int32Array(count);
  const listStart = new Float64Array(count);
  let pos = level0End;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > len) throw new Error(`file ends inside the link lists (truncated)`);
    const size = buf.readUInt32LE(pos);
    pos += 4;
    if (size % linkBlock !== 0)
      throw new Error(`vector ${i} has a link list of ${size} bytes, not a multiple of ${linkBlock}`);
    const level = size / linkBlock;
    if (level > maxLevel) throw new Error(`vector ${i} sits on level ${level}, above the maximum ${maxLevel}`);
    if (pos + size > len) throw new Error(`file ends inside the link lists (truncated)`);
    levels[i] = level;
    listStart[i] = pos;
    pos += size;
  }
  if (pos !== len) throw new Error(`file has ${len - pos} unexpected trailing bytes`);
  if (levels[enterPoint] !== maxLevel) throw new Error(`entry point ${enterPoint} is not on the top level ${maxLevel}`);
  return { levels, listStart };
}

/** A neighbour on level l must itself reach level l, or hnswlib dereferences a missing list. */
function checkUpperLinks(buf: Buffer, h: RawHnswHeader, levels: Int32Array, listStart: Float64Array): void {
  const { count, maxM } = h;
  const linkBlock = 4 + 4 * maxM;
  for (let i = 0; i < count; i++) {
    for (let l = 1; l <= levels[i]!; l++) {
      const at = listStart[i]! + (l - 1) * linkBlock;
      const head = buf.readUInt32LE(at);
      const links = head & 0xffff;
      if (head >>> 16 !== 0 || links > maxM) throw new Error(`vector ${i} has a damaged level-${l} link list`);
      for (let j = 0; j < links; j++) {
        const nb = buf.readUInt32LE(at + 4 + 4 * j);
        if (nb >= count || levels[nb]! < l)
          throw new Error(`vector ${i} links on level ${l} to ${nb}, which is not on that level`);
      }
    }
  }
}

async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Approximate nearest-neighbour search over passage vectors (cosine, hnswlib's HNSW graph), safe against
 * damaged graph files: see the file header.
 */
export class VectorIndex {
  readonly size: number;
  readonly dimension: number;
  /** M and efConstruction the graph was built with; efSearch in use. */
  readonly params: HnswParams;
  #native: NativeIndex;
  // hnswlib's async writeIndex runs on a worker thread; no search may touch the object meanwhile.
  #saving = false;

  private constructor(native: NativeIndex, size: number, dimension: number, params: HnswParams) {
    this.#native = native;
    this.size = size;
    this.dimension = dimension;
    this.params = Object.freeze({ ...params });
  }

  /** Builds a cosine graph; label i = vectors[i]. Synchronous and CPU-bound (hnswlib inserts one at a time). */
  static build(vectors: readonly VectorLike[], dimension: number, params: HnswParams = DEFAULT_HNSW): VectorIndex {
    checkDimension(dimension);
    checkParams(params);
    const n = vectors.length;
    const native = new hnswlib.HierarchicalNSW('cosine', dimension);
    native.initIndex({ maxElements: n, m: params.M, efConstruction: params.efConstruction, randomSeed: RANDOM_SEED });
    for (let i = 0; i < n; i++) {
      native.addPoint(toPlainVector(vectors[i]!, dimension, `vector ${i}`), i);
    }
    native.setEf(params.efSearch);
    return new VectorIndex(native, n, dimension, params);
  }

  /**
   * Loads a graph saved by `save`. The file is validated in JS first (hnswlib would crash on a damaged
   * one), read into a fresh native object, then probed. `params.efSearch` is applied (ef is not saved);
   * M and efConstruction are taken from the file. Throws an Error naming the problem.
   */
  static async load(
    file: string,
    dimension: number,
    expectedCount: number,
    params: HnswParams = DEFAULT_HNSW,
  ): Promise<VectorIndex> {
    checkDimension(dimension);
    checkParams(params);
    if (!Number.isInteger(expectedCount) || expectedCount < 0)
      throw new Error(`expected count must be a whole number, got ${expectedCount}`);
    const name = path.basename(file);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new Error(`cannot read vector index ${name}: ${describeError(err)}`);
    }
    let header: HnswHeader;
    try {
      header = inspectHnswFile(bytes, dimension, expectedCount);
    } catch (err) {
      throw new Error(`vector index ${name} is unusable: ${describeError(err)}`);
    }
    // Never into a live object: readIndex frees the old graph first and leaves it dangling on failure.
    const native = new hnswlib.HierarchicalNSW('cosine', dimension);
    try {
      await native.readIndex(file);
    } catch (err) {
      throw new Error(`hnswlib could not read ${name}: ${describeError(err)}`);
    }
    const count = native.getCurrentCount();
    if (count !== expectedCount)
      throw new Error(`vector index ${name} holds ${count} vectors, expected ${expectedCount}`);
    if (native.getMaxElements() < count)
      throw new Error(`vector index ${name} has capacity ${native.getMaxElements()} below its count ${count}`);
    if (native.getNumDimensions() !== dimension)
      throw new Error(`vector index ${name} has dimension ${native.getNumDimensions()}, expected ${dimension}`);
    probe(native, count, dimension, name, params.efSearch);
    native.setEf(params.efSearch);
    return new VectorIndex(native, count, dimension, {
      M: header.M,
      efConstruction: header.efConstruction,
      efSearch: params.efSearch,
    });
  }

  /** Top-k by cosine similarity, best first; k is clamped to the index size. */
  search(query: VectorLike, k: number): VectorHit[] {
    if (this.#saving)
      throw new Error('VectorIndex.search called while the index is being saved; wait for save() to finish');
    const q = toPlainVector(query, this.dimension, 'query vector');
    const kk = Math.min(Math.floor(k), this.size);
    if (!(kk > 0)) return [];
    const { neighbors, distances } = this.#native.searchKnn(q, kk);
    return neighbors.map((index, i) => ({ index, score: 1 - distances[i]! }));
  }

  /**
   * Writes the graph to `file` (via a temporary name and rename, fsynced), after re-reading and
   * validating what hnswlib wrote: it reports no short writes. No search may run until this resolves.
   */
  async save(file: string): Promise<void> {
    if (this.#saving) throw new Error('VectorIndex.save is already running for this index');
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      this.#saving = true;
      try {
        await this.#native.writeIndex(tmp);
      } finally {
        this.#saving = false;
      }
      const written = await readFile(tmp);
      if (written.length === 0) throw new Error('hnswlib wrote an empty file');
      try {
        inspectHnswFile(written, this.dimension, this.size);
      } catch (err) {
        throw new Error(`hnswlib wrote a damaged file: ${describeError(err)}`);
      }
      await fsyncFile(tmp);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new Error(`could not save vector index to ${file}: ${describeError(err)}`);
    }
  }
}

/** Searches for a few stored vectors; each must come back as its own nearest (or an identical twin). */
function probe(native: NativeIndex, count: number, dimension: number, name: string, efSearch: number): void {
  if (count === 0) return;
  native.setEf(Math.max(efSearch, 100));
  const labels = [...new Set([0, count >> 1, count - 1])];
  for (const label of labels) {
    const point = native.getPoint(label);
    if (point.length !== dimension)
      throw new Error(`vector index ${name}: stored vector ${label} has ${point.length} values`);
    if (point.every((x) => x === 0)) continue; // a zero vector has no direction to find
    const k = Math.min(count, 10);
    const { neighbors, distances } = native.searchKnn(point, k);
    const first = neighbors[0];
    const ok =
      first !== undefined &&
      distances[0]! <= PROBE_EPSILON &&
      (first === label || neighbors.includes(label) || sameVector(native.getPoint(first), point));
    if (!ok) {
      throw new Error(
        `vector index ${name} failed its probe: stored vector ${label} found ${first ?? 'nothing'} at distance ${distances[0] ?? 'n/a'}`,
      );
    }
  }
}

function sameVector(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-6);
}

/** Cosine similarity of two vectors of the same length; 0 when either is all zeros. */
export function cosineSimilarity(a: VectorLike, b: VectorLike): number {
  if (a.length !== b.length) throw new Error(`vectors of ${a.length} and ${b.length} dimensions cannot be compared`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0;
}

/** Brute-force cosine top-k, best first (ties by lower index); for validation and benchmarks. */
export function exactSearch(vectors: readonly VectorLike[], query: VectorLike, k: number): VectorHit[] {
  const hits: VectorHit[] = vectors.map((v, index) => {
    if (v.length !== query.length)
      throw new Error(`vector ${index} has ${v.length} dimensions, query has ${query.length}`);
    return { index, score: cosineSimilarity(v, query) };
  });
  hits.sort((a, b) => b.score - a.score || a.index - b.index);
  return hits.slice(0, Math.max(0, Math.min(Math.floor(k), hits.length)));
}
