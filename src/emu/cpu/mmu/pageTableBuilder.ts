import type { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { PTE_P, PTE_PS, PTE_RW, PTE_US } from './pagingBits.ts';

export type BuilderMode = 'bits32' | 'pae' | 'level4' | 'level5';

const TWO32 = 4294967296;

/**
 * Builds paging structures in guest RAM for tests and bare-metal fixtures:
 * tables come from a bump allocator starting at `base`. Not used by the CPU.
 */
export class PageTableBuilder {
  /** The value for CR3 (the root table; for PAE, the PDPT). */
  readonly root: number;
  private next: number;

  constructor(readonly mem: PhysicalMemory, readonly mode: BuilderMode, base: number) {
    this.next = base;
    this.root = this.alloc();
  }

  /** A zeroed, 4 KiB-aligned page of RAM. */
  alloc(): number {
    const pa = this.next;
    this.next += 4096;
    this.mem.u8.fill(0, pa, pa + 4096);
    return pa;
  }

  private get topLevel(): number {
    return { bits32: 2, pae: 3, level4: 4, level5: 5 }[this.mode];
  }

  private get entrySize(): number {
    return this.mode === 'bits32' ? 4 : 8;
  }

  private index(laLo: number, laHi: number, level: number): number {
    if (this.mode === 'bits32') return level === 2 ? laLo >>> 22 : (laLo >>> 12) & 0x3ff;
    if (this.mode === 'pae' && level === 3) return laLo >>> 30;
    const s = 3 + 9 * level;
    const la = laHi * TWO32 + (laLo >>> 0);
    return Math.floor(la / 2 ** s) % 512;
  }

  readEntry(pa: number): { lo: number; hi: number } {
    return { lo: this.mem.read32(pa), hi: this.entrySize === 8 ? this.mem.read32(pa + 4) : 0 };
  }

  writeEntry(pa: number, lo: number, hi = 0): void {
    this.mem.write32(pa, lo);
    if (this.entrySize === 8) this.mem.write32(pa + 4, hi);
  }

  /**
   * Address of the entry at `level` for la, creating missing tables above it
   * with `upper` flags (default P|RW|US; PAE PDPTEs get P only).
   */
  entry(laLo: number, laHi: number, level: number, upper = PTE_P | PTE_RW | PTE_US, upperHi = 0): number {
    let table = this.root;
    for (let l = this.topLevel; ; l--) {
      const ea = table + this.index(laLo, laHi, l) * this.entrySize;
      if (l === level) return ea;
      let { lo, hi } = this.readEntry(ea);
      if ((lo & PTE_P) === 0) {
        const t = this.alloc();
        lo = t | (this.mode === 'pae' && l === 3 ? PTE_P : upper);
        hi = this.mode === 'pae' && l === 3 ? 0 : upperHi;
        this.writeEntry(ea, lo, hi);
      }
      table = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    }
  }

  /**
   * Maps the page of size 2^pageBits containing la to pa. `flags` are the
   * leaf's low-word bits (P is added; PS is added for large pages), `leafHi`
   * its high word (XD, protection key). Returns the leaf entry's address.
   */
  map(laLo: number, laHi: number, pa: number, flags = PTE_RW | PTE_US, opts: { pageBits?: number; leafHi?: number; upper?: number; upperHi?: number } = {}): number {
    const bits = opts.pageBits ?? 12;
    const level = bits === 12 ? 1 : bits === 30 ? 3 : 2;
    const ea = this.entry(laLo, laHi, level, opts.upper, opts.upperHi);
    let lo = ((pa % TWO32) >>> 0) | flags | PTE_P | (bits > 12 ? PTE_PS : 0);
    let hi = Math.floor(pa / TWO32) | (opts.leafHi ?? 0);
    if (this.mode === 'bits32') {
      lo |= bits === 22 ? hi << 13 : 0; // PSE-36: PA bits 39:32 in PDE bits 20:13
      hi = 0;
    }
    this.writeEntry(ea, lo >>> 0, hi >>> 0);
    return ea;
  }
}
