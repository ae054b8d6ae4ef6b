/**
 * The basic operations FADD/FSUB/FMUL/FDIV/FSQRT on extended values, correctly rounded
 * under FCW.RC and FCW.PC (SDM Vol. 1 4.8.4, 8.1.5.2), with the x87 special-value
 * rules of the instruction pages (Vol. 2 FADD, FSUB, FMUL, FDIV, FSQRT result tables).
 *
 * Each returns true when `out` holds a result to store, false when an unmasked
 * pre-computation exception (IE, ZE, DE) means the destination must stay unchanged.
 * `out` may alias an operand.
 */
import {
  BIAS_ADJUST, CLS_DENORMAL, CLS_INFINITY, CLS_UNSUPPORTED, CLS_ZERO, DE, EXP_BIAS, EXP_MAX, F80, FpEnv,
  RC_DOWN, ZE, classify, setInfinity, setZero,
} from './float80.ts';
import { normRoundPack, roundPack } from './round.ts';
import {
  ABORT, STORE, Unpacked, denormalFault, invalid, isNaNClass, propagateNaN2, propagateNaN1, unpack,
} from './special.ts';
import { cmp96, mul64x64, prod, r96, shr96Jam, sub96, add96 } from './wide.ts';

const ua = new Unpacked(), ub = new Unpacked();

/** Both operands denormal-checked; true = abort (DE unmasked). */
function denormals(env: FpEnv, ca: number, cb: number): boolean {
  const fa = denormalFault(env, ca), fb = denormalFault(env, cb);
  return fa || fb;
}

/** out = a + b. */
export function fadd(env: FpEnv, a: F80, b: F80, out: F80): boolean {
  return addSub(env, a, b, 0, out);
}

/** out = a - b. */
export function fsub(env: FpEnv, a: F80, b: F80, out: F80): boolean {
  return addSub(env, a, b, 1, out);
}

function addSub(env: FpEnv, a: F80, b: F80, negB: number, out: F80): boolean {
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca) || isNaNClass(cb)) return propagateNaN2(env, a, ca, b, cb, out);
  const sa = a.se >>> 15, sb = (b.se >>> 15) ^ negB;
  env.c1 = 0;
  if (ca === CLS_INFINITY || cb === CLS_INFINITY) {
    if (ca === cb && sa !== sb) return invalid(env, out);
    if (denormals(env, ca, cb)) return ABORT;
    setInfinity(out, ca === CLS_INFINITY ? sa : sb);
    return STORE;
  }
  if (denormals(env, ca, cb)) return ABORT;
  if (ca === CLS_ZERO && cb === CLS_ZERO) {
    setZero(out, sa === sb ? sa : (env.rc === RC_DOWN ? 1 : 0));
    return STORE;
  }
  if (cb === CLS_ZERO) { unpack(a, ua); return roundPack(env, out, sa, ua.exp, ua.hi, ua.lo, 0, env.pc, EXP_MAX, BIAS_ADJUST); }
  if (ca === CLS_ZERO) { unpack(b, ub); return roundPack(env, out, sb, ub.exp, ub.hi, ub.lo, 0, env.pc, EXP_MAX, BIAS_ADJUST); }
  unpack(a, ua); unpack(b, ub);
  ua.sign = sa; ub.sign = sb;
  // Order by magnitude: x is the larger.
  let x = ua, y = ub;
  if (ub.exp > ua.exp || (ub.exp === ua.exp && cmp96(ub.hi, ub.lo, 0, ua.hi, ua.lo, 0) > 0)) { x = ub; y = ua; }
  shr96Jam(y.hi, y.lo, 0, x.exp - y.exp);
  const y2 = r96[0]!, y1 = r96[1]!, y0 = r96[2]!;
  if (x.sign === y.sign) {
    const carry = add96(x.hi, x.lo, 0, y2, y1, y0);
    let s2 = r96[0]!, s1 = r96[1]!, s0 = r96[2]!;
    let exp = x.exp;
    if (carry) {
      shr96Jam(s2, s1, s0, 1);
      s2 = (r96[0]! | 0x80000000) >>> 0; s1 = r96[1]!; s0 = r96[2]!;
      exp++;
    }
    return roundPack(env, out, x.sign, exp, s2, s1, s0, env.pc, EXP_MAX, BIAS_ADJUST);
  }
  sub96(x.hi, x.lo, 0, y2, y1, y0);
  const d2 = r96[0]!, d1 = r96[1]!, d0 = r96[2]!;
  if ((d2 | d1 | d0) === 0) {
    // Exact cancellation: +0, or -0 when rounding down (SDM Vol. 1 4.8.3.1).
    setZero(out, env.rc === RC_DOWN ? 1 : 0);
    return STORE;
  }
  return normRoundPack(env, out, x.sign, x.exp, d2, d1, d0, env.pc, EXP_MAX, BIAS_ADJUST);
}

