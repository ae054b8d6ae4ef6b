/**
 * SSE/SSE2 conversions (SDM Vol. 2 CVTxx2xx): float <-> float with rounding
 * and NaN narrowing/widening, integer -> float under MXCSR.RC, float ->
 * integer rounded (RC) or truncated (CVTTxx), where NaN and out-of-range
 * values give the integer indefinite (0x80000000 / 0x8000000000000000) with IE.
 * Forms with an MM operand switch the x87 unit to MMX state.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { GPR } from '../../state/layout.ts';
import { A, B, R, U32, getM, getX, loadW, putM, putX, readOperand, sseCheck, sseMmxCheck } from './regs.ts';
import { IE, PE, RC_DOWN, RC_UP, RC_ZERO, env, fpBegin, fpEnd } from './mxcsr.ts';
import {
  bits64, hi64, isDenormal32, isDenormal64, isNaN32, isNaN64, isSNaN32, isSNaN64, sign, twoSumErr,
  val32, val64,
} from './bits.ts';
import { round32, round64Normal } from './round.ts';
import { in32, in64, inHi } from './fparith.ts';

const a = A >> 2, b = B >> 2, r = R >> 2;

/** Rounds a finite double to an integral double under rc (ties to even for nearest); keeps the sign of zero. */
export function roundInt(v: number, rc: number): number {
  let t: number;
  switch (rc) {
    case RC_DOWN: t = Math.floor(v); break;
    case RC_UP: t = Math.ceil(v); break;
    case RC_ZERO: t = Math.trunc(v); break;
    default: {
      const f = Math.floor(v), d = v - f;
      t = d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
    }
  }
  return t === 0 && (v < 0 || Object.is(v, -0)) ? -0 : t;
}

/** Float value of a conversion source (NaN -> NaN, denormal -> 0 under DAZ; conversions to integer flag no DE). */
function srcVal32(x: number): number {
  if (isNaN32(x)) { env.pre |= IE; return NaN; }
  if (isDenormal32(x) && env.daz) return 0;
  return val32(x);
}
function srcVal64(lo: number, hi: number): number {
  if (isNaN64(lo, hi)) { env.pre |= IE; return NaN; }
  if (isDenormal64(lo, hi) && env.daz) return 0;
  return val64(lo, hi);
}

/** Float -> int32 (truncating or under RC); indefinite on NaN/overflow. */
function toInt32(v: number, trunc: boolean): number {
  if (Number.isNaN(v)) return 0x80000000;
  const t = roundInt(v, trunc ? RC_ZERO : env.rc);
  if (t < -2147483648 || t > 2147483647) { env.pre |= IE; return 0x80000000; }
  if (t !== v) env.post |= PE;
  return t >>> 0;
}
/** Float -> int64: returns the low word, high word in i64Hi. */
let i64Hi = 0;
function toInt64(v: number, trunc: boolean): number {
  if (Number.isNaN(v)) { i64Hi = 0x80000000; return 0; }
  const t = roundInt(v, trunc ? RC_ZERO : env.rc);
  if (t < -9223372036854775808 || t >= 9223372036854775808) { env.pre |= IE; i64Hi = 0x80000000; return 0; }
  if (t !== v) env.post |= PE;
  const hi = Math.floor(t / 4294967296);
  i64Hi = hi >>> 0;
  return (t - hi * 4294967296) >>> 0;
}

/** float32 -> float64 (exact); NaNs are quieted and widened. Low word returned, high in cvHi. */
let cvHi = 0;
function f32to64(x: number): number {
  if (isNaN32(x)) {
    if (isSNaN32(x)) env.pre |= IE;
    cvHi = ((x & 0x80000000) | 0x7ff80000 | ((x & 0x3fffff) >>> 3)) >>> 0;
    return (x << 29) >>> 0;
  }
  const lo = bits64(val32(in32(x)));
  cvHi = hi64;
  return lo;
}
/** float64 -> float32 under RC with OE/UE/PE; NaNs keep their top payload bits, quieted. */
function f64to32(lo: number, hi: number): number {
  if (isNaN64(lo, hi)) {
    if (isSNaN64(lo, hi)) env.pre |= IE;
    return ((hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29)) >>> 0;
  }
  const l = in64(lo, hi);
  return round32(val64(l, inHi), 0);
}

/** int64 (lo/hi) as an exact sum d + err of doubles. */
let i2fErr = 0;
function int64Double(lo: number, hi: number): number {
  const x = (hi | 0) * 4294967296, y = lo >>> 0;
  const d = x + y;
  i2fErr = twoSumErr(x, y, d);
  return d;
}

/** Reads the Ey source (GPR or memory, 4 or 8 bytes) into lane B. @faults */
function loadEy(c: Cpu, i: DecodedInsn, size: number): void {
  if (i.mod === 3) { const k = GPR + 2 * i.rm; U32[b] = c.s[k]; U32[b + 1] = size === 8 ? c.s[k + 1] : 0; }
  else readOperand(c, i, B, size, 0);
}
const wide = (i: DecodedInsn): number => ((i.rex & 8) !== 0 ? 8 : 4);

/** Scalar float -> GPR (CVTSS2SI, CVTTSD2SI, ...). */
function toGpr(double: boolean, trunc: boolean): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, double ? 8 : 4, 0);
    fpBegin(c);
    const v = double ? srcVal64(U32[b], U32[b + 1]) : srcVal32(U32[b]);
    const size = wide(i);
    let lo: number, hi = 0;
    if (size === 8) { lo = toInt64(v, trunc); hi = i64Hi; } else lo = toInt32(v, trunc);
    fpEnd(c);
    c.setReg(i.reg, size, lo, hi);
  };
}

