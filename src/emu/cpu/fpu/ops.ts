/**
 * The other exact x87 operations: comparisons (FCOM/FUCOM/FCOMI/FUCOMI/FTST), FXAM,
 * FRNDINT, FSCALE, FXTRACT and the remainders FPREM/FPREM1 (SDM Vol. 2 instruction pages).
 * None of these is affected by precision control.
 */
import {
  BIAS_ADJUST, CLS_DENORMAL, CLS_INFINITY, CLS_NORMAL, CLS_QNAN, CLS_SNAN, CLS_UNSUPPORTED, CLS_ZERO, EXP_BIAS,
  EXP_MAX, F80, FpEnv, IE, PE, ZE, classify, setInfinity, setZero,
} from './float80.ts';
import { fromInt32, roundUp } from './convert.ts';
import { normRoundPack, roundPack } from './round.ts';
import {
  ABORT, STORE, Unpacked, denormalFault, invalid, isNaNClass, propagateNaN1, propagateNaN2, unpack,
} from './special.ts';
import { r96, shr96Jam } from './wide.ts';

const ua = new Unpacked(), ub = new Unpacked();

// ---- comparisons -----------------------------------------------------------------------

/** Comparison outcomes; -1 (CMP_NONE) means an unmasked exception: set no condition codes. */
export const CMP_GT = 0, CMP_LT = 1, CMP_EQ = 2, CMP_UNORDERED = 3, CMP_NONE = -1;

/**
 * Compare a with b. `unordered` = FUCOM/FUCOMI (only SNaN raises IE); otherwise FCOM/FCOMI
 * (any NaN raises IE). Unsupported encodings always raise IE.
 */
export function fcompare(env: FpEnv, a: F80, b: F80, unordered: boolean): number {
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  env.c1 = 0;
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED || isNaNClass(ca) || isNaNClass(cb)) {
    const signaling = !unordered || ca === CLS_SNAN || cb === CLS_SNAN || ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED;
    if (signaling) { env.flags |= IE; if (env.unmasked(IE)) return CMP_NONE; }
    return CMP_UNORDERED;
  }
  const fa = denormalFault(env, ca), fb = denormalFault(env, cb);
  if (fa || fb) return CMP_NONE;
  if (ca === CLS_ZERO && cb === CLS_ZERO) return CMP_EQ;
  const sa = a.se >>> 15, sb = b.se >>> 15;
  if (ca === CLS_ZERO) return sb ? CMP_GT : CMP_LT;
  if (cb === CLS_ZERO) return sa ? CMP_LT : CMP_GT;
  if (sa !== sb) return sa ? CMP_LT : CMP_GT;
  let mag: number;                                      // compare magnitudes
  if (ca === CLS_INFINITY || cb === CLS_INFINITY) mag = ca === cb ? 0 : ca === CLS_INFINITY ? 1 : -1;
  else {
    unpack(a, ua); unpack(b, ub);
    mag = ua.exp !== ub.exp ? (ua.exp > ub.exp ? 1 : -1)
      : ua.hi !== ub.hi ? (ua.hi > ub.hi ? 1 : -1) : ua.lo !== ub.lo ? (ua.lo > ub.lo ? 1 : -1) : 0;
  }
  if (mag === 0) return CMP_EQ;
  return (mag > 0) !== (sa === 1) ? CMP_GT : CMP_LT;
}

/** FCOM-family condition codes for a comparison result: [C0, C2, C3] packed as bits 0, 1, 2. */
export function compareCC(r: number): number {
  return r === CMP_LT ? 0b001 : r === CMP_EQ ? 0b100 : r === CMP_UNORDERED ? 0b111 : 0;
}

/** FCOMI-family EFLAGS (ZF 0x40, PF 0x04, CF 0x01) for a comparison result; OF/SF/AF cleared. */
export function compareEflags(r: number): number {
  return r === CMP_LT ? 0x01 : r === CMP_EQ ? 0x40 : r === CMP_UNORDERED ? 0x45 : 0;
}

const ZERO80 = new F80();

/** FTST: compare with +0.0. */
export function ftst(env: FpEnv, a: F80): number {
  return fcompare(env, a, ZERO80, false);
}

/**
 * FXAM condition codes as C3 << 3 | C2 << 2 | C1 << 1 | C0 (C1 = sign). `empty` = tag says
 * empty. Classes: unsupported 000, NaN 001, normal 010, infinity 011, zero 100,
 * empty 101, denormal 110 (C3 C2 C0).
 */