/** out = a * b. */
export function fmul(env: FpEnv, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca) || isNaNClass(cb)) return propagateNaN2(env, a, ca, b, cb, out);
  const sign = (a.se ^ b.se) >>> 15;
  env.c1 = 0;
  if (ca === CLS_INFINITY || cb === CLS_INFINITY) {
    if (ca === CLS_ZERO || cb === CLS_ZERO) return invalid(env, out);
    if (denormals(env, ca, cb)) return ABORT;
    setInfinity(out, sign);
    return STORE;
  }
  if (denormals(env, ca, cb)) return ABORT;
  if (ca === CLS_ZERO || cb === CLS_ZERO) { setZero(out, sign); return STORE; }
  unpack(a, ua); unpack(b, ub);
  mul64x64(ua.hi, ua.lo, ub.hi, ub.lo);
  let exp = ua.exp + ub.exp - EXP_BIAS + 1;
  let p3 = prod[3]!, p2 = prod[2]!, p1 = prod[1]!;
  let p0 = prod[0]!;
  if ((p3 & 0x80000000) === 0) {
    p3 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
    p2 = ((p2 << 1) | (p1 >>> 31)) >>> 0;
    p1 = ((p1 << 1) | (p0 >>> 31)) >>> 0;
    p0 = (p0 << 1) >>> 0;
    exp--;
  }
  const sticky = p0 !== 0 ? 1 : 0;
  return roundPack(env, out, sign, exp, p3, p2, (p1 | sticky) >>> 0, env.pc, EXP_MAX, BIAS_ADJUST);
}

/** out = a / b. */
export function fdiv(env: FpEnv, a: F80, b: F80, out: F80): boolean {
  const ca = classify(a.se, a.hi, a.lo), cb = classify(b.se, b.hi, b.lo);
  if (ca === CLS_UNSUPPORTED || cb === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca) || isNaNClass(cb)) return propagateNaN2(env, a, ca, b, cb, out);
  const sign = (a.se ^ b.se) >>> 15;
  env.c1 = 0;
  if (ca === CLS_INFINITY) {
    if (cb === CLS_INFINITY) return invalid(env, out);
    if (denormals(env, ca, cb)) return ABORT;
    setInfinity(out, sign);
    return STORE;
  }
  if (cb === CLS_INFINITY) {
    if (denormals(env, ca, cb)) return ABORT;
    setZero(out, sign);
    return STORE;
  }
  if (cb === CLS_ZERO) {
    if (ca === CLS_ZERO) return invalid(env, out);
    // Divide-by-zero outranks the denormal-operand exception (SDM Vol. 1 4.9.2).
    env.flags |= ZE;
    if (env.unmasked(ZE)) return ABORT;
    if (ca === CLS_DENORMAL) { env.flags |= DE; if (env.unmasked(DE)) return ABORT; }
    setInfinity(out, sign);
    return STORE;
  }
  if (denormals(env, ca, cb)) return ABORT;
  if (ca === CLS_ZERO) { setZero(out, sign); return STORE; }
  unpack(a, ua); unpack(b, ub);
  return divSig(env, out, sign, ua.exp - ub.exp + EXP_BIAS, ua.hi, ua.lo, ub.hi, ub.lo, env.pc);
}

/**
 * Round sign * (A / B) * 2^(exp - bias) for normalized 64-bit A and B: 66 quotient bits by
 * restoring division, the remainder as sticky.
 */
