/**
 * SSE4.1 floating-point instructions (SDM Vol. 2): ROUNDPS/PD/SS/SD (imm8
 * rounding or MXCSR.RC, precision suppression), DPPS/DPPD (products and sums
 * rounded one by one, as the SDM's pseudo-code orders them), INSERTPS and
 * EXTRACTPS.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { A, B, R, U32, getX, loadW, putX, readOperand, sseCheck, writeOperand } from './regs.ts';
import { IE, PE, env, fpBegin, fpEnd } from './mxcsr.ts';
import { bits32, bits64, hi64, isDenormal32, isDenormal64, isNaN32, isNaN64, isSNaN32, isSNaN64, val32, val64 } from './bits.ts';
import { Op, arith32, arith64, rHi } from './fparith.ts';
import { roundInt } from './convert.ts';

const a = A >> 2, b = B >> 2, r = R >> 2;

/** Rounding for ROUNDxx: imm8[2] selects MXCSR.RC, else imm8[1:0]; imm8[3] suppresses PE. */
let roundImm = 0;
function rcOf(): number { return (roundImm & 4) !== 0 ? env.rc : roundImm & 3; }

function round32(x: number): number {
  if (isNaN32(x)) { if (isSNaN32(x)) env.pre |= IE; return (x | 0x400000) >>> 0; }
  if (isDenormal32(x) && env.daz) x = (x & 0x80000000) >>> 0;
  const v = val32(x);
  if (!Number.isFinite(v)) return x >>> 0;
  const t = roundInt(v, rcOf());
  if (t !== v && (roundImm & 8) === 0) env.post |= PE;
  return bits32(t);
}
let outHi = 0;
function round64(lo: number, hi: number): number {
  if (isNaN64(lo, hi)) { if (isSNaN64(lo, hi)) env.pre |= IE; outHi = (hi | 0x80000) >>> 0; return lo; }
  if (isDenormal64(lo, hi) && env.daz) { lo = 0; hi = (hi & 0x80000000) >>> 0; }
  const v = val64(lo, hi);
  if (!Number.isFinite(v)) { outHi = hi; return lo; }
  const t = roundInt(v, rcOf());
  if (t !== v && (roundImm & 8) === 0) env.post |= PE;
  const l = bits64(t); outHi = hi64; return l;
}

function roundHandler(double: boolean, scalar: boolean): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    if (scalar) { if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, double ? 8 : 4, 0); }
    else loadW(c, i, 16, 16);
    roundImm = i.imm & 0xff;
    fpBegin(c);
    // Scalar forms keep the destination's upper elements.
    U32[r] = U32[a]; U32[r + 1] = U32[a + 1]; U32[r + 2] = U32[a + 2]; U32[r + 3] = U32[a + 3];
    const n = scalar ? 1 : double ? 2 : 4;
    for (let k = 0; k < n; k++) {
      if (double) { U32[r + 2 * k] = round64(U32[b + 2 * k], U32[b + 2 * k + 1]); U32[r + 2 * k + 1] = outHi; }
      else U32[r + k] = round32(U32[b + k]);
    }
    fpEnd(c);
    putX(c, i.reg, R);
  };
}

/** DPPS: products selected by imm8[7:4] (others +0), summed as (p0+p1)+(p2+p3), stored where imm8[3:0] says. */
const dpps: InsnHandler = (c, i) => {
  sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
  const imm = i.imm & 0xff;
  fpBegin(c);
  const p = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) p[k] = ((imm >> (4 + k)) & 1) !== 0 ? arith32(Op.Mul, U32[a + k], U32[b + k]) : 0;
  const s = arith32(Op.Add, arith32(Op.Add, p[0], p[1]), arith32(Op.Add, p[2], p[3]));
  fpEnd(c);
  for (let k = 0; k < 4; k++) U32[r + k] = ((imm >> k) & 1) !== 0 ? s : 0;
  putX(c, i.reg, R);
};
const dppd: InsnHandler = (c, i) => {
  sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
  const imm = i.imm & 0xff;
  fpBegin(c);
  let p0l = 0, p0h = 0, p1l = 0, p1h = 0;
  if ((imm & 0x10) !== 0) { p0l = arith64(Op.Mul, U32[a], U32[a + 1], U32[b], U32[b + 1]); p0h = rHi; }
  if ((imm & 0x20) !== 0) { p1l = arith64(Op.Mul, U32[a + 2], U32[a + 3], U32[b + 2], U32[b + 3]); p1h = rHi; }
  const sl = arith64(Op.Add, p0l, p0h, p1l, p1h), sh = rHi;
  fpEnd(c);
  for (let k = 0; k < 2; k++) { const on = ((imm >> k) & 1) !== 0; U32[r + 2 * k] = on ? sl : 0; U32[r + 2 * k + 1] = on ? sh : 0; }
  putX(c, i.reg, R);
};

/** INSERTPS: element imm8[7:6] of the source register (or the m32), into element imm8[5:4]; imm8[3:0] zeroes. */
const insertps: InsnHandler = (c, i) => {
  sseCheck(c, i); getX(c, i.reg, A);
  const imm = i.imm & 0xff;
  let v: number;
  if (i.mod === 3) { getX(c, i.rm, B); v = U32[b + (imm >> 6)]; }
  else { readOperand(c, i, B, 4, 0); v = U32[b]; }
  U32[a + ((imm >> 4) & 3)] = v;
  for (let k = 0; k < 4; k++) if (((imm >> k) & 1) !== 0) U32[a + k] = 0;
  putX(c, i.reg, A);
};
/** EXTRACTPS: dword imm8[1:0] to r32/r64 (zero-extended) or m32. */
const extractps = (c: Cpu, i: DecodedInsn): void => {
  sseCheck(c, i); getX(c, i.reg, A);
  const v = U32[a + (i.imm & 3)];
  if (i.mod === 3) c.setReg(i.rm, (i.rex & 8) !== 0 ? 8 : 4, v, 0);
  else { U32[r] = v; writeOperand(c, i, R, 4, 0); }
};

export function registerSse41Fp(h: HandlerTable): void {
  h.ROUNDPS_VxWxIb = roundHandler(false, false);
  h.ROUNDPD_VxWxIb = roundHandler(true, false);
  h.ROUNDSS_VxWxIb = roundHandler(false, true);
  h.ROUNDSD_VxWxIb = roundHandler(true, true);
  h.DPPS_VxWxIb = dpps;
  h.DPPD_VxWxIb = dppd;
  h.INSERTPS_VxWxIb = insertps;
  h.EXTRACTPS_EdVxIb = extractps;
}
