/**
 * Segment descriptors and segment-register loads with the protected-mode
 * checks of SDM Vol. 3 chapter 5 and the MOV/POP Sreg pseudocode (Vol. 2):
 * #GP/#SS/#NP with the selector as error code.
 */
import type { Cpu } from './cpu.ts';
import {
  AR_DB, AR_G, AR_L, AR_P, AR_S, AR_UNUSABLE, SegReg, TYPE_CODE, TYPE_C, TYPE_R, TYPE_W, Vec, EFER_LMA, VM,
} from './arch.ts';
import { readSystem, writeSystem } from './memory.ts';
import { EFER, GDTR, RFLAGS, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, segOff } from './state/layout.ts';

/** The last descriptor read: words 0-1 (and 2-3 for 16-byte system descriptors). */
export const desc = new Uint32Array(4);

export function descBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
}
export function descLimit(lo: number, hi: number): number {
  const raw = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & (1 << 23)) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}
/** Access rights in the VMX format: descriptor bits 47:40 and 55:52. */
export function descAr(hi: number): number {
  return (hi >>> 8) & 0xf0ff;
}
export function arDpl(ar: number): number {
  return (ar >>> 5) & 3;
}

/** Linear address of the descriptor for `sel` in the GDT or LDT; -1 if beyond the table limit. */
function descAddr(c: Cpu, sel: number, bytes: number): number {
  const s = c.s;
  let base: number, baseHi: number, limit: number;
  if ((sel & 4) !== 0) {
    const l = segOff(SegReg.LDTR, 0);
    if ((s[l + SEG_AR] & AR_UNUSABLE) !== 0 || (s[l + SEG_SEL] & 0xfffc) === 0) return -1;
    base = s[l + SEG_BASE_LO]; baseHi = s[l + SEG_BASE_HI]; limit = s[l + SEG_LIMIT];
  } else {
    base = s[GDTR]; baseHi = s[GDTR + 1]; limit = s[GDTR + 2];
  }
  const off = sel & 0xfff8;
  if (off + bytes - 1 > limit) return -1;
  const la = base + off;
  c.laHi = c.long64 || (s[EFER] & EFER_LMA) !== 0 ? (baseHi + (la > 0xffffffff ? 1 : 0)) >>> 0 : 0;
  return la >>> 0;
}

/**
 * Reads the 8-byte descriptor for `sel` into desc[0..1] (16 bytes into
 * desc[0..3] when `bytes` is 16). Returns false if the selector is beyond
 * the GDT/LDT limit. @faults #PF on the table
 */
export function readDescriptor(c: Cpu, sel: number, bytes = 8): boolean {
  const la = descAddr(c, sel, bytes);
  if (la < 0) return false;
  const hi = c.laHi;
  desc[0] = readSystem(c, la, hi, 4);
  desc[1] = readSystem(c, (la + 4) >>> 0, hi, 4);
  if (bytes === 16) {
    desc[2] = readSystem(c, (la + 8) >>> 0, hi, 4);
    desc[3] = readSystem(c, (la + 12) >>> 0, hi, 4);
  }
  return true;
}

/** Sets the accessed bit of the descriptor last read for `sel`. @faults */
export function setAccessed(c: Cpu, sel: number): void {
  if ((desc[1] & 0x100) !== 0) return;
  desc[1] |= 0x100;
  const la = descAddr(c, sel, 8);
  if (la >= 0) writeSystem(c, (la + 4) >>> 0, c.laHi, 4, desc[1]);
}

/** Loads a segment cache from desc[0..1]. */
export function loadCacheFromDesc(c: Cpu, seg: number, sel: number): void {
  const s = c.s;
  const b = segOff(seg, 0);
  s[b + SEG_SEL] = sel;
  s[b + SEG_BASE_LO] = descBase(desc[0], desc[1]);
  s[b + SEG_BASE_HI] = 0;
  s[b + SEG_LIMIT] = descLimit(desc[0], desc[1]);
  s[b + SEG_AR] = descAr(desc[1]);
}

/** A null selector in DS/ES/FS/GS (or SS in 64-bit mode): the register becomes unusable. */
export function loadNull(c: Cpu, seg: number, sel: number): void {
  const s = c.s;
  const b = segOff(seg, 0);
  s[b + SEG_SEL] = sel;
  s[b + SEG_AR] = AR_UNUSABLE;
  // In 64-bit mode a null FS/GS keeps its base (the base MSRs), as on Intel processors.
  if (!(c.long64 && seg >= SegReg.FS)) { s[b + SEG_BASE_LO] = 0; s[b + SEG_BASE_HI] = 0; }
  s[b + SEG_LIMIT] = 0;
}

