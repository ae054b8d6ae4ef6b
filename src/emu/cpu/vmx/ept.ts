/**
 * EPT translation (SDM Vol. 3 29.3): 4-level EPT with 4-KByte, 2-MByte and
 * 1-GByte pages, EPT violations (qualification of SDM Table 28-7) and EPT
 * misconfigurations (SDM 29.3.3.1). No accessed/dirty flags, no
 * execute-only pages, no mode-based execute control (not advertised).
 * eptWalk() is pure and records every entry in an EptTrace, so a debugger can
 * draw the second dimension of a two-dimensional walk.
 */
import type { PhysicalMemory } from '../../mem/physicalMemory.ts';

const TWO32 = 4294967296;

export const enum EptResult { Ok = 0, Violation = 1, Misconfig = 2 }

/** Access to a guest-physical address: read, write, instruction fetch (as mmu Access). */
export const enum EptAccess { Read = 0, Write = 1, Fetch = 2 }

/** One EPT walk: entries per level (4 = PML4E .. 1 = PTE), the result and what the qualification needs. */
export class EptTrace {
  count = 0;
  readonly level = new Uint8Array(4);
  readonly entryAddr = new Float64Array(4);
  readonly entryLo = new Uint32Array(4);
  readonly entryHi = new Uint32Array(4);
  result = EptResult.Ok;
  /** Host-physical address (valid when result is Ok). */
  hpa = 0;
  /** Page size of the leaf in bits (12, 21, 30). */
  pageBits = 12;
  /** AND of bits 2:0 (R, W, X) over the entries walked. */
  rights = 0;
}

/** EPTP bits 5:3 must give a 4-level walk; memory type UC (0) or WB (6); bits 11:7 reserved. */
export function eptpValid(lo: number, hi: number, maxPhysAddr: number): boolean {
  const type = lo & 7;
  return (type === 0 || type === 6) && ((lo >>> 3) & 7) === 3 && (lo & 0xfc0) === 0 && hi >>> 0 < 2 ** (maxPhysAddr - 32);
}

function index(gpaLo: number, gpaHi: number, level: number): number {
  const s = 3 + 9 * level;
  if (s >= 32) return (gpaHi >>> (s - 32)) & 0x1ff;
  if (s + 9 <= 32) return (gpaLo >>> s) & 0x1ff;
  return ((gpaLo >>> s) | (gpaHi << (32 - s))) & 0x1ff;
}

/**
 * Walks the EPT paging structures rooted at EPTP for `gpa` and `access`.
 * `peek` reads without touching MMIO (debugger). Returns tr.result.
 */
export function eptWalk(mem: PhysicalMemory, eptpLo: number, eptpHi: number, gpaLo: number, gpaHi: number,
  access: EptAccess, maxPhysAddr: number, page1gb: boolean, tr: EptTrace): EptResult {
  const physHiMask = 2 ** (maxPhysAddr - 32) - 1;
  const rsvdHi = ~physHiMask & 0x000fffff; // bits 51:MAXPHYADDR (63:52 are ignored)
  let table = (eptpHi & physHiMask) * TWO32 + ((eptpLo & 0xfffff000) >>> 0);
  let rights = 7;
  tr.count = 0;
  for (let level = 4; ; level--) {
    const ea = table + index(gpaLo, gpaHi, level) * 8;
    const lo = ea + 7 < mem.size ? mem.read32(ea) : 0;
    const hi = ea + 7 < mem.size ? mem.read32(ea + 4) : 0;
    const k = tr.count++;
    tr.level[k] = level; tr.entryAddr[k] = ea; tr.entryLo[k] = lo; tr.entryHi[k] = hi;
    const perm = lo & 7;
    if (perm === 0) { tr.rights = 0; tr.result = EptResult.Violation; return tr.result; }
    rights &= perm;
    tr.rights = rights;
    // Misconfigurations: write without read, execute-only (not supported), reserved bits.
    const large = level <= 3 && level >= 2 && (lo & 0x80) !== 0;
    const leaf = level === 1 || large;
    let bad = (perm & 3) === 2 || (perm & 5) === 4 || (hi & rsvdHi) !== 0;
    if (level === 4 && (lo & 0xf8) !== 0) bad = true; // PML4E bits 7:3 reserved
    if (level === 3 && large && !page1gb) bad = true;
    if (!leaf && (lo & 0x78) !== 0) bad = true; // bits 6:3 reserved in non-leaf entries
    if (leaf) {
      const mt = (lo >>> 3) & 7;
      if (mt === 2 || mt === 3 || mt === 7) bad = true;
      if (large && (lo & (level === 3 ? 0x3ffff000 : 0x1ff000)) !== 0) bad = true;
    }
    if (bad) { tr.result = EptResult.Misconfig; return tr.result; }
    if (leaf) {
      const need = access === EptAccess.Read ? 1 : access === EptAccess.Write ? 2 : 4;
      if ((rights & need) === 0) { tr.result = EptResult.Violation; return tr.result; }
      const bits = 12 + 9 * (level - 1);
      tr.pageBits = bits;
      const base = (hi & physHiMask) * TWO32 + ((lo & ~((1 << bits) - 1) & 0xfffff000) >>> 0);
      const off = bits === 30 ? gpaLo & 0x3fffffff : gpaLo & ((1 << bits) - 1);
      tr.hpa = base + (off >>> 0);
      tr.result = EptResult.Ok;
      return tr.result;
    }
    table = (hi & physHiMask) * TWO32 + ((lo & 0xfffff000) >>> 0);
  }
}

/**
 * Exit qualification of an EPT violation (SDM Table 28-7): access (bits 2:0),
 * permissions of the translation (5:3), guest-linear address valid (7) and
 * whether the access was to the final translation (8) or a paging-structure entry.
 */
export function violationQualification(access: EptAccess, rights: number, laValid: boolean, finalTranslation: boolean): number {
  const acc = access === EptAccess.Read ? 1 : access === EptAccess.Write ? 2 : 4;
  return acc | ((rights & 7) << 3) | (laValid ? 1 << 7 : 0) | (laValid && finalTranslation ? 1 << 8 : 0);
}
