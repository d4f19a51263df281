// Small measuring helpers for the benchmark: percentiles, medians of repeated runs, memory, a seeded RNG.

/** Percentile by linear interpolation between closest ranks (p in 0..100); NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface LatencySummary {
  /** Number of timed items (questions), each the median of its repeats. */
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const mean = samples.reduce((a, b) => a + b, 0) / (samples.length || 1);
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    mean,
    max: samples.length ? Math.max(...samples) : NaN,
  };
}

/**
 * Times `run(item)` for every item, `rounds` times over (items in order within a round), after
 * `warmup` untimed rounds, and returns each item's median time in ms. The machine is shared with other
 * engineers' test runs, so a per-item median discards the rounds in which another process had the core.
 */
export function timeEach<T>(items: readonly T[], run: (item: T) => unknown, rounds: number, warmup = 1): number[] {
  for (let w = 0; w < warmup; w++) for (const item of items) run(item);
  const times: number[][] = items.map(() => []);
  for (let r = 0; r < rounds; r++) {
    items.forEach((item, i) => {
      const started = performance.now();
      run(item);
      times[i]!.push(performance.now() - started);
    });
  }
  return times.map(median);
}

/** timeEach for asynchronous work (each call awaited before the next starts). */
export async function timeEachAsync<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
  rounds: number,
  warmup = 1,
): Promise<number[]> {
  for (let w = 0; w < warmup; w++) for (const item of items) await run(item);
  const times: number[][] = items.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < items.length; i++) {
      const started = performance.now();
      await run(items[i]!);
      times[i]!.push(performance.now() - started);
    }
  }
  return times.map(median);
}

/** Milliseconds a synchronous call takes, with its result. */
export function timed<T>(run: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

export async function timedAsync<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

const MB = 1024 * 1024;

/** Resident set size now, in MB. */
export function rssMB(): number {
  return process.memoryUsage.rss() / MB;
}

/** Highest resident set size of this process so far, in MB (the kernel's maxrss). */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** JS heap in use plus off-heap buffers (typed arrays), in MB, after a collection when one can be forced. */
export function liveMemoryMB(): { heapUsed: number; arrayBuffers: number; external: number; rss: number } {
  collectGarbage();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed / MB, arrayBuffers: m.arrayBuffers / MB, external: m.external / MB, rss: m.rss / MB };
}

/** Runs a full GC when node was started with --expose-gc (the bench's child processes are). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every run benchmarks the same data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random direction in `dimension` dimensions, unit length (Gaussian coordinates, so uniform on the sphere). */
export function randomUnitVector(random: () => number, dimension: number): number[] {
  const v = new Array<number>(dimension);
  let norm = 0;
  for (let i = 0; i < dimension; i += 2) {
    // Box–Muller gives two independent normals per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    v[i] = r * Math.cos(theta);
    if (i + 1 < dimension) v[i + 1] = r * Math.sin(theta);
  }
  for (let i = 0; i < dimension; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimension; i++) v[i] = v[i]! / norm;
  return v;
}

/** Fisher–Yates shuffle in place with the given RNG. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
