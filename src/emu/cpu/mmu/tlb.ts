import {
  ALLOW_WRITE_BITS, RIGHT_DIRTY, RIGHT_GLOBAL, RIGHT_PKEY_SHIFT, RIGHT_PKEY_VALID, RIGHT_US, allowedMask,
} from './pagingBits.ts';

/** Entries in the direct-mapped soft TLB (a power of two). */
export const TLB_SIZE = 4096;
export const TLB_MASK = TLB_SIZE - 1;

// Layout of Tlb.perm: the allowed mask (bits 8:0, see allowBit), then:
/** Data accesses must also pass the PKRU check (user page, CR4.PKE, 4/5-level). */
export const PERM_PK = 1 << 9;
export const PERM_PKEY_SHIFT = 12;
/** Global translation: usable under any PCID of the same VPID. */
export const PERM_GLOBAL = 1 << 16;

/** Slot of a linear address. Mixing in the high half keeps kernel and user pages apart. */
export function tlbSlot(laLo: number, laHi: number): number {
  return ((laLo >>> 12) ^ laHi) & TLB_MASK;
}

/**
 * Derives the hit-path permission word from cached rights and the current
 * CR0.WP / CR4.SMEP / CR4.SMAP / CR4.PKE. A write through an entry whose D flag
 * was clear is not allowed here, so it misses and the walk sets D.
 */
export function derivePerm(rights: number, wp: boolean, smep: boolean, smap: boolean, pke: boolean): number {
  let perm = allowedMask(rights, wp, smep, smap);
  if ((rights & RIGHT_DIRTY) === 0) perm &= ~ALLOW_WRITE_BITS;
  if (pke && (rights & RIGHT_US) !== 0 && (rights & RIGHT_PKEY_VALID) !== 0) {
    perm |= PERM_PK | (((rights >>> RIGHT_PKEY_SHIFT) & 15) << PERM_PKEY_SHIFT);
  }
  if (rights & RIGHT_GLOBAL) perm |= PERM_GLOBAL;
  return perm;
}

/**
 * Direct-mapped TLB keyed by linear page number, tagged with a context
 * (VPID << 12 | PCID). Large pages are cached as the 4 KiB pieces that were
 * used, each remembering the size of the page it came from so that INVLPG of
 * any address in a large page drops all of its pieces.
 *
 * The entry caches the walk's combined rights (as the SDM's TLB does) and a
 * permission word derived from them; when CR0.WP, CR4.SMEP/SMAP/PKE change,
 * rederive() recomputes the words, so cached entries are judged by the
 * current control bits just as a fresh walk would be.
 */
export class Tlb {
  /** (la & ~0xfff) | 1; 0 marks an empty slot. */
  readonly tagLo = new Int32Array(TLB_SIZE);
  readonly tagHi = new Int32Array(TLB_SIZE);
  readonly ctx = new Int32Array(TLB_SIZE);
  readonly rights = new Uint16Array(TLB_SIZE);
  readonly perm = new Int32Array(TLB_SIZE);
  /** Physical address of the 4 KiB frame. */
  readonly frame = new Float64Array(TLB_SIZE);
  /** log2 of the size of the page the entry is a piece of. */
  readonly pageBits = new Uint8Array(TLB_SIZE);
  /** Pieces of large pages filled since the last full flush (bounds INVLPG's scan). */
  largeCount = 0;

  fill(slot: number, laLo: number, laHi: number, ctx: number, rights: number, pageBits: number, frame: number, perm: number): void {
    this.tagLo[slot] = (laLo & ~0xfff) | 1;
    this.tagHi[slot] = laHi | 0;
    this.ctx[slot] = ctx;
    this.rights[slot] = rights;
    this.perm[slot] = perm;
    this.frame[slot] = frame;
    this.pageBits[slot] = pageBits;
    if (pageBits > 12) this.largeCount++;
  }

  rederive(wp: boolean, smep: boolean, smap: boolean, pke: boolean): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.tagLo[i] !== 0) this.perm[i] = derivePerm(this.rights[i], wp, smep, smap, pke);
    }
  }

  flushAll(): void {
    this.tagLo.fill(0);
    this.largeCount = 0;
  }

  /** MOV to CR3 / INVPCID type 1: the context's entries except global ones. */
  flushNonGlobal(ctx: number): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.ctx[i] === ctx && (this.perm[i] & PERM_GLOBAL) === 0) this.tagLo[i] = 0;
    }
  }

  /** Everything usable under `ctx`: its own entries and the VPID's global ones. */
  flushContext(ctx: number): void {
    const vpid = ctx >>> 12;
    for (let i = 0; i < TLB_SIZE; i++) {
      const c = this.ctx[i];
      if (c === ctx || ((this.perm[i] & PERM_GLOBAL) !== 0 && c >>> 12 === vpid)) this.tagLo[i] = 0;
    }
  }

  /** INVPCID types 2 and 3: every PCID of one VPID, with or without global entries. */
  flushVpid(vpid: number, globalsToo: boolean): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.ctx[i] >>> 12 === vpid && (globalsToo || (this.perm[i] & PERM_GLOBAL) === 0)) this.tagLo[i] = 0;
    }
  }

  /**
   * Drops the entries translating the page that contains la: those of `ctx`
   * (global or not when globalsToo, else only non-global), and with globalsToo
   * also global entries of any PCID of the VPID (INVLPG). Pieces of a large page
   * containing la go too.
   */
  flushPage(laLo: number, laHi: number, ctx: number, globalsToo: boolean): void {
    const slot = tlbSlot(laLo, laHi);
    if (this.covers(slot, laLo, laHi) && this.ctxMatches(slot, ctx, globalsToo)) this.tagLo[slot] = 0;
    if (this.largeCount === 0) return;
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.pageBits[i] > 12 && this.tagLo[i] !== 0 && this.covers(i, laLo, laHi) && this.ctxMatches(i, ctx, globalsToo)) {
        this.tagLo[i] = 0;
      }
    }
  }

  /** Drops one slot if it holds la (a page fault invalidates its address: SDM 4.10.4.1). */
  dropIfHolds(slot: number, laLo: number, laHi: number): void {
    if (this.tagLo[slot] === ((laLo & ~0xfff) | 1) && this.tagHi[slot] === (laHi | 0)) this.tagLo[slot] = 0;
  }

  private covers(i: number, laLo: number, laHi: number): boolean {
    if (this.tagLo[i] === 0 || this.tagHi[i] !== (laHi | 0)) return false;
    const mask = ~((1 << this.pageBits[i]) - 1);
    return ((this.tagLo[i] ^ laLo) & mask) === 0;
  }

  private ctxMatches(i: number, ctx: number, globalsToo: boolean): boolean {
    const global = (this.perm[i] & PERM_GLOBAL) !== 0;
    if (this.ctx[i] === ctx) return globalsToo || !global;
    return globalsToo && global && this.ctx[i] >>> 12 === ctx >>> 12;
  }

  /** Valid entries (for the UI's TLB view and tests). */
  countValid(): number {
    let n = 0;
    for (let i = 0; i < TLB_SIZE; i++) if (this.tagLo[i] !== 0) n++;
    return n;
  }
}
