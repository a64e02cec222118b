// A set of object ids as bits: what each rule with a relevance filter judges, kept for every
// rule (about 80 of them) through a scan. 100,000 ids are 12.5 KB as bits, megabytes as a Set.

/** Ids above this are kept in a plain Set (an id is an index into the scanned objects; a bitset that large would be mostly empty). */
const MAX_BIT = 1 << 26;

/** A set of non-negative integers, iterated in ascending order (other values are ignored by `add`). */
export class IdSet implements Iterable<number> {
  private bits = new Uint32Array(0);
  private count = 0;
  private large?: Set<number>;

  constructor(ids: Iterable<number> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.count + (this.large?.size ?? 0);
  }

  add(id: number): this {
    if (!Number.isInteger(id) || id < 0) return this;
    if (id >= MAX_BIT) {
      (this.large ??= new Set()).add(id);
      return this;
    }
    const w = id >>> 5;
    if (w >= this.bits.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const m = 1 << (id & 31);
    if ((this.bits[w] & m) === 0) {
      this.bits[w] |= m;
      this.count++;
    }
    return this;
  }

  has(id: number): boolean {
    if (id >= MAX_BIT) return this.large?.has(id) ?? false;
    const w = id >>> 5;
    return Number.isInteger(id) && id >= 0 && w < this.bits.length && (this.bits[w] & (1 << (id & 31))) !== 0;
  }

  *[Symbol.iterator](): Generator<number> {
    for (let w = 0; w < this.bits.length; w++) {
      let word = this.bits[w];
      while (word !== 0) {
        const low = word & -word;
        yield w * 32 + (31 - Math.clz32(low));
        word ^= low;
      }
    }
    if (this.large) yield* [...this.large].sort((a, b) => a - b);
  }
}