/** Packed conversion over `n` source elements into R (rest of R zero), from lane B. */
type Conv = (k: number) => void;
function packedConv(srcBytes: number, align: number, f: Conv, n: number): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, srcBytes, align);
    fpBegin(c);
    U32[r] = 0; U32[r + 1] = 0; U32[r + 2] = 0; U32[r + 3] = 0;
    for (let k = 0; k < n; k++) f(k);
    fpEnd(c);
    putX(c, i.reg, R);
  };
}

export function registerConvert(h: HandlerTable): void {
  h.CVTSI2SS_VxEy = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    const size = wide(i);
    loadEy(c, i, size);
    fpBegin(c);
    const v = size === 8 ? round32(int64Double(U32[b], U32[b + 1]), sign(i2fErr)) : round32(U32[b] | 0, 0);
    fpEnd(c);
    U32[a] = v; putX(c, i.reg, A);
  };
  h.CVTSI2SD_VxEy = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    const size = wide(i);
    loadEy(c, i, size);
    fpBegin(c);
    const d = size === 8 ? round64Normal(int64Double(U32[b], U32[b + 1]), i2fErr) : U32[b] | 0;
    fpEnd(c);
    U32[a] = bits64(d); U32[a + 1] = hi64; putX(c, i.reg, A);
  };
  h.CVTSS2SI_GyWx = toGpr(false, false); h.CVTTSS2SI_GyWx = toGpr(false, true);
  h.CVTSD2SI_GyWx = toGpr(true, false); h.CVTTSD2SI_GyWx = toGpr(true, true);

  h.CVTSS2SD_VxWx = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 4, 0);
    fpBegin(c);
    const lo = f32to64(U32[b]);
    fpEnd(c);
    U32[a] = lo; U32[a + 1] = cvHi; putX(c, i.reg, A);
  };
  h.CVTSD2SS_VxWx = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 8, 0);
    fpBegin(c);
    const v = f64to32(U32[b], U32[b + 1]);
    fpEnd(c);
    U32[a] = v; putX(c, i.reg, A);
  };
  h.CVTPS2PD_VxWx = packedConv(8, 0, (k) => { U32[r + 2 * k] = f32to64(U32[b + k]); U32[r + 2 * k + 1] = cvHi; }, 2);
  h.CVTPD2PS_VxWx = packedConv(16, 16, (k) => { U32[r + k] = f64to32(U32[b + 2 * k], U32[b + 2 * k + 1]); }, 2);
  h.CVTDQ2PS_VxWx = packedConv(16, 16, (k) => { U32[r + k] = round32(U32[b + k] | 0, 0); }, 4);
  h.CVTPS2DQ_VxWx = packedConv(16, 16, (k) => { U32[r + k] = toInt32(srcVal32(U32[b + k]), false); }, 4);
  h.CVTTPS2DQ_VxWx = packedConv(16, 16, (k) => { U32[r + k] = toInt32(srcVal32(U32[b + k]), true); }, 4);
  h.CVTDQ2PD_VxWx = packedConv(8, 0, (k) => { U32[r + 2 * k] = bits64(U32[b + k] | 0); U32[r + 2 * k + 1] = hi64; }, 2);
  h.CVTPD2DQ_VxWx = packedConv(16, 16, (k) => { U32[r + k] = toInt32(srcVal64(U32[b + 2 * k], U32[b + 2 * k + 1]), false); }, 2);
  h.CVTTPD2DQ_VxWx = packedConv(16, 16, (k) => { U32[r + k] = toInt32(srcVal64(U32[b + 2 * k], U32[b + 2 * k + 1]), true); }, 2);

  // MMX forms.
  h.CVTPI2PS_VxQq = (c, i) => {
    if (i.mod === 3) { sseMmxCheck(c, i); getM(c, i.rm, B); } else { sseCheck(c, i); readOperand(c, i, B, 8, 0); }
    getX(c, i.reg, A);
    fpBegin(c);
    const x = round32(U32[b] | 0, 0), y = round32(U32[b + 1] | 0, 0);
    fpEnd(c);
    U32[a] = x; U32[a + 1] = y; putX(c, i.reg, A);
  };
  h.CVTPI2PD_VxQq = (c, i) => {
    if (i.mod === 3) { sseMmxCheck(c, i); getM(c, i.rm, B); } else { sseCheck(c, i); readOperand(c, i, B, 8, 0); }
    U32[r] = bits64(U32[b] | 0); U32[r + 1] = hi64; U32[r + 2] = bits64(U32[b + 1] | 0); U32[r + 3] = hi64;
    putX(c, i.reg, R);
  };
  const toMm = (double: boolean, trunc: boolean): InsnHandler => (c, i) => {
    sseMmxCheck(c, i);
    if (double) loadW(c, i, 16, 16);
    else if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 8, 0);
    fpBegin(c);
    for (let k = 0; k < 2; k++) {
      const v = double ? srcVal64(U32[b + 2 * k], U32[b + 2 * k + 1]) : srcVal32(U32[b + k]);
      U32[r + k] = toInt32(v, trunc);
    }
    fpEnd(c);
    putM(c, i.reg, R);
  };
  h.CVTPS2PI_PqWx = toMm(false, false); h.CVTTPS2PI_PqWx = toMm(false, true);
  h.CVTPD2PI_PqWx = toMm(true, false); h.CVTTPD2PI_PqWx = toMm(true, true);
}