export function divSig(env: FpEnv, out: F80, sign: number, exp: number, aHi: number, aLo: number,
  bHi: number, bLo: number, prec: number): boolean {
  let r2 = 0, r1 = aHi >>> 0, r0 = aLo >>> 0;
  bHi >>>= 0; bLo >>>= 0;
  if (r1 < bHi || (r1 === bHi && r0 < bLo)) {
    r2 = r1 >>> 31; r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0; r0 = (r0 << 1) >>> 0;
    exp--;
  }
  let q2 = 0, q1 = 0, q0 = 0;
  for (let i = 0; i < 66; i++) {
    if (r2 !== 0 || r1 > bHi || (r1 === bHi && r0 >= bLo)) {
      const d0 = r0 - bLo;
      r0 = d0 >>> 0;
      const d1 = r1 - bHi - (d0 < 0 ? 1 : 0);
      r1 = d1 >>> 0;
      r2 = 0;
      if (i < 32) q2 |= 1 << (31 - i);
      else if (i < 64) q1 |= 1 << (63 - i);
      else q0 |= 1 << (95 - i);
    }
    r2 = r1 >>> 31; r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0; r0 = (r0 << 1) >>> 0;
  }
  if ((r2 | r1 | r0) !== 0) q0 |= 1;
  return roundPack(env, out, sign, exp, q2 >>> 0, q1 >>> 0, q0 >>> 0, prec, EXP_MAX, BIAS_ADJUST);
}

/** out = sqrt(a). */
export function fsqrt(env: FpEnv, a: F80, out: F80): boolean {
  const ca = classify(a.se, a.hi, a.lo);
  if (ca === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(ca)) return propagateNaN1(env, a, ca, out);
  env.c1 = 0;
  const sign = a.se >>> 15;
  if (ca === CLS_ZERO) { out.copy(a); return STORE; }          // sqrt(-0) = -0
  if (sign) return invalid(env, out);                          // includes -infinity
  if (ca === CLS_INFINITY) { out.copy(a); return STORE; }
  if (denormalFault(env, ca)) return ABORT;
  unpack(a, ua);
  const e = ua.exp - EXP_BIAS;
  const odd = e & 1;
  sqrtSig(ua.hi, ua.lo, odd ? 68 : 67);
  return roundPack(env, out, 0, ((e - odd) / 2) + EXP_BIAS, sq2, sq1, sq0, env.pc, EXP_MAX, BIAS_ADJUST);
}

let sq2 = 0, sq1 = 0, sq0 = 0;

/**
 * 66-bit integer square root of N = S << t (t = 67 or 68), digit by digit, left-aligned
 * into sq2:sq1:sq0 with the remainder as sticky.
 */
function sqrtSig(sHi: number, sLo: number, t: number): void {
  let m2 = 0, m1 = 0, m0 = 0;   // remainder
  let r2 = 0, r1 = 0, r0 = 0;   // root so far
  for (let i = 0; i < 66; i++) {
    const p = 131 - 2 * i;        // bit positions p and p-1 of N
    const pair = (bitOf(sHi, sLo, p - t) << 1) | bitOf(sHi, sLo, p - 1 - t);
    // m = m << 2 | pair; trial = r << 2 | 1
    m2 = ((m2 << 2) | (m1 >>> 30)) >>> 0; m1 = ((m1 << 2) | (m0 >>> 30)) >>> 0; m0 = ((m0 << 2) | pair) >>> 0;
    const t2 = ((r2 << 2) | (r1 >>> 30)) >>> 0, t1 = ((r1 << 2) | (r0 >>> 30)) >>> 0, t0 = ((r0 << 2) | 1) >>> 0;
    r2 = ((r2 << 1) | (r1 >>> 31)) >>> 0; r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0; r0 = (r0 << 1) >>> 0;
    if (cmp96(m2, m1, m0, t2, t1, t0) >= 0) {
      sub96(m2, m1, m0, t2, t1, t0);
      m2 = r96[0]!; m1 = r96[1]!; m0 = r96[2]!;
      r0 = (r0 | 1) >>> 0;
    }
  }
  // Root is 66 bits in r2:r1:r0; left-align to bit 95.
  sq2 = ((r2 << 30) | (r1 >>> 2)) >>> 0;
  sq1 = ((r1 << 30) | (r0 >>> 2)) >>> 0;
  sq0 = ((r0 << 30) | ((m2 | m1 | m0) !== 0 ? 1 : 0)) >>> 0;
}

function bitOf(hi: number, lo: number, k: number): number {
  if (k < 0 || k > 63) return 0;
  return k >= 32 ? (hi >>> (k - 32)) & 1 : (lo >>> k) & 1;
}
