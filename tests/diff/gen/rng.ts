// Seeded PRNG for the instruction generator (mulberry32 over a splitmix-style
// seed): the same seed gives the same program on every machine.
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  /** Uniform 32-bit unsigned. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  bool(p = 0.5): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** A `bits`-wide value, biased toward the edge cases that break ALUs. */
  value(bits: 8 | 16 | 32 | 64): bigint {
    const mask = (1n << BigInt(bits)) - 1n;
    const top = 1n << BigInt(bits - 1);
    switch (this.int(8)) {
      case 0: return this.pick([0n, 1n, 2n, mask, mask - 1n, top, top - 1n, top + 1n]);
      case 1: return BigInt(this.int(256)) & mask; // small
      case 2: return (mask - BigInt(this.int(256))) & mask; // small negative
      case 3: return (1n << BigInt(this.int(bits))) & mask; // one bit
      default: return ((BigInt(this.u32()) << 32n) | BigInt(this.u32())) & mask;
    }
  }
}
