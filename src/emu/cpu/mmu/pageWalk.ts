import type { PhysicalMemory } from '../../mem/physicalMemory.ts';
import type { PagingControl } from './pagingControl.ts';
import {
  Access, PFEC_I, PFEC_P, PFEC_PK, PFEC_RSVD, PFEC_U, PFEC_W, PTE_A, PTE_D, PTE_G, PTE_HI_XD, PTE_P, PTE_PS,
  PTE_RW, PTE_US, PagingMode, RIGHT_DIRTY, RIGHT_GLOBAL, RIGHT_PKEY_SHIFT, RIGHT_PKEY_VALID, RIGHT_RW, RIGHT_US,
  RIGHT_XD, allowBit, allowedMask, pkDenied, type GpaTranslator,
} from './pagingBits.ts';
import { WalkFault, type WalkTrace } from './walkTrace.ts';

const TWO32 = 4294967296;

/** Index (9 bits) of the entry for `level` in 4/5-level paging: LA bits 12+9(level-1) upward. */
function levelIndex(laLo: number, laHi: number, level: number): number {
  const s = 3 + 9 * level; // 12 + 9 * (level - 1)
  if (s >= 32) return (laHi >>> (s - 32)) & 0x1ff;
  if (s + 9 <= 32) return (laLo >>> s) & 0x1ff;
  return ((laLo >>> s) | (laHi << (32 - s))) & 0x1ff;
}

/**
 * The page walker of SDM 4.3 (32-bit), 4.4 (PAE) and 4.5 (4-level and 5-level
 * paging), followed by the access-rights checks of SDM 4.6 and the A/D updates
 * of SDM 4.8. One code path serves the CPU (sideEffects=true) and the debugger
 * (sideEffects=false: entries are peeked, never MMIO-read, and nothing is
 * written). Every entry read is recorded in the WalkTrace.
 */
export class PageWalker {
  /** EPT (VMX non-root with "enable EPT"): paging-structure addresses are guest-physical. */
  gpa: GpaTranslator | null = null;

  constructor(private readonly mem: PhysicalMemory, private readonly ctl: PagingControl) {}

  /** Returns true with tr.pa set, or false with tr.fault / tr.pfec set. */
  walk(laLo: number, laHi: number, access: Access, user: boolean, ac: boolean, pkru: number,
    tr: WalkTrace, sideEffects: boolean): boolean {
    const c = this.ctl;
    tr.reset(c.mode);
    let ok: boolean;
    switch (c.mode) {
      case PagingMode.None:
        tr.pa = laLo >>> 0;
        tr.pageBase = (laLo & ~0xfff) >>> 0;
        tr.pageBits = 12;
        tr.rights = RIGHT_RW | RIGHT_US | RIGHT_DIRTY;
        return true;
      case PagingMode.Bits32: ok = this.walk32(laLo, tr, sideEffects); break;
      case PagingMode.Pae: ok = this.walkPae(laLo, tr, sideEffects); break;
      default: ok = this.walkLong(laLo, laHi, c.mode === PagingMode.Level5 ? 5 : 4, tr, sideEffects);
    }
    const base = (access === Access.Write ? PFEC_W : 0) | (user ? PFEC_U : 0)
      | (access === Access.Fetch && c.idEnabled ? PFEC_I : 0);
    if (!ok) {
      tr.pfec = base | (tr.fault === WalkFault.Reserved ? PFEC_P | PFEC_RSVD : 0);
      return false;
    }
    const rights = tr.rights;
    const allowed = (allowedMask(rights, c.wp, c.smep, c.smap) >>> allowBit(access, user, ac)) & 1;
    const pk = c.pke && (rights & RIGHT_US) !== 0 && (rights & RIGHT_PKEY_VALID) !== 0
      && pkDenied((rights >>> RIGHT_PKEY_SHIFT) & 15, access, user, c.wp, pkru);
    if (allowed === 0 || pk) {
      tr.fault = WalkFault.Protection;
      tr.pfec = base | PFEC_P | (pk ? PFEC_PK : 0);
      return false;
    }
    if (sideEffects) this.setAccessedDirty(tr, access === Access.Write);
    if (access === Access.Write) tr.rights |= RIGHT_DIRTY;
    const offMask = tr.pageBits === 30 ? 0x3fffffff : (1 << tr.pageBits) - 1;
    tr.pa = tr.pageBase + ((laLo & offMask) >>> 0);
    return true;
  }

