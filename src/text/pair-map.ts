// A hash map keyed by pairs of ids, for the term interner's bigrams (see term-interner.ts).
/**
 * An open-addressing hash map from pairs of non-negative ids to ids, in typed arrays: the bigram lookup
 * runs once per syllable of the corpus, where a JS Map of Maps costs several times more.
 */
export class PairMap {
  /** Slot i: [first, second, value + 1] at 3i (value 0 = empty), one cache line per probe. */
  private table = new Int32Array(3 << 12);
  private count = 0;

  private slotOf(first: number, second: number): number {
    const table = this.table;
    const mask = table.length / 3 - 1;
    let slot = (Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    while (table[3 * slot + 2] !== 0 && (table[3 * slot] !== first || table[3 * slot + 1] !== second))
      slot = (slot + 1) & mask;
    return slot;
  }

  /** The value for the pair, or -1. */
  get(first: number, second: number): number {
    return this.table[3 * this.slotOf(first, second) + 2]! - 1;
  }

  set(first: number, second: number, value: number): void {
    if (2 * (this.count + 1) > this.table.length / 3) this.grow();
    const at = 3 * this.slotOf(first, second);
    if (this.table[at + 2] === 0) this.count++;
    this.table[at] = first;
    this.table[at + 1] = second;
    this.table[at + 2] = value + 1;
  }

  forEach(visit: (first: number, second: number, value: number) => void): void {
    const table = this.table;
    for (let at = 0; at < table.length; at += 3)
      if (table[at + 2] !== 0) visit(table[at]!, table[at + 1]!, table[at + 2]! - 1);
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) continue;
      const slot = 3 * this.slotOf(old[at]!, old[at + 1]!);
      this.table[slot] = old[at]!;
      this.table[slot + 1] = old[at + 1]!;
      this.table[slot + 2] = old[at + 2]!;
    }
  }
}
