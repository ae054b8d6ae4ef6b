/**
 * Decoded-instruction cache keyed by the physical address of the first byte
 * (STYLE.md §9). Direct-mapped; an entry is valid while its page's generation
 * is unchanged. Guest writes to a page holding cached code bump the page's
 * generation (self-modifying code re-decodes); host-side writes (loaders,
 * DMA) must call Cpu.notifyPhysWrite or Cpu.flushDecodeCache. The block
 * cache (blockCache.ts) shares the page generations and the watched bits.
 */
import { DecodedInsn } from './decodedInsn.ts';

const BITS = 14;
const SIZE = 1 << BITS;
const MASK = SIZE - 1;

export class ICache {
  readonly slots: DecodedInsn[] = [];
  /** Physical address of the cached instruction, or -1. */
  readonly tag = new Int32Array(SIZE).fill(-1);
  readonly gen = new Uint32Array(SIZE);
  /** Code size (2, 4, 8) the entry was decoded for. */
  readonly mode = new Uint8Array(SIZE);
  /** Per-page generation; 1 in `watched` means some entry holds code from the page. */
  readonly pageGen: Uint32Array;
  hits = 0;
  misses = 0;

  constructor(readonly watched: Uint8Array) {
    this.pageGen = new Uint32Array(watched.length);
    for (let k = 0; k < SIZE; k++) this.slots.push(new DecodedInsn());
  }

  static slot(pa: number): number {
    return (pa ^ (pa >>> BITS)) & MASK;
  }

  /** The cached instruction at `pa` decoded for `codeSize`, or null. */
  lookup(pa: number, codeSize: number): DecodedInsn | null {
    const k = ICache.slot(pa);
    if (this.tag[k] === pa && this.mode[k] === codeSize && this.gen[k] === this.pageGen[pa >>> 12]) { this.hits++; return this.slots[k]; }
    this.misses++;
    return null;
  }

  /** Marks slot for `pa` as holding a freshly decoded instruction. */
  fill(pa: number, codeSize: number): void {
    const k = ICache.slot(pa);
    const page = pa >>> 12;
    this.tag[k] = pa; this.mode[k] = codeSize; this.gen[k] = this.pageGen[page];
    this.watched[page] = 1;
  }

  invalidatePage(page: number): void {
    if (page >= this.pageGen.length) return;
    this.pageGen[page]++;
    this.watched[page] = 0;
  }

  /** Drops everything decoded; blocks (blockCache.ts) go stale too, through the page generations. */
  flush(): void {
    this.tag.fill(-1);
    const w = this.watched, g = this.pageGen;
    for (let p = 0; p < w.length; p++) if (w[p] !== 0) { g[p]++; w[p] = 0; }
  }
}
