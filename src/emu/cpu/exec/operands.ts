/**
 * Operand access for handlers: the ModRM E and G operands, effective
 * addresses, immediates and the stack. 64-bit values are lo/hi pairs: readers
 * return the low word and leave the high word in c.hi.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { AR_DB, SegReg } from '../arch.ts';
import { GPR, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, segOff } from '../state/layout.ts';
import { readMem, readMemRmw, writeMem } from '../memory.ts';

/** Computes the memory operand's offset into c.eaLo/c.eaHi, truncated to the address size. */
export function computeEa(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  const asz = i.asz;
  if (asz === 8) {
    let lo: number, hi: number;
    if (i.ripRel) { lo = s[RIP]; hi = s[RIP + 1]; }
    else if (i.base >= 0) { lo = s[GPR + i.base * 2]; hi = s[GPR + i.base * 2 + 1]; }
    else { lo = 0; hi = 0; }
    if (i.index >= 0) {
      const sc = i.scale;
      let xl = s[GPR + i.index * 2], xh = s[GPR + i.index * 2 + 1];
      if (sc !== 0) { xh = (xh << sc) | (xl >>> (32 - sc)); xl = xl << sc; }
      const l = (lo >>> 0) + (xl >>> 0);
      hi = hi + xh + (l > 0xffffffff ? 1 : 0); lo = l;
    }
    const d = i.disp;
    const l = (lo >>> 0) + (d >>> 0);
    hi = hi + (d >> 31) + (l > 0xffffffff ? 1 : 0);
    c.eaLo = l >>> 0; c.eaHi = hi >>> 0;
    return;
  }
  let ea = i.disp;
  if (i.ripRel) ea += s[RIP];
  else if (i.base >= 0) ea += s[GPR + i.base * 2];
  if (i.index >= 0) ea += s[GPR + i.index * 2] << i.scale;
  c.eaLo = asz === 4 ? ea >>> 0 : ea & 0xffff;
  c.eaHi = 0;
}

/** Reads the E operand (register or memory) of `size` bytes. @faults */
export function readE(c: Cpu, i: DecodedInsn, size: number): number {
  if (i.mod === 3) return c.getReg(i.rm, size, i.rex);
  return readMem(c, i.seg, c.eaLo, c.eaHi, size);
}

/** Reads the E operand of a read-modify-write instruction (a memory operand is checked for
 *  writing first: see readMemRmw). @faults */
export function readRmwE(c: Cpu, i: DecodedInsn, size: number): number {
  if (i.mod === 3) return c.getReg(i.rm, size, i.rex);
  return readMemRmw(c, i.seg, c.eaLo, c.eaHi, size);
}

/** Writes the E operand. @faults */
export function writeE(c: Cpu, i: DecodedInsn, size: number, lo: number, hi: number): void {
  if (i.mod === 3) c.setReg(i.rm, size, lo, hi, i.rex);
  else writeMem(c, i.seg, c.eaLo, c.eaHi, size, lo, hi);
}

export function readG(c: Cpu, i: DecodedInsn, size: number): number {
  return c.getReg(i.reg, size, i.rex);
}

export function writeG(c: Cpu, i: DecodedInsn, size: number, lo: number, hi: number): void {
  c.setReg(i.reg, size, lo, hi, i.rex);
}

/** Reads memory at the effective address plus `delta` bytes (far pointers, descriptors). @faults */
export function readEaPlus(c: Cpu, i: DecodedInsn, delta: number, size: number): number {
  let lo = c.eaLo + delta, hi = c.eaHi;
  if (i.asz === 8) { if (lo > 0xffffffff) hi = (hi + 1) >>> 0; lo >>>= 0; }
  else lo = i.asz === 4 ? lo >>> 0 : lo & 0xffff;
  return readMem(c, i.seg, lo, hi, size);
}

