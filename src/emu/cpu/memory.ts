/**
 * Guest-visible memory accesses: segmentation (limit, type, canonical
 * checks), paging through the MMU, and accesses that cross a page boundary.
 * Every function here may fault (#GP/#SS/#PF via the sentinel).
 */
import type { Cpu } from './cpu.ts';
import {
  AC, AR_DB, AR_S, AR_UNUSABLE, CR0_PG, SegReg, TYPE_CODE, TYPE_E, TYPE_R, TYPE_W, Vec,
} from './arch.ts';
import { Access } from './mmu/mmu.ts';
import { CR0, CR2, DR7, RFLAGS, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, segOff } from './state/layout.ts';
import { checkDataBreakpoints, DR7_ENABLES } from './debugRegs.ts';

/** Canonical when bits 63:47 are all equal (4-level paging). */
export function isCanonical(hi: number): boolean {
  const t = hi >> 15;
  return t === 0 || t === -1;
}

/**
 * Linear address of seg:offset for an access of `size` bytes (`offLo/offHi`
 * already truncated to the address size). Returns the low word; the high word
 * goes to c.laHi. @faults #GP(0), #SS(0)
 */
export function linearAddr(c: Cpu, seg: number, offLo: number, offHi: number, size: number, write: boolean): number {
  const s = c.s;
  const b = segOff(seg, 0);
  if (c.long64) {
    let lo = offLo >>> 0, hi = offHi >>> 0;
    if (seg >= SegReg.FS) {
      const l = lo + s[b + SEG_BASE_LO];
      hi = (hi + s[b + SEG_BASE_HI] + (l > 0xffffffff ? 1 : 0)) >>> 0;
      lo = l >>> 0;
    }
    if (!isCanonical(hi)) c.fault(seg === SegReg.SS ? Vec.SS : Vec.GP, 0);
    c.laHi = hi;
    return lo;
  }
  const ar = s[b + SEG_AR];
  const off = offLo >>> 0;
  if (c.protectedMode) {
    if ((ar & AR_UNUSABLE) !== 0) c.fault(seg === SegReg.SS ? Vec.SS : Vec.GP, 0);
    if (write ? (ar & (TYPE_CODE | TYPE_W)) !== TYPE_W : (ar & (TYPE_CODE | TYPE_R)) === TYPE_CODE) {
      c.fault(seg === SegReg.SS ? Vec.SS : Vec.GP, 0);
    }
  }
  const limit = s[b + SEG_LIMIT];
  const end = off + size - 1;
  if ((ar & (AR_S | TYPE_CODE | TYPE_E)) === (AR_S | TYPE_E)) {
    // Expand-down: valid offsets are limit+1 .. 0xFFFF (or 0xFFFFFFFF with B=1).
    const upper = (ar & AR_DB) !== 0 ? 0xffffffff : 0xffff;
    if (off <= limit || end > upper) c.fault(seg === SegReg.SS ? Vec.SS : Vec.GP, 0);
  } else if (end > limit) {
    c.fault(seg === SegReg.SS ? Vec.SS : Vec.GP, 0);
  }
  c.laHi = 0;
  return (s[b + SEG_BASE_LO] + off) >>> 0;
}

/** Physical address of a linear address. @faults #PF */
export function translate(c: Cpu, laLo: number, laHi: number, access: Access): number {
  const s = c.s;
  if ((s[CR0] & CR0_PG) === 0) return laLo >>> 0;
  const user = c.cpl === 3 && !c.implicitSupervisor;
  const pa = c.mmu.translate(laLo, laHi, access, user, !c.implicitSupervisor && (s[RFLAGS] & AC) !== 0);
  if (pa < 0) {
    if (c.nonRoot) { c.savedCr2Lo = s[CR2]; c.savedCr2Hi = s[CR2 + 1]; }
    s[CR2] = laLo; s[CR2 + 1] = laHi;
    c.fault(Vec.PF, c.mmu.faultPfec);
  }
  return pa;
}

/** Reads `size` (1, 2, 4, 8) bytes at a linear address; for 8 the high word goes to c.hi. @faults */
export function readLinear(c: Cpu, laLo: number, laHi: number, size: number): number {
  const mem = c.mem;
  if ((c.s[DR7] & DR7_ENABLES) !== 0) checkDataBreakpoints(c, laLo, laHi, size, false);
  if ((laLo & 0xfff) + size > 0x1000) return readSplit(c, laLo, laHi, size);
  const pa = translate(c, laLo, laHi, Access.Read);
  // MMIO: a device may raise an interrupt; end the running block (Cpu.blockBreak).
  if (pa + size > mem.size) c.blockBreak = true;
  switch (size) {
    case 1: return mem.read8(pa);
    case 2: return mem.read16(pa);
    case 4: return mem.read32(pa);
    default: c.hi = mem.read32(pa + 4); return mem.read32(pa);
  }
}