  /** SDM 4.8: A on every entry used (not the PAE PDPTE registers), D on the leaf for a write. */
  private setAccessedDirty(tr: WalkTrace, write: boolean): void {
    const last = tr.count - 1;
    for (let i = 0; i <= last; i++) {
      if (tr.fromRegister[i]) continue;
      const bits = i === last && write ? PTE_A | PTE_D : PTE_A;
      if ((tr.entryLo[i] & bits) !== bits) this.orEntry(tr.entryAddr[i], bits);
    }
  }

  /** Locked OR into an entry's low word, as the processor's A/D update is atomic. */
  private orEntry(pa: number, bits: number): void {
    const mem = this.mem;
    if (this.gpa !== null) pa = this.gpa.translate(pa % TWO32, Math.floor(pa / TWO32), Access.Write, false, true);
    if (pa + 3 < mem.size && (pa & 3) === 0) Atomics.or(mem.u32, pa >>> 2, bits);
    else mem.write32(pa, mem.read32(pa) | bits);
  }

  private read(pa: number, sideEffects: boolean): number {
    const mem = this.mem;
    if (this.gpa !== null) {
      pa = this.gpa.translate(pa % TWO32, Math.floor(pa / TWO32), Access.Read, false, sideEffects);
      if (pa < 0) return 0; // debugger walk through an unmapped guest-physical address: not present
    }
    if (sideEffects) return mem.read32(pa);
    return pa + 3 < mem.size && (pa & 3) === 0 ? mem.u32[pa >>> 2] : 0xffffffff;
  }

  private notPresent(tr: WalkTrace): boolean {
    tr.fault = WalkFault.NotPresent;
    return false;
  }

  private reserved(tr: WalkTrace): boolean {
    tr.fault = WalkFault.Reserved;
    return false;
  }

  /** 32-bit paging (SDM 4.3): PDE then PTE, or a 4-MByte page with CR4.PSE. */
  private walk32(laLo: number, tr: WalkTrace, side: boolean): boolean {
    const c = this.ctl;
    const pdBase = (c.cr3Lo & 0xfffff000) >>> 0;
    const pdeAddr = pdBase + ((laLo >>> 22) << 2);
    const pde = this.read(pdeAddr, side);
    tr.push(2, pdBase, pdeAddr, pde, 0, false);
    if ((pde & PTE_P) === 0) return this.notPresent(tr);
    if (c.pse && (pde & PTE_PS) !== 0) {
      if (pde & c.rsvdPde4M) return this.reserved(tr);
      tr.pageBits = 22;
      tr.pageBase = ((pde >>> 13) & c.pse36Mask) * TWO32 + ((pde & 0xffc00000) >>> 0);
      tr.rights = this.leafRights(pde, pde, 0, false);
      return true;
    }
    const ptBase = (pde & 0xfffff000) >>> 0;
    const pteAddr = ptBase + (((laLo >>> 12) & 0x3ff) << 2);
    const pte = this.read(pteAddr, side);
    tr.push(1, ptBase, pteAddr, pte, 0, false);
    if ((pte & PTE_P) === 0) return this.notPresent(tr);
    tr.pageBits = 12;
    tr.pageBase = (pte & 0xfffff000) >>> 0;
    tr.rights = this.leafRights(pde & pte, pte, 0, false);
    return true;
  }