export function writeEaPlus(c: Cpu, i: DecodedInsn, delta: number, size: number, v: number, vHi: number): void {
  let lo = c.eaLo + delta, hi = c.eaHi;
  if (i.asz === 8) { if (lo > 0xffffffff) hi = (hi + 1) >>> 0; lo >>>= 0; }
  else lo = i.asz === 4 ? lo >>> 0 : lo & 0xffff;
  writeMem(c, i.seg, lo, hi, size, v, vHi);
}

/**
 * Linear address of the memory operand without accessing it (INVLPG, VM-exit
 * qualifications): the segment base applies outside 64-bit mode and for FS/GS.
 * Returns the low word; the high word is left in c.laHi.
 */
export function operandLinear(c: Cpu, i: DecodedInsn): number {
  const s = c.s;
  let lo = c.eaLo, hi = c.eaHi;
  if (!c.long64 || i.seg >= SegReg.FS) {
    const b = segOff(i.seg, 0);
    const l = lo + s[b + SEG_BASE_LO];
    hi = c.long64 ? (hi + s[b + SEG_BASE_HI] + (l > 0xffffffff ? 1 : 0)) >>> 0 : 0;
    lo = l >>> 0;
  }
  c.laHi = hi;
  return lo;
}

// ---- stack ----------------------------------------------------------------

/** Stack address size in bytes: 8 in 64-bit mode, else SS.B ? 4 : 2. */
export function stackSize(c: Cpu): number {
  if (c.long64) return 8;
  return (c.s[segOff(SegReg.SS, SEG_AR)] & AR_DB) !== 0 ? 4 : 2;
}

/** Pushes `size` bytes. The write happens before RSP changes, so a fault leaves RSP intact. @faults */
export function push(c: Cpu, size: number, lo: number, hi: number): void {
  const s = c.s;
  const ss = stackSize(c);
  const k = GPR + 4 * 2;
  if (ss === 8) {
    const l = (s[k] >>> 0) - size;
    const nhi = (s[k + 1] - (l < 0 ? 1 : 0)) >>> 0;
    const nlo = l >>> 0;
    writeMem(c, SegReg.SS, nlo, nhi, size, lo, hi);
    s[k] = nlo; s[k + 1] = nhi;
  } else if (ss === 4) {
    const n = (s[k] - size) >>> 0;
    writeMem(c, SegReg.SS, n, 0, size, lo, hi);
    s[k] = n;
  } else {
    const n = (s[k] - size) & 0xffff;
    writeMem(c, SegReg.SS, n, 0, size, lo, hi);
    s[k] = (s[k] & 0xffff0000) | n;
  }
}

/** Reads the value at the top of the stack plus `delta` without popping. @faults */
export function peekStack(c: Cpu, delta: number, size: number): number {
  const s = c.s;
  const ss = stackSize(c);
  const k = GPR + 4 * 2;
  if (ss === 8) {
    const l = (s[k] >>> 0) + delta;
    return readMem(c, SegReg.SS, l >>> 0, (s[k + 1] + (l > 0xffffffff ? 1 : 0)) >>> 0, size);
  }
  const off = ss === 4 ? (s[k] + delta) >>> 0 : (s[k] + delta) & 0xffff;
  return readMem(c, SegReg.SS, off, 0, size);
}

/** Adds `n` to the stack pointer at the stack address size. */
export function adjustSp(c: Cpu, n: number): void {
  const s = c.s;
  const ss = stackSize(c);
  const k = GPR + 4 * 2;
  if (ss === 8) {
    const l = (s[k] >>> 0) + n;
    s[k + 1] = (s[k + 1] + (l > 0xffffffff ? 1 : l < 0 ? -1 : 0)) >>> 0;
    s[k] = l >>> 0;
  } else if (ss === 4) s[k] = (s[k] + n) >>> 0;
  else s[k] = (s[k] & 0xffff0000) | ((s[k] + n) & 0xffff);
}

/** Pops `size` bytes (hi word in c.hi for 8). @faults */
export function pop(c: Cpu, size: number): number {
  const v = peekStack(c, 0, size);
  const hi = c.hi;
  adjustSp(c, size);
  c.hi = hi;
  return v;
}
