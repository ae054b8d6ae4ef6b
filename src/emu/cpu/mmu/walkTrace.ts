import { PagingMode } from './pagingBits.ts';

/** Why a walk failed (None when it succeeded). */
export const enum WalkFault { None = 0, NotPresent = 1, Reserved = 2, Protection = 3 }

/** Most levels any paging mode walks (5-level paging). */
export const MAX_LEVELS = 5;

/**
 * One page walk, level by level, as the page-walk panel shows it. Filled by
 * the same code that translates for the CPU (Mmu.walk / Mmu.translate), so
 * what the UI shows is what the CPU did. Fixed typed arrays: no allocation
 * per walk, and it can be posted to the UI as is.
 *
 * Record i (0 = the first entry read, from the root table):
 *   level[i]      SDM level: 5 PML5E, 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE
 *                 (32-bit paging uses 2 and 1)
 *   tableAddr[i]  physical address of the paging structure
 *   entryAddr[i]  physical address of the entry
 *   entryLo/Hi[i] the raw entry as read (before any A/D update)
 *   fromRegister[i] 1 for PAE PDPTEs: taken from the PDPTE registers loaded
 *                 at MOV to CR3, not from memory
 */
export class WalkTrace {
  mode: PagingMode = PagingMode.None;
  count = 0;
  readonly level = new Uint8Array(MAX_LEVELS);
  readonly tableAddr = new Float64Array(MAX_LEVELS);
  readonly entryAddr = new Float64Array(MAX_LEVELS);
  readonly entryLo = new Uint32Array(MAX_LEVELS);
  readonly entryHi = new Uint32Array(MAX_LEVELS);
  readonly fromRegister = new Uint8Array(MAX_LEVELS);
  /** Outcome: physical address, or -1 with `pfec` and `fault` set. */
  pa = -1;
  fault: WalkFault = WalkFault.None;
  pfec = 0;
  /** log2 of the page size of the leaf (12, 21, 22 or 30); 0 if none reached. */
  pageBits = 0;
  /** Combined rights (RIGHT_* bits from pagingBits.ts) of the translation. */
  rights = 0;
  /** Physical address of the start of the (possibly large) page. */
  pageBase = 0;

  reset(mode: PagingMode): void {
    this.mode = mode;
    this.count = 0;
    this.pa = -1;
    this.fault = WalkFault.None;
    this.pfec = 0;
    this.pageBits = 0;
    this.rights = 0;
    this.pageBase = 0;
  }

  push(level: number, tableAddr: number, entryAddr: number, lo: number, hi: number, fromRegister: boolean): void {
    const i = this.count++;
    this.level[i] = level;
    this.tableAddr[i] = tableAddr;
    this.entryAddr[i] = entryAddr;
    this.entryLo[i] = lo;
    this.entryHi[i] = hi;
    this.fromRegister[i] = fromRegister ? 1 : 0;
  }

  /** Plain objects for display and tests (debug path: allocation is fine). */
  records(): { level: number; tableAddr: number; entryAddr: number; entryLo: number; entryHi: number; fromRegister: boolean }[] {
    const out = [];
    for (let i = 0; i < this.count; i++) {
      out.push({
        level: this.level[i], tableAddr: this.tableAddr[i], entryAddr: this.entryAddr[i],
        entryLo: this.entryLo[i], entryHi: this.entryHi[i], fromRegister: this.fromRegister[i] === 1,
      });
    }
    return out;
  }
}