/** Real-address / virtual-8086 load: base = selector * 16. */
export function loadSegReal(c: Cpu, seg: number, sel: number, vm86: boolean): void {
  const s = c.s;
  const b = segOff(seg, 0);
  s[b + SEG_SEL] = sel & 0xffff;
  s[b + SEG_BASE_LO] = (sel & 0xffff) << 4;
  s[b + SEG_BASE_HI] = 0;
  if (vm86) {
    s[b + SEG_LIMIT] = 0xffff;
    s[b + SEG_AR] = AR_P | AR_S | (3 << 5) | (seg === SegReg.CS ? 0xb : 0x3);
  } else if ((s[b + SEG_AR] & AR_UNUSABLE) !== 0) {
    s[b + SEG_AR] = AR_P | AR_S | (seg === SegReg.CS ? 0xb : 0x3);
  }
}

/**
 * MOV/POP/LDS... to a data segment register or SS (not CS). @faults
 */
export function loadSeg(c: Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  if (!c.protectedMode) { loadSegReal(c, seg, sel, (c.s[RFLAGS] & VM) !== 0); return; }
  const cpl = c.cpl;
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    if (seg === SegReg.SS && !(c.long64 && cpl !== 3 && rpl === cpl)) c.fault(Vec.GP, 0);
    loadNull(c, seg, sel);
    if (seg === SegReg.SS) c.s[segOff(SegReg.SS, SEG_AR)] = AR_UNUSABLE | (cpl << 5);
    return;
  }
  if (!readDescriptor(c, sel)) c.fault(Vec.GP, sel & 0xfffc);
  const ar = descAr(desc[1]);
  const dpl = arDpl(ar);
  if (seg === SegReg.SS) {
    if (rpl !== cpl || (ar & (AR_S | TYPE_CODE | TYPE_W)) !== (AR_S | TYPE_W) || dpl !== cpl) c.fault(Vec.GP, sel & 0xfffc);
    if ((ar & AR_P) === 0) c.fault(Vec.SS, sel & 0xfffc);
  } else {
    // Data, or readable code; privilege checked unless conforming code.
    if ((ar & AR_S) === 0 || (ar & (TYPE_CODE | TYPE_R)) === TYPE_CODE) c.fault(Vec.GP, sel & 0xfffc);
    const conforming = (ar & (TYPE_CODE | TYPE_C)) === (TYPE_CODE | TYPE_C);
    if (!conforming && (rpl > dpl || cpl > dpl)) c.fault(Vec.GP, sel & 0xfffc);
    if ((ar & AR_P) === 0) c.fault(Vec.NP, sel & 0xfffc);
  }
  setAccessed(c, sel);
  loadCacheFromDesc(c, seg, sel);
}

/** Loads CS from desc[0..1] with RPL forced to `cpl`, and updates the mode. */
export function loadCs(c: Cpu, sel: number, cpl: number): void {
  loadCacheFromDesc(c, SegReg.CS, (sel & 0xfffc) | cpl);
  c.updateMode();
}

/** Checks a far JMP/CALL/RET target code descriptor (desc[]); returns its access rights. */
export function isCodeDesc(ar: number): boolean {
  return (ar & (AR_S | TYPE_CODE)) === (AR_S | TYPE_CODE);
}

/** After a return to an outer privilege level, data segments the new CPL may not use become null (SDM RET/IRET). */
export function nullifyDataSegs(c: Cpu, cpl: number): void {
  const s = c.s;
  for (const seg of [SegReg.ES, SegReg.DS, SegReg.FS, SegReg.GS]) {
    const ar = s[segOff(seg, SEG_AR)];
    if ((ar & AR_UNUSABLE) !== 0) continue;
    const dataOrNonConf = (ar & TYPE_CODE) === 0 || (ar & TYPE_C) === 0;
    if (dataOrNonConf && arDpl(ar) < cpl) loadNull(c, seg, 0);
  }
}

/** Flat 64-bit or 32-bit segment caches for SYSCALL/SYSENTER (SDM: fixed values, not from the GDT). */
export function loadFlat(c: Cpu, seg: number, sel: number, code: boolean, long: boolean, dpl: number): void {
  const s = c.s;
  const b = segOff(seg, 0);
  s[b + SEG_SEL] = sel;
  s[b + SEG_BASE_LO] = 0; s[b + SEG_BASE_HI] = 0;
  s[b + SEG_LIMIT] = 0xffffffff;
  s[b + SEG_AR] = AR_P | AR_S | AR_G | (dpl << 5) | (code ? 0xb : 0x3) | (code && long ? AR_L : AR_DB);
}