  /** PAE paging (SDM 4.4): PDPTE register, PDE, then PTE or a 2-MByte page. */
  private walkPae(laLo: number, tr: WalkTrace, side: boolean): boolean {
    const c = this.ctl;
    const n = laLo >>> 30;
    const pdpLo = c.pdpte[n * 2];
    const pdpHi = c.pdpte[n * 2 + 1];
    const pdptBase = (c.cr3Lo & 0xffffffe0) >>> 0;
    tr.push(3, pdptBase, pdptBase + n * 8, pdpLo, pdpHi, true);
    if ((pdpLo & PTE_P) === 0) return this.notPresent(tr);
    // PDPTE reserved bits were checked when the registers were loaded.
    const pdBase = (pdpHi & c.physHiMask) * TWO32 + ((pdpLo & 0xfffff000) >>> 0);
    const pdeAddr = pdBase + ((laLo >>> 21) & 0x1ff) * 8;
    const pdeLo = this.read(pdeAddr, side);
    const pdeHi = this.read(pdeAddr + 4, side);
    tr.push(2, pdBase, pdeAddr, pdeLo, pdeHi, false);
    if ((pdeLo & PTE_P) === 0) return this.notPresent(tr);
    if (pdeHi & c.rsvdHiPae) return this.reserved(tr);
    if (pdeLo & PTE_PS) {
      if (pdeLo & 0x1fe000) return this.reserved(tr); // bits 20:13
      tr.pageBits = 21;
      tr.pageBase = (pdeHi & c.physHiMask) * TWO32 + ((pdeLo & 0xffe00000) >>> 0);
      tr.rights = this.leafRights(pdeLo, pdeLo, pdeHi & PTE_HI_XD, false);
      return true;
    }
    const ptBase = (pdeHi & c.physHiMask) * TWO32 + ((pdeLo & 0xfffff000) >>> 0);
    const pteAddr = ptBase + ((laLo >>> 12) & 0x1ff) * 8;
    const pteLo = this.read(pteAddr, side);
    const pteHi = this.read(pteAddr + 4, side);
    tr.push(1, ptBase, pteAddr, pteLo, pteHi, false);
    if ((pteLo & PTE_P) === 0) return this.notPresent(tr);
    if (pteHi & c.rsvdHiPae) return this.reserved(tr);
    tr.pageBits = 12;
    tr.pageBase = (pteHi & c.physHiMask) * TWO32 + ((pteLo & 0xfffff000) >>> 0);
    tr.rights = this.leafRights(pdeLo & pteLo, pteLo, (pdeHi | pteHi) & PTE_HI_XD, false);
    return true;
  }

  /** 4-level and 5-level paging (SDM 4.5): 1-GByte, 2-MByte and 4-KByte pages. */
  private walkLong(laLo: number, laHi: number, levels: number, tr: WalkTrace, side: boolean): boolean {
    const c = this.ctl;
    let table = (c.cr3Hi & c.physHiMask) * TWO32 + ((c.cr3Lo & 0xfffff000) >>> 0);
    let combined = PTE_RW | PTE_US;
    let xd = 0;
    for (let level = levels; ; level--) {
      const ea = table + levelIndex(laLo, laHi, level) * 8;
      const lo = this.read(ea, side);
      const hi = this.read(ea + 4, side);
      tr.push(level, table, ea, lo, hi, false);
      if ((lo & PTE_P) === 0) return this.notPresent(tr);
      if (hi & c.rsvdHiLong) return this.reserved(tr);
      const ps = level > 1 && (lo & PTE_PS) !== 0;
      if (ps) {
        // PS is reserved in PML4Es and PML5Es; large-page address bits below the page size are reserved.
        if (level >= 4 || (level === 3 && !c.page1gb)) return this.reserved(tr);
        if (lo & (level === 3 ? 0x3fffe000 : 0x1fe000)) return this.reserved(tr);
      }
      combined &= lo;
      xd |= hi & PTE_HI_XD;
      if (ps || level === 1) {
        const bits = 12 + 9 * (level - 1);
        tr.pageBits = bits;
        tr.pageBase = (hi & c.physHiMask) * TWO32 + ((lo & ~((1 << bits) - 1)) >>> 0);
        tr.rights = this.leafRights(combined, lo, xd, true) | (((hi >>> 27) & 15) << RIGHT_PKEY_SHIFT);
        return true;
      }
      table = (hi & c.physHiMask) * TWO32 + ((lo & 0xfffff000) >>> 0);
    }
  }

  /** Rights word from the AND of R/W and U/S over all levels, the OR of XD, and the leaf's D and G. */
  private leafRights(combined: number, leafLo: number, xd: number, pkeyValid: boolean): number {
    return ((combined & PTE_RW) !== 0 ? RIGHT_RW : 0)
      | ((combined & PTE_US) !== 0 ? RIGHT_US : 0)
      | (xd !== 0 ? RIGHT_XD : 0)
      | ((leafLo & PTE_D) !== 0 ? RIGHT_DIRTY : 0)
      | ((leafLo & PTE_G) !== 0 && this.ctl.pge ? RIGHT_GLOBAL : 0)
      | (pkeyValid ? RIGHT_PKEY_VALID : 0);
  }
}
