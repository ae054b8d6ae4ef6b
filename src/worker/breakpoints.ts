/**
 * Execution breakpoints on RIP values (64-bit, kept as lo/hi words). The
 * check runs before every instruction while any is set, so it is a typed
 * set lookup on the low word first and an exact compare only on a hit.
 */
export class Breakpoints {
  private readonly byLo = new Map<number, Set<number>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(address: bigint): void {
    const [lo, hi] = split(address);
    let his = this.byLo.get(lo);
    if (!his) this.byLo.set(lo, (his = new Set()));
    if (!his.has(hi)) { his.add(hi); this.count++; }
  }

  delete(address: bigint): void {
    const [lo, hi] = split(address);
    const his = this.byLo.get(lo);
    if (his?.delete(hi)) {
      this.count--;
      if (his.size === 0) this.byLo.delete(lo);
    }
  }

  has(lo: number, hi: number): boolean {
    const his = this.byLo.get(lo >>> 0);
    return his !== undefined && his.has(hi >>> 0);
  }

  list(): bigint[] {
    const out: bigint[] = [];
    for (const [lo, his] of this.byLo) for (const hi of his) out.push((BigInt(hi) << 32n) | BigInt(lo));
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function split(a: bigint): [number, number] {
  return [Number(a & 0xffffffffn), Number((a >> 32n) & 0xffffffffn)];
}
