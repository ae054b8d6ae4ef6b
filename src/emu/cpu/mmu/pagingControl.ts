import type { PhysicalMemory } from '../../mem/physicalMemory.ts';
import {
  CR0_PG, CR0_WP, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PKE, CR4_PSE, CR4_SMAP, CR4_SMEP,
  EFER_LMA, EFER_LME, EFER_NXE, PTE_HI_XD, PTE_P, PagingMode,
} from './pagingBits.ts';

/** Reserved bits of a PAE PDPTE, low word: bits 2:1 and 8:5 (SDM Table 4-8). */
const PDPTE_RSVD_LO = 0x1e6;

export interface PagingOptions {
  /** MAXPHYADDR (CPUID 80000008H EAX[7:0]), 32..52. Default 39. */
  maxPhysAddr?: number;
  /** 1-GByte pages (CPUID 80000001H EDX[26]). Default true. */
  page1gb?: boolean;
  /** Honour CR4.LA57 (5-level paging). Default false: not advertised yet. */
  la57?: boolean;
}

/**
 * The paging-relevant control state mirrored from CR0/CR3/CR4/EFER, plus the
 * masks derived from it and from MAXPHYADDR, and the PAE PDPTE registers.
 * Plain fields and typed arrays, so a snapshot can copy them.
 */
export class PagingControl {
  mode: PagingMode = PagingMode.None;
  cr0 = 0;
  cr4 = 0;
  efer = 0;
  cr3Lo = 0;
  cr3Hi = 0;
  wp = false;
  smep = false;
  smap = false;
  /** CR4.PKE and 4/5-level paging: protection keys are checked. */
  pke = false;
  nxe = false;
  pse = false;
  pge = false;
  pcide = false;
  /** PFEC.I/D is reported for fetches: CR4.SMEP=1, or CR4.PAE=1 with EFER.NXE=1 (SDM 4.7). */
  idEnabled = false;

  readonly maxPhysAddr: number;
  readonly page1gb: boolean;
  readonly la57: boolean;
  /** Address bits of an entry's high word (physical bits MAXPHYADDR-1:32). */
  readonly physHiMask: number;
  /** 32-bit paging 4-MByte PDE: bits 20:13 that hold PA bits 39:32 (PSE-36, M = min(MAXPHYADDR, 40)). */
  readonly pse36Mask: number;
  /** 32-bit paging 4-MByte PDE: reserved bits 21:(M-19). */
  readonly rsvdPde4M: number;
  readonly rsvdPdpteHi: number;
  /** 4/5-level paging, high word: bits 51:MAXPHYADDR, and bit 63 when NXE=0. */
  rsvdHiLong = 0;
  /** PAE paging PDE/PTE, high word: bits 62:MAXPHYADDR, and bit 63 when NXE=0. */
  rsvdHiPae = 0;

  /** PAE PDPTE registers PDPTE0..3 as lo/hi pairs (SDM 4.4.1). */
  readonly pdpte = new Uint32Array(8);
  private readonly pdpteScratch = new Uint32Array(8);

  constructor(opts: PagingOptions = {}) {
    const m = opts.maxPhysAddr ?? 39;
    if (!Number.isInteger(m) || m < 32 || m > 52) throw new RangeError(`MAXPHYADDR must be 32..52, got ${m}`);
    this.maxPhysAddr = m;
    this.page1gb = opts.page1gb ?? true;
    this.la57 = opts.la57 ?? false;
    this.physHiMask = m === 32 ? 0 : ((1 << (m - 32)) - 1) >>> 0;
    const m32 = Math.min(m, 40);
    this.pse36Mask = (1 << (m32 - 32)) - 1;
    this.rsvdPde4M = 0x3fe000 & ~(this.pse36Mask << 13);
    this.rsvdPdpteHi = ~this.physHiMask >>> 0;
  }

  modeFor(cr0: number, cr4: number, efer: number): PagingMode {
    if ((cr0 & CR0_PG) === 0) return PagingMode.None;
    if ((cr4 & CR4_PAE) === 0) return PagingMode.Bits32;
    // LMA = LME & PG, and LME cannot change while PG=1, so either bit tells IA-32e mode.
    if ((efer & (EFER_LMA | EFER_LME)) === 0) return PagingMode.Pae;
    return this.la57 && (cr4 & CR4_LA57) !== 0 ? PagingMode.Level5 : PagingMode.Level4;
  }

  apply(cr0: number, cr3Lo: number, cr3Hi: number, cr4: number, efer: number): void {
    this.cr0 = cr0 | 0;
    this.cr4 = cr4 | 0;
    this.efer = efer | 0;
    this.cr3Lo = cr3Lo >>> 0;
    this.cr3Hi = cr3Hi >>> 0;
    this.mode = this.modeFor(cr0, cr4, efer);
    const long = this.mode === PagingMode.Level4 || this.mode === PagingMode.Level5;
    this.wp = (cr0 & CR0_WP) !== 0;
    this.smep = (cr4 & CR4_SMEP) !== 0;
    this.smap = (cr4 & CR4_SMAP) !== 0;
    this.pke = (cr4 & CR4_PKE) !== 0 && long;
    this.nxe = (efer & EFER_NXE) !== 0;
    this.pse = (cr4 & CR4_PSE) !== 0;
    this.pge = (cr4 & CR4_PGE) !== 0;
    this.pcide = (cr4 & CR4_PCIDE) !== 0 && long;
    this.idEnabled = this.smep || ((cr4 & CR4_PAE) !== 0 && this.nxe);
    const xd = this.nxe ? 0 : PTE_HI_XD;
    this.rsvdHiLong = ((0xfffff & ~this.physHiMask) | xd) >>> 0;
    this.rsvdHiPae = ((0x7fffffff & ~this.physHiMask) | xd) >>> 0;
  }

  /** Current PCID: CR3[11:0] with CR4.PCIDE=1, else 0. */
  get pcid(): number {
    return this.pcide ? this.cr3Lo & 0xfff : 0;
  }

  /**
   * Loads PDPTE0..3 from the 32-byte-aligned table at CR3[31:5]. Returns false,
   * leaving the registers unchanged, if a present PDPTE has a reserved bit set
   * (the instruction then raises #GP(0)).
   */
  loadPdptes(mem: PhysicalMemory, cr3Lo: number): boolean {
    const base = (cr3Lo & 0xffffffe0) >>> 0;
    const s = this.pdpteScratch;
    for (let i = 0; i < 8; i++) s[i] = mem.read32(base + i * 4);
    for (let i = 0; i < 8; i += 2) {
      if ((s[i] & PTE_P) !== 0 && ((s[i] & PDPTE_RSVD_LO) !== 0 || (s[i + 1] & this.rsvdPdpteHi) !== 0)) return false;
    }
    this.pdpte.set(s);
    return true;
  }
}