function readSplit(c: Cpu, laLo: number, laHi: number, size: number): number {
  let lo = 0, hi = 0;
  for (let k = 0; k < size; k++) {
    const l = laLo + k;
    const pa = translate(c, l >>> 0, l > 0xffffffff ? (c.long64 ? (laHi + 1) >>> 0 : 0) : laHi, Access.Read);
    if (pa >= c.mem.size) c.blockBreak = true;
    const v = c.mem.read8(pa);
    if (k < 4) lo |= v << (8 * k); else hi |= v << (8 * (k - 4));
  }
  c.hi = hi >>> 0;
  return lo >>> 0;
}

/** Writes `size` bytes (hi = high word for size 8) at a linear address. @faults */
export function writeLinear(c: Cpu, laLo: number, laHi: number, size: number, lo: number, hi: number): void {
  const mem = c.mem;
  if ((c.s[DR7] & DR7_ENABLES) !== 0) checkDataBreakpoints(c, laLo, laHi, size, true);
  if ((laLo & 0xfff) + size > 0x1000) { writeSplit(c, laLo, laHi, size, lo, hi); return; }
  const pa = translate(c, laLo, laHi, Access.Write);
  if (c.codePages[pa >>> 12] === 1) c.invalidateCode(pa, size);
  if (pa + size > mem.size) c.blockBreak = true;
  switch (size) {
    case 1: mem.write8(pa, lo); return;
    case 2: mem.write16(pa, lo); return;
    case 4: mem.write32(pa, lo); return;
    default: mem.write32(pa, lo); mem.write32(pa + 4, hi);
  }
}

function writeSplit(c: Cpu, laLo: number, laHi: number, size: number, lo: number, hi: number): void {
  // Translate both pages before writing anything: a fault on the second page leaves memory unchanged.
  const first = 0x1000 - (laLo & 0xfff);
  const pa1 = translate(c, laLo, laHi, Access.Write);
  const l2 = laLo + first;
  const pa2 = translate(c, l2 >>> 0, l2 > 0xffffffff ? (c.long64 ? (laHi + 1) >>> 0 : 0) : laHi, Access.Write);
  for (let k = 0; k < size; k++) {
    const v = k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4));
    const pa = k < first ? pa1 + k : pa2 + (k - first);
    if (c.codePages[pa >>> 12] === 1) c.invalidateCode(pa, 1);
    if (pa >= c.mem.size) c.blockBreak = true;
    c.mem.write8(pa, v & 0xff);
  }
}

/** Reads seg:offset. @faults */
export function readMem(c: Cpu, seg: number, offLo: number, offHi: number, size: number): number {
  const la = linearAddr(c, seg, offLo, offHi, size, false);
  return readLinear(c, la, c.laHi, size);
}

/** Writes seg:offset. @faults */
export function writeMem(c: Cpu, seg: number, offLo: number, offHi: number, size: number, lo: number, hi: number): void {
  const la = linearAddr(c, seg, offLo, offHi, size, true);
  writeLinear(c, la, c.laHi, size, lo, hi);
}

/** Checks that seg:offset is writable (segmentation and paging) without writing. @faults */
export function probeWrite(c: Cpu, seg: number, offLo: number, offHi: number, size: number): void {
  const la = linearAddr(c, seg, offLo, offHi, size, true);
  translate(c, la, c.laHi, Access.Write);
  if ((la & 0xfff) + size > 0x1000) {
    const l2 = (la | 0xfff) + 1;
    translate(c, l2 >>> 0, l2 > 0xffffffff ? (c.long64 ? (c.laHi + 1) >>> 0 : 0) : c.laHi, Access.Write);
  }
}

/**
 * Reads seg:offset for a read-modify-write instruction. The access is checked
 * for writing before anything is read, so a fault on a read-only or
 * not-present destination leaves registers and flags as they were and the
 * error code has W=1 (as Bochs models it; QEMU reports the read). @faults
 */
export function readMemRmw(c: Cpu, seg: number, offLo: number, offHi: number, size: number): number {
  probeWrite(c, seg, offLo, offHi, size);
  return readMem(c, seg, offLo, offHi, size);
}

/** Supervisor-mode (implicit) read of a linear address: descriptor tables, IDT, TSS. @faults */
export function readSystem(c: Cpu, laLo: number, laHi: number, size: number): number {
  const prev = c.implicitSupervisor;
  c.implicitSupervisor = true;
  const v = readLinear(c, laLo, laHi, size);
  c.implicitSupervisor = prev;
  return v;
}

export function writeSystem(c: Cpu, laLo: number, laHi: number, size: number, v: number): void {
  const prev = c.implicitSupervisor;
  c.implicitSupervisor = true;
  writeLinear(c, laLo, laHi, size, v, 0);
  c.implicitSupervisor = prev;
}