export function fxam(a: F80, empty: boolean): number {
  const c1 = (a.se >>> 15) << 1;
  if (empty) return 0b1001 | c1;
  switch (classify(a.se, a.hi, a.lo)) {
    case CLS_UNSUPPORTED: return c1;
    case CLS_QNAN: case CLS_SNAN: return 0b0001 | c1;
    case CLS_NORMAL: return 0b0100 | c1;
    case CLS_INFINITY: return 0b0101 | c1;
    case CLS_ZERO: return 0b1000 | c1;
    default: return 0b1100 | c1;                   // denormal
  }
}

// ---- FRNDINT, FSCALE, FXTRACT ----------------------------------------------------------

/** FRNDINT: round to an integer by FCW.RC (PE and C1 when inexact). */
export function frndint(env: FpEnv, a: F80, out: F80): boolean {
  const c = classify(a.se, a.hi, a.lo);
  if (c === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(c)) return propagateNaN1(env, a, c, out);
  env.c1 = 0;
  if (c === CLS_ZERO || c === CLS_INFINITY) { out.copy(a); return STORE; }
  if (denormalFault(env, c)) return ABORT;
  unpack(a, ua);
  const e = ua.exp - EXP_BIAS, sign = ua.sign;
  if (e >= 63) { out.se = a.se; out.hi = ua.hi; out.lo = ua.lo; return STORE; }
  shr96Jam(ua.hi, ua.lo, 0, 63 - e);
  let hi = r96[0]!, lo = r96[1]!;
  const frac = r96[2]!;
  const up = roundUp(env.rc, sign, lo & 1, frac);
  if (frac !== 0) env.flags |= PE;
  env.c1 = up ? 1 : 0;
  if (up) { lo = (lo + 1) >>> 0; if (lo === 0) hi = (hi + 1) >>> 0; }
  if ((hi | lo) === 0) { setZero(out, sign); return STORE; }
  normRoundPack(env, out, sign, EXP_BIAS + 63, hi, lo, 0, 64, EXP_MAX, BIAS_ADJUST); // exact
  env.c1 = up ? 1 : 0;
  return STORE;
}

/** FSCALE: a * 2^trunc(b). */
export function fscale(env: FpEnv, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca) || isNaNClass(cb)) return propagateNaN2(env, a, ca, b, cb, out);
  env.c1 = 0;
  const sa = a.se >>> 15, sb = b.se >>> 15;
  if (cb === CLS_INFINITY) {
    if ((ca === CLS_ZERO && !sb) || (ca === CLS_INFINITY && sb)) return invalid(env, out);
    if (denormalFault(env, ca)) return ABORT;
    if (ca === CLS_ZERO || ca === CLS_INFINITY) { out.copy(a); return STORE; }
    if (sb) setZero(out, sa); else setInfinity(out, sa);
    return STORE;
  }
  const fa = denormalFault(env, ca), fb = denormalFault(env, cb);
  if (fa || fb) return ABORT;
  if (ca === CLS_ZERO || ca === CLS_INFINITY) { out.copy(a); return STORE; }
  unpack(a, ua);
  let n = 0;
  if (cb !== CLS_ZERO) {
    unpack(b, ub);
    const e = ub.exp - EXP_BIAS;
    // trunc(b), clamped: anything beyond 2^20 over- or underflows every finite a anyway.
    n = e < 0 ? 0 : e >= 20 ? (1 << 20) : ub.hi >>> (31 - e);
    if (sb) n = -n;
  }
  return roundPack(env, out, sa, ua.exp + n, ua.hi, ua.lo, 0, 64, EXP_MAX, BIAS_ADJUST);
}

/**
 * FXTRACT: `sig` = significand with exponent 0 (same sign), `expo` = unbiased exponent as a
 * value. Zero: ZE, expo = -infinity, sig = the zero. Infinity: expo = +infinity.
 * The caller stores expo in ST(0)'s place and pushes sig.
 */
export function fxtract(env: FpEnv, a: F80, sig: F80, expo: F80): boolean {
  const c = classify(a.se, a.hi, a.lo);
  if (c === CLS_UNSUPPORTED) { if (!invalid(env, sig)) return ABORT; expo.copy(sig); return STORE; }
  if (isNaNClass(c)) { if (!propagateNaN1(env, a, c, sig)) return ABORT; expo.copy(sig); return STORE; }
  env.c1 = 0;
  if (c === CLS_ZERO) {
    env.flags |= ZE;
    if (env.unmasked(ZE)) return ABORT;
    setInfinity(expo, 1); sig.copy(a);
    return STORE;
  }
  if (c === CLS_INFINITY) { setInfinity(expo, 0); sig.copy(a); return STORE; }
  if (denormalFault(env, c)) return ABORT;
  unpack(a, ua);
  sig.set((ua.sign << 15) | EXP_BIAS, ua.hi, ua.lo);
  fromInt32(ua.exp - EXP_BIAS, expo);
  return STORE;
}

