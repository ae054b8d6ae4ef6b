import type { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { PageWalker } from './pageWalk.ts';
import {
  Access, CR0_CD, CR0_NW, CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PKE, CR4_PSE, CR4_SMAP,
  CR4_SMEP, EFER_NXE, PagingMode, pkDenied, RIGHT_DIRTY, RIGHT_XD, type GpaTranslator,
} from './pagingBits.ts';
import { PagingControl, type PagingOptions } from './pagingControl.ts';
import { PERM_GLOBAL, PERM_PK, PERM_PKEY_SHIFT, TLB_MASK, Tlb, derivePerm, tlbSlot } from './tlb.ts';
import { WalkTrace } from './walkTrace.ts';

export { Access, PagingMode } from './pagingBits.ts';
export { WalkFault, WalkTrace } from './walkTrace.ts';
export type { PagingOptions } from './pagingControl.ts';

/**
 * Linear-to-physical translation for one logical processor: the page walker
 * of every paging mode behind a direct-mapped soft TLB, with the SDM's
 * invalidation rules (Vol. 3A 4.10.4). It raises nothing: translate() returns
 * -1 and leaves the page-fault error code in faultPfec; the CPU sets CR2 and
 * delivers #PF.
 */
export class Mmu {
  /** PFEC of the last failed translate(). */
  faultPfec = 0;
  /** PKRU, set by the CPU (WRPKRU, XRSTOR). Checked on every data access to a user page when CR4.PKE=1. */
  pkru = 0;
  readonly stats = { hits: 0, misses: 0, flushes: 0 };
  /** Linear address of the walk in progress (an EPT violation reports it). */
  missLaLo = 0;
  missLaHi = 0;
  /** Control state, masks and the PAE PDPTE registers (snapshots save `ctl.pdpte`). */
  readonly ctl: PagingControl;
  readonly tlb = new Tlb();
  private readonly walker: PageWalker;
  private readonly scratch = new WalkTrace();
  private readonly pdpteSave = new Uint32Array(8);
  private paging = false;
  /** VPID << 12 | PCID of the current context: the TLB tag. */
  private ctxTag = 0;
  private vpid = 0;

  constructor(private readonly mem: PhysicalMemory, opts?: PagingOptions) {
    this.ctl = new PagingControl(opts);
    this.walker = new PageWalker(mem, this.ctl);
  }

  /**
   * Mirrors CR0, CR3, CR4 and EFER after reset, restore, MOV to CR0/CR4 or
   * WRMSR to EFER, and applies the SDM's invalidations for what changed. When
   * PAE paging is in use afterwards and PG, CD, NW, PAE, PGE, PSE or SMEP changed
   * (or PAE paging is being entered), the PDPTEs are loaded from CR3 (SDM 4.4.1);
   * if one is invalid this returns false and changes nothing, and the CPU raises
   * #GP(0) without writing the register. A CR3 value given here is just
   * recorded (no flush, no PDPTE load): MOV to CR3 goes through writeCr3.
   */
  setControl(cr0: number, cr3Lo: number, cr3Hi: number, cr4: number, efer: number): boolean {
    const c = this.ctl;
    const d0 = c.cr0 ^ cr0;
    const d4 = c.cr4 ^ cr4;
    const oldMode = c.mode;
    const mode = c.modeFor(cr0, cr4, efer);
    if (mode === PagingMode.Pae
      && (oldMode !== PagingMode.Pae || (d0 & (CR0_PG | CR0_CD | CR0_NW)) !== 0
        || (d4 & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) !== 0)
      && !c.loadPdptes(this.mem, cr3Lo)) {
      return false;
    }
    const dEfer = c.efer ^ efer;
    c.apply(cr0, cr3Lo, cr3Hi, cr4, efer);
    this.paging = c.mode !== PagingMode.None;
    this.ctxTag = (this.vpid << 12) | c.pcid;

    // SDM 4.10.4.1 requires: everything on CR0.PG 1->0, any CR4.PGE change, CR4.PCIDE 1->0;
    // the current PCID on a CR4.PAE change or CR4.SMEP 0->1. We also flush everything when the
    // paging mode, CR4.PSE, CR4.LA57 or EFER.NXE changes (the processor is free to flush more).
    if (mode !== oldMode || (d0 & CR0_PG) !== 0 || (d4 & (CR4_PGE | CR4_PSE | CR4_LA57)) !== 0
      || ((d4 & CR4_PCIDE) !== 0 && (cr4 & CR4_PCIDE) === 0) || (dEfer & EFER_NXE) !== 0) {
      this.flushAll();
    } else if ((d4 & CR4_PAE) !== 0 || ((d4 & CR4_SMEP) !== 0 && (cr4 & CR4_SMEP) !== 0)) {
      this.tlb.flushContext(this.ctxTag);
      this.stats.flushes++;
    }
    if ((d0 & CR0_WP) !== 0 || (d4 & (CR4_SMEP | CR4_SMAP | CR4_PKE)) !== 0) {
      // Not a flush: the entries left (other PCIDs too) are judged by the new control bits,
      // as the processor applies them to the rights its TLB caches.
      this.tlb.rederive(c.wp, c.smep, c.smap, c.pke);
    }
    return true;
  }

  /**
   * MOV to CR3. With CR4.PCIDE=1 the PCID is CR3[11:0] and CR3[63]=1 means
   * "do not flush"; bit 63 is never stored. Otherwise the non-global entries of
   * the new PCID are invalidated (SDM 4.10.4.1). Under PAE paging the PDPTEs are
   * loaded; returns false if one is invalid (nothing changes; the CPU raises
   * #GP(0)). Reserved-bit #GP checks on the CR3 value itself are the CPU's.
   */
  writeCr3(lo: number, hi: number): boolean {
    const c = this.ctl;
    const noFlush = c.pcide && (hi & 0x80000000) !== 0;
    if (c.mode === PagingMode.Pae && !c.loadPdptes(this.mem, lo)) return false;
    c.cr3Lo = lo >>> 0;
    c.cr3Hi = (hi & 0x7fffffff) >>> 0;
    this.ctxTag = (this.vpid << 12) | c.pcid;
    if (!noFlush) {
      this.tlb.flushNonGlobal(this.ctxTag);
      this.stats.flushes++;
    }
    return true;
  }

  /**
   * Translates a linear address; returns the physical address, or -1 with
   * faultPfec set. `user`: a user-mode access (CPL=3 and not an implicit
   * supervisor access). `ac`: EFLAGS.AC for explicit supervisor data accesses;
   * pass false for implicit ones (descriptor tables, TSS...) so SMAP always applies.
   */
  translate(laLo: number, laHi: number, access: Access, user: boolean, ac: boolean): number {
    if (!this.paging) return laLo >>> 0;
    const t = this.tlb;
    const i = ((laLo >>> 12) ^ laHi) & TLB_MASK;
    if (t.tagLo[i] === ((laLo & ~0xfff) | 1) && t.tagHi[i] === (laHi | 0)) {
      const perm = t.perm[i];
      const bit = user ? 3 + access : ac && access !== Access.Fetch ? 6 + access : access;
      if ((t.ctx[i] === this.ctxTag || ((perm & PERM_GLOBAL) !== 0 && t.ctx[i] >>> 12 === this.vpid))
        && ((perm >>> bit) & 1) !== 0
        && ((perm & PERM_PK) === 0 || access === Access.Fetch
          || !pkDenied((perm >>> PERM_PKEY_SHIFT) & 15, access, user, this.ctl.wp, this.pkru))) {
        this.stats.hits++;
        return t.frame[i] + (laLo & 0xfff);
      }
    }
    return this.miss(laLo, laHi, access, user, ac);
  }

  private miss(laLo: number, laHi: number, access: Access, user: boolean, ac: boolean): number {
    this.stats.misses++;
    this.missLaLo = laLo; this.missLaHi = laHi;
    const w = this.scratch;
    if (this.walkAndFill(laLo, laHi, access, user, ac, w)) return w.pa;
    // A page fault invalidates the TLB entries for the faulting address (SDM 4.10.4.1).
    this.tlb.dropIfHolds(tlbSlot(laLo, laHi), laLo, laHi);
    this.faultPfec = w.pfec;
    return -1;
  }

  private walkAndFill(laLo: number, laHi: number, access: Access, user: boolean, ac: boolean, w: WalkTrace): boolean {
    if (!this.walker.walk(laLo, laHi, access, user, ac, this.pkru, w, true)) return false;
    if (!this.paging) return true;
    const c = this.ctl;
    const offMask = w.pageBits === 30 ? 0x3fffffff : (1 << w.pageBits) - 1;
    let frame = w.pageBase + ((laLo & offMask & ~0xfff) >>> 0);
    let rights = w.rights, pageBits = w.pageBits;
    const gpa = this.gpa;
    if (gpa !== null) {
      // EPT: the final guest-physical address is translated too (a violation exits); the TLB then holds
      // the combined 4-KByte mapping, without write or fetch rights that EPT denies so those accesses walk again.
      frame = gpa.translate(frame % 4294967296, Math.floor(frame / 4294967296), access, true, true);
      w.pa = frame + (laLo & 0xfff);
      pageBits = 12;
      if ((gpa.rights & 2) === 0) rights &= ~RIGHT_DIRTY;
      if ((gpa.rights & 4) === 0) rights |= RIGHT_XD;
    }
    this.tlb.fill(tlbSlot(laLo, laHi), laLo, laHi, this.ctxTag, rights, pageBits, frame,
      derivePerm(rights, c.wp, c.smep, c.smap, c.pke));
    return true;
  }

  /** EPT translator while a guest runs with "enable EPT" (vmx/eptMmu.ts), else null. */
  get gpa(): GpaTranslator | null { return this.walker.gpa; }
  set gpa(t: GpaTranslator | null) { this.walker.gpa = t; }

  /**
   * The debugger's walk: the same walker as translate, recording each level in
   * `trace`. With sideEffects=false it peeks memory, sets no A/D flags and leaves
   * the TLB and stats alone; with true it behaves as a TLB miss would.
   */
  walk(laLo: number, laHi: number, access: Access, user: boolean, ac: boolean, trace: WalkTrace, sideEffects: boolean): boolean {
    if (sideEffects) return this.walkAndFill(laLo, laHi, access, user, ac, trace);
    return this.walker.walk(laLo, laHi, access, user, ac, this.pkru, trace, false);
  }

  /**
   * Debug walk in another address space (the page-walk panel's "CR3 =" field):
   * like walk(..., false) with CR3 replaced for the duration of the call. Under
   * PAE paging the PDPTEs are peeked from memory at that CR3 instead of the
   * registers. Nothing in the MMU or in memory changes.
   */
  walkWithCr3(cr3Lo: number, cr3Hi: number, laLo: number, laHi: number, access: Access, user: boolean, ac: boolean, trace: WalkTrace): boolean {
    const c = this.ctl;
    const savedLo = c.cr3Lo, savedHi = c.cr3Hi;
    this.pdpteSave.set(c.pdpte);
    c.cr3Lo = cr3Lo >>> 0;
    c.cr3Hi = cr3Hi >>> 0;
    if (c.mode === PagingMode.Pae) {
      const base = (cr3Lo & 0xffffffe0) >>> 0;
      const mem = this.mem;
      for (let i = 0; i < 8; i++) c.pdpte[i] = base + i * 4 + 3 < mem.size ? mem.u32[(base >>> 2) + i] : 0xffffffff;
    }
    try {
      return this.walker.walk(laLo, laHi, access, user, ac, this.pkru, trace, false);
    } finally {
      c.cr3Lo = savedLo;
      c.cr3Hi = savedHi;
      c.pdpte.set(this.pdpteSave);
    }
  }

  /** INVLPG: the page containing la, in the current PCID, and global entries for it in any PCID. */
  invlpg(laLo: number, laHi: number): void {
    this.tlb.flushPage(laLo, laHi, this.ctxTag, true);
    this.stats.flushes++;
  }

  /**
   * INVPCID (SDM Vol. 2 INVPCID, 4.10.4.1): 0 individual address (non-global,
   * that PCID), 1 single context (non-global), 2 all contexts including
   * global, 3 all contexts except global. Operand checks (#GP) are the CPU's.
   */
  invpcid(type: number, pcid: number, laLo: number, laHi: number): void {
    const ctx = (this.vpid << 12) | (pcid & 0xfff);
    switch (type) {
      case 0: this.tlb.flushPage(laLo, laHi, ctx, false); break;
      case 1: this.tlb.flushNonGlobal(ctx); break;
      case 2: this.tlb.flushVpid(this.vpid, true); break;
      case 3: this.tlb.flushVpid(this.vpid, false); break;
      default: return;
    }
    this.stats.flushes++;
  }

  /**
   * Snapshot restore: takes the saved control registers, PDPTE registers and
   * VPID as they were (no checks, no PDPTE load from RAM: the guest may have
   * changed the table since it loaded CR3) and drops every TLB entry.
   */
  restoreControl(cr0: number, cr3Lo: number, cr3Hi: number, cr4: number, efer: number, pdpte: Uint32Array, vpid: number): void {
    const c = this.ctl;
    c.apply(cr0, cr3Lo, cr3Hi, cr4, efer);
    c.pdpte.set(pdpte);
    this.paging = c.mode !== PagingMode.None;
    this.vpid = vpid & 0xffff;
    this.ctxTag = (this.vpid << 12) | c.pcid;
    this.flushAll();
  }

  /**
   * INVVPID (SDM Vol. 3 31, 29.4.3): 0 individual address, 1 single context,
   * 2 all contexts (every VPID but 0), 3 single context except global entries.
   * Types 0 and 1 drop all of the VPID's entries, type 2 drops everything
   * (the SDM allows invalidating more than required).
   */
  invvpid(type: number, vpid: number): void {
    switch (type) {
      case 0: case 1: this.tlb.flushVpid(vpid, true); break;
      case 2: this.tlb.flushAll(); break;
      default: this.tlb.flushVpid(vpid, false);
    }
    this.stats.flushes++;
  }

  /** Drops every entry of every context. */
  flushAll(): void {
    this.tlb.flushAll();
    this.stats.flushes++;
  }

  /** VPID tag for VMX (0 outside non-root mode or without VPIDs). Switching does not flush. */
  setVpid(vpid: number): void {
    this.vpid = vpid & 0xffff;
    this.ctxTag = (this.vpid << 12) | this.ctl.pcid;
  }

  get currentVpid(): number {
    return this.vpid;
  }

  get mode(): PagingMode {
    return this.ctl.mode;
  }
}
