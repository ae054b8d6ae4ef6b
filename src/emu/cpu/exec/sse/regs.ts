/**
 * SIMD operand plumbing shared by the SSE and MMX handlers: the CR0/CR4 checks
 * (SDM Vol. 2 Tables 2-18/2-19, "Exceptions for legacy SSE" and MMX), 128-bit
 * and 64-bit operand loads into scratch lanes, stores back, and the MMX view of
 * the x87 register file (SDM Vol. 1 9.5: MMi aliases the mantissa of Ri).
 *
 * Handlers work on three 16-byte scratch lanes A (first source / destination),
 * B (second source) and R (result) in one ArrayBuffer, with integer and float
 * views over it; nothing is allocated per instruction. Register values are
 * copied word-wise through c.s, so NaN payloads never pass through JS numbers.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import { CR0_EM, CR0_TS, CR4_OSFXSR, Vec } from '../../arch.ts';
import { CR0, CR4, FPU, XMM } from '../../state/layout.ts';
import { linearAddr, readLinear, translate, writeLinear } from '../../memory.ts';
import { Access } from '../../mmu/mmu.ts';
import { FSW_ES, W_FSW } from '../../fpu/state.ts';
import { pendingX87 } from '../x87Common.ts';
import { SIMD_ALL, featureBit } from './features.ts';

export const SCRATCH = new ArrayBuffer(64);
export const U8 = new Uint8Array(SCRATCH);
export const I8 = new Int8Array(SCRATCH);
export const U16 = new Uint16Array(SCRATCH);
export const I16 = new Int16Array(SCRATCH);
export const U32 = new Uint32Array(SCRATCH);
export const I32 = new Int32Array(SCRATCH);
export const F32 = new Float32Array(SCRATCH);
export const F64 = new Float64Array(SCRATCH);
/** Byte offsets of the lanes. */
export const A = 0, B = 16, R = 32;

/**
 * #UD when the CPU model lacks the instruction's extension (features.ts). The
 * common case, a model with every SIMD extension, costs one compare.
 * @faults
 */
export function featureCheck(c: Cpu, i: DecodedInsn): void {
  const have = c.cpuid.simd;
  if (have !== SIMD_ALL && (have & featureBit(i)) === 0) c.fault(Vec.UD);
}

/** Legacy SSE: the CPUID gate, #UD if CR0.EM or !CR4.OSFXSR, then #NM if CR0.TS. @faults */
export function sseCheck(c: Cpu, i: DecodedInsn): void {
  featureCheck(c, i);
  const s = c.s;
  if ((s[CR0] & CR0_EM) !== 0 || (s[CR4] & CR4_OSFXSR) === 0) c.fault(Vec.UD);
  if ((s[CR0] & CR0_TS) !== 0) c.fault(Vec.NM);
}

/**
 * MMX: #UD if CR0.EM, #NM if CR0.TS, then a pending unmasked x87 exception is
 * #MF (CR0.NE=1) or FERR# (x87Common). Then the x87-to-MMX transition (SDM
 * Vol. 1 9.5.1): TOP=0 and every tag valid. @faults
 */
export function mmxCheck(c: Cpu, i: DecodedInsn): void {
  featureCheck(c, i);
  const s = c.s;
  if ((s[CR0] & CR0_EM) !== 0) c.fault(Vec.UD);
  if ((s[CR0] & CR0_TS) !== 0) c.fault(Vec.NM);
  if ((s[FPU + W_FSW] & FSW_ES) !== 0) pendingX87(c);
  c.fpu.top = 0;
  c.fpu.ftwAbridged = 0xff;
}

/** Both checks, for instructions with MMX and XMM operands (MOVQ2DQ, CVTPI2PS...). @faults */
export function sseMmxCheck(c: Cpu, i: DecodedInsn): void {
  sseCheck(c, i);
  mmxCheck(c, i);
}

// ---- registers -------------------------------------------------------------