// ---- FPREM / FPREM1 --------------------------------------------------------------------

/** Low three quotient bits of the last complete remainder (C0 = bit 2, C3 = bit 1, C1 = bit 0). */
export let remQuotient = 0;
/** 1 when the last remainder was partial (C2 = 1: execute again). */
export let remPartial = 0;

/**
 * FPREM (ieee = false: quotient truncated) or FPREM1 (ieee = true: quotient rounded to
 * nearest even). Exact. When the exponent difference is 64 or more the reduction is
 * partial by 2^N with N = 32 + (D mod 32), as Bochs and QEMU do (SDM: "between 32 and 63").
 */
export function fprem(env: FpEnv, a: F80, b: F80, out: F80, ieee: boolean): boolean {
  remQuotient = 0; remPartial = 0;
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca) || isNaNClass(cb)) return propagateNaN2(env, a, ca, b, cb, out);
  env.c1 = 0;
  if (ca === CLS_INFINITY || cb === CLS_ZERO) return invalid(env, out);
  const fa = denormalFault(env, ca), fb = denormalFault(env, cb);
  if (fa || fb) return ABORT;
  if (ca === CLS_ZERO || cb === CLS_INFINITY) {
    if (ca === CLS_DENORMAL) { unpack(a, ua); return roundPack(env, out, ua.sign, ua.exp, ua.hi, ua.lo, 0, 64, EXP_MAX, BIAS_ADJUST); }
    out.copy(a); return STORE;
  }
  unpack(a, ua); unpack(b, ub);
  let sign = ua.sign;
  const d = ua.exp - ub.exp;
  if (d < 0) {
    if (ieee && d === -1 && (ua.hi > ub.hi || (ua.hi === ub.hi && ua.lo > ub.lo))) {
      // |a| in (|b|/2, |b|): r = a - b, in units of 2^(eb - 64): 2B - A.
      const lo = ub.lo * 2 - ua.lo, hi = ub.hi * 2 + Math.floor(lo / 4294967296) - ua.hi;
      remQuotient = 1;
      return normRoundPack(env, out, sign ^ 1, ub.exp - 1, hi >>> 0, lo >>> 0, 0, 64, EXP_MAX, BIAS_ADJUST);
    }
    return roundPack(env, out, sign, ua.exp, ua.hi, ua.lo, 0, 64, EXP_MAX, BIAS_ADJUST);
  }
  const n = d >= 64 ? 32 + (d % 32) : d;
  // Restoring division of A * 2^n by B: R stays below 2B < 2^65 (r2 is bit 64).
  let r2 = 0, r1 = ua.hi, r0 = ua.lo, q = 0;
  const bh = ub.hi, bl = ub.lo;
  for (let i = 0; i <= n; i++) {
    const ge = r2 !== 0 || r1 > bh || (r1 === bh && r0 >= bl);
    if (ge) {
      const t0 = r0 - bl;
      r0 = t0 >>> 0;
      r1 = (r1 - bh - (t0 < 0 ? 1 : 0)) >>> 0;
      r2 = 0;
    }
    q = ((q << 1) | (ge ? 1 : 0)) & 7;
    if (i < n) { r2 = r1 >>> 31; r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0; r0 = (r0 << 1) >>> 0; }
  }
  if (d >= 64) {
    remPartial = 1;
    return normRoundPack(env, out, sign, ua.exp - n, r1, r0, 0, 64, EXP_MAX, BIAS_ADJUST);
  }
  if (ieee) {
    // Compare 2R with B: round the quotient to nearest even.
    const t2 = r1 >>> 31, t1 = ((r1 << 1) | (r0 >>> 31)) >>> 0, t0 = (r0 << 1) >>> 0;
    const cmp = t2 !== 0 ? 1 : t1 !== bh ? (t1 > bh ? 1 : -1) : t0 !== bl ? (t0 > bl ? 1 : -1) : 0;
    if (cmp > 0 || (cmp === 0 && (q & 1) !== 0)) {
      const lo = bl - r0, hi = bh - r1 - (lo < 0 ? 1 : 0);
      r0 = lo >>> 0; r1 = hi >>> 0;
      sign ^= 1;
      q = (q + 1) & 7;
    }
  }
  remQuotient = q;
  return normRoundPack(env, out, sign, ub.exp, r1, r0, 0, 64, EXP_MAX, BIAS_ADJUST);
}