/** Copies XMM `r` into the lane at byte offset `lane`. */
export function getX(c: Cpu, r: number, lane: number): void {
  const s = c.s, k = XMM + 4 * r, w = lane >> 2;
  U32[w] = s[k]; U32[w + 1] = s[k + 1]; U32[w + 2] = s[k + 2]; U32[w + 3] = s[k + 3];
}
export function putX(c: Cpu, r: number, lane: number): void {
  const s = c.s, k = XMM + 4 * r, w = lane >> 2;
  s[k] = U32[w]; s[k + 1] = U32[w + 1]; s[k + 2] = U32[w + 2]; s[k + 3] = U32[w + 3];
}
/** MMi: the 64-bit mantissa words of physical x87 register Ri. */
export function getM(c: Cpu, r: number, lane: number): void {
  const s = c.s, k = FPU + 3 * (r & 7), w = lane >> 2;
  U32[w] = s[k]; U32[w + 1] = s[k + 1];
}
/** Writes MMi: mantissa, and sign/exponent all ones (SDM Vol. 1 9.5.1). */
export function putM(c: Cpu, r: number, lane: number): void {
  const s = c.s, k = FPU + 3 * (r & 7), w = lane >> 2;
  s[k] = U32[w]; s[k + 1] = U32[w + 1]; s[k + 2] = 0xffff;
}
export function setMWords(c: Cpu, r: number, lo: number, hi: number): void {
  const s = c.s, k = FPU + 3 * (r & 7);
  s[k] = lo; s[k + 1] = hi; s[k + 2] = 0xffff;
}

// ---- memory ----------------------------------------------------------------

/**
 * Linear address of the memory operand for `size` bytes (segment checks); for
 * `align` > 0 a misaligned address is #GP(0) (the aligned 16-byte forms). @faults
 */
function operandLa(c: Cpu, i: DecodedInsn, size: number, align: number, write: boolean): number {
  const la = linearAddr(c, i.seg, c.eaLo, c.eaHi, size, write);
  if (align !== 0 && (la & (align - 1)) !== 0) c.fault(Vec.GP, 0);
  return la;
}

function laPlus(c: Cpu, la: number, laHi: number, k: number): number {
  const l = la + k;
  c.laHi = l > 0xffffffff ? (c.long64 ? (laHi + 1) >>> 0 : 0) : laHi;
  return l >>> 0;
}

/** Reads `size` bytes (4, 8 or 16) of the memory operand into `lane`, zeroing the rest of the lane. @faults */
export function readOperand(c: Cpu, i: DecodedInsn, lane: number, size: number, align: number): void {
  const la = operandLa(c, i, size, align, false), laHi = c.laHi;
  const w = lane >> 2;
  if (size <= 4) {
    U32[w] = size === 4 ? readLinear(c, la, laHi, 4) : size === 2 ? readLinear(c, la, laHi, 2) : readLinear(c, la, laHi, 1);
    U32[w + 1] = 0; U32[w + 2] = 0; U32[w + 3] = 0;
    return;
  }
  const lo = readLinear(c, la, laHi, 8);
  const hi = c.hi;
  if (size === 8) { U32[w] = lo; U32[w + 1] = hi; U32[w + 2] = 0; U32[w + 3] = 0; return; }
  const l2 = laPlus(c, la, laHi, 8);
  const lo2 = readLinear(c, l2, c.laHi, 8);
  U32[w] = lo; U32[w + 1] = hi; U32[w + 2] = lo2; U32[w + 3] = c.hi;
}

/** Writes `size` bytes (4, 8 or 16) from `lane` to the memory operand; nothing is written if any byte faults. @faults */
export function writeOperand(c: Cpu, i: DecodedInsn, lane: number, size: number, align: number): void {
  const la = operandLa(c, i, size, align, true), laHi = c.laHi;
  const w = lane >> 2;
  if (size === 16 && (la & 0xfff) > 0xff0) {
    // Probe both pages first: a fault on the second leaves memory unchanged (CR2 = its first byte).
    translate(c, la, laHi, Access.Write);
    const l2 = laPlus(c, la, laHi, 0x1000 - (la & 0xfff));
    translate(c, l2, c.laHi, Access.Write);
  }
  if (size === 4) { writeLinear(c, la, laHi, 4, U32[w], 0); return; }
  writeLinear(c, la, laHi, 8, U32[w], U32[w + 1]);
  if (size === 16) {
    const l2 = laPlus(c, la, laHi, 8);
    writeLinear(c, l2, c.laHi, 8, U32[w + 2], U32[w + 3]);
  }
}

/** Loads the W operand (XMM register or `size` bytes of memory) into lane B. @faults */
export function loadW(c: Cpu, i: DecodedInsn, size: number, align: number): void {
  if (i.mod === 3) getX(c, i.rm, B);
  else readOperand(c, i, B, size, align);
}
/** Loads the Q operand (MM register or 8 bytes of memory) into lane B. @faults */
export function loadQ(c: Cpu, i: DecodedInsn): void {
  if (i.mod === 3) getM(c, i.rm, B);
  else readOperand(c, i, B, 8, 0);
}
