/**
 * Rounding and packing (SDM Vol. 1 4.8.4 rounding, 4.9.1.4 overflow, 4.9.1.5 underflow).
 *
 * Every arithmetic result arrives here as sign, a biased exponent that may be out of
 * range, and a 96-bit significand w2:w1:w0 with the integer bit at w2 bit 31 and any
 * bits lost further down ORed into w0 bit 0 (sticky). One routine serves the register
 * format (64/53/24-bit precision control, 15-bit exponent) and the float32/float64
 * memory formats, which differ only in precision and exponent range.
 */
import { BIAS_ADJUST, EXP_MAX, F80, FpEnv, OE, PE, RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO, UE } from './float80.ts';

// The working significand. Module-level so helpers can return three words without allocating.
let w2 = 0, w1 = 0, w0 = 0;
// Results of roundWorking().
let inexact = false, roundedUp = false, carryOut = false;

/** w = s >> n, ORing every lost bit into w0 bit 0. */
function loadShiftJam(s2: number, s1: number, s0: number, n: number): void {
  w2 = s2 >>> 0; w1 = s1 >>> 0; w0 = s0 >>> 0;
  if (n <= 0) return;
  if (n >= 96) {
    const any = (w2 | w1 | w0) !== 0;
    w2 = 0; w1 = 0; w0 = any ? 1 : 0;
    return;
  }
  while (n >= 32) {
    const jam = w0 !== 0 ? 1 : 0;
    w0 = w1 | jam; w1 = w2; w2 = 0;
    n -= 32;
  }
  if (n > 0) {
    const lost = (w0 << (32 - n)) !== 0 ? 1 : 0;
    w0 = ((w0 >>> n) | (w1 << (32 - n)) | lost) >>> 0;
    w1 = ((w1 >>> n) | (w2 << (32 - n))) >>> 0;
    w2 = w2 >>> n;
  }
}

/** Round w to `prec` (24/53/64) leading bits of the 64-bit field in direction rc. */
function roundWorking(prec: number, rc: number, sign: number): void {
  let half: number, rest: boolean, lsb: number;
  if (prec === 64) {
    half = w0 >>> 31; rest = (w0 & 0x7fffffff) !== 0; lsb = w1 & 1;
    w0 = 0;
  } else if (prec === 53) {
    half = (w1 >>> 10) & 1; rest = (w1 & 0x3ff) !== 0 || w0 !== 0; lsb = (w1 >>> 11) & 1;
    w1 = (w1 & 0xfffff800) >>> 0; w0 = 0;
  } else {
    half = (w2 >>> 7) & 1; rest = (w2 & 0x7f) !== 0 || w1 !== 0 || w0 !== 0; lsb = (w2 >>> 8) & 1;
    w2 = (w2 & 0xffffff00) >>> 0; w1 = 0; w0 = 0;
  }
  inexact = half !== 0 || rest;
  if (rc === RC_NEAREST) roundedUp = half !== 0 && (rest || lsb !== 0);
  else if (rc === RC_ZERO) roundedUp = false;
  else if (rc === RC_DOWN) roundedUp = inexact && sign !== 0;
  else roundedUp = inexact && sign === 0;
  carryOut = false;
  if (!roundedUp) return;
  if (prec === 64) {
    w1 = (w1 + 1) >>> 0;
    if (w1 === 0) w2 = w2 + 1;
  } else if (prec === 53) {
    const t = w1 + 0x800;
    w1 = t >>> 0;
    if (t > 0xffffffff) w2 = w2 + 1;
  } else {
    w2 = w2 + 0x100;
  }
  if (w2 > 0xffffffff) { w2 = 0x80000000; carryOut = true; }
}

/** Largest finite magnitude at precision `prec` (significand words into w2:w1). */
function loadMaxSig(prec: number): void {
  w2 = prec === 24 ? 0xffffff00 : 0xffffffff;
  w1 = prec === 64 ? 0xffffffff : prec === 53 ? 0xfffff800 : 0;
}

function pack(out: F80, sign: number, exp: number): void {
  out.se = (sign << 15) | (exp & EXP_MAX); out.hi = w2 >>> 0; out.lo = w1 >>> 0;
}

/**
 * Round sign * (s2:s1:s0 / 2^95) * 2^(exp - bias) to `prec` bits and pack it into `out`
 * with the target's biased exponent in out.se and the significand (J at bit 63) in
 * out.hi:lo. s2 bit 31 must be set unless the whole significand is zero.
 *
 * maxExp is the target's all-ones exponent (0x7fff, 0x7ff, 0xff). adjust is the
 * exponent wrap for unmasked OE/UE: BIAS_ADJUST for a register destination, or 0 for a
 * memory destination, where an unmasked OE/UE stores nothing (returns false).
 * Sets env.flags (PE, UE, OE) and env.c1 (1 = the magnitude was rounded up).
 */
export function roundPack(env: FpEnv, out: F80, sign: number, exp: number, s2: number, s1: number, s0: number,
  prec: number, maxExp: number, adjust: number): boolean {
  if (((s2 | s1 | s0) >>> 0) === 0) { out.se = sign << 15; out.hi = 0; out.lo = 0; env.c1 = 0; return true; }
  const rc = env.rc;
  if (exp >= 1) {
    loadShiftJam(s2, s1, s0, 0);
    roundWorking(prec, rc, sign);
    if (carryOut) exp++;
    if (exp >= maxExp) return overflow(env, out, sign, exp, prec, maxExp, adjust);
    if (inexact) env.flags |= PE;
    env.c1 = roundedUp ? 1 : 0;
    pack(out, sign, exp);
    return true;
  }
  // Below the normal range. Tininess is detected after rounding with an unbounded exponent.
  let tiny = true;
  if (exp === 0) {
    loadShiftJam(s2, s1, s0, 0);
    roundWorking(prec, rc, sign);
    if (carryOut) tiny = false;
  }
  if (tiny && env.unmasked(UE)) {
    env.flags |= UE;
    if (adjust === 0) { env.c1 = 0; return false; }
    loadShiftJam(s2, s1, s0, 0);
    roundWorking(prec, rc, sign);
    if (carryOut) exp++;
    if (inexact) env.flags |= PE;
    env.c1 = roundedUp ? 1 : 0;
    pack(out, sign, exp + adjust);
    return true;
  }
  loadShiftJam(s2, s1, s0, 1 - exp);
  roundWorking(prec, rc, sign);
  if (inexact) env.flags |= tiny ? (PE | UE) : PE;
  env.c1 = roundedUp ? 1 : 0;
  pack(out, sign, (w2 & 0x80000000) !== 0 ? 1 : 0);
  return true;
}

function overflow(env: FpEnv, out: F80, sign: number, exp: number, prec: number, maxExp: number,
  adjust: number): boolean {
  if (env.unmasked(OE)) {
    env.flags |= OE;
    if (adjust === 0) { env.c1 = 0; return false; }
    if (inexact) env.flags |= PE;
    env.c1 = roundedUp ? 1 : 0;
    pack(out, sign, exp - adjust);
    return true;
  }
  env.flags |= OE | PE;
  const rc = env.rc;
  const toInf = rc === RC_NEAREST || (rc === RC_UP && sign === 0) || (rc === RC_DOWN && sign !== 0);
  if (toInf) {
    w2 = 0x80000000; w1 = 0;
    env.c1 = 1;
    pack(out, sign, maxExp);
  } else {
    loadMaxSig(prec);
    env.c1 = 0;
    pack(out, sign, maxExp - 1);
  }
  return true;
}

/** roundPack for a register destination under the environment's precision control. */
export function roundPackReg(env: FpEnv, out: F80, sign: number, exp: number, s2: number, s1: number,
  s0: number): boolean {
  return roundPack(env, out, sign, exp, s2, s1, s0, env.pc, EXP_MAX, BIAS_ADJUST);
}

/** roundPack for a register destination at full 64-bit precision (operations PC does not affect). */
export function roundPack64(env: FpEnv, out: F80, sign: number, exp: number, s2: number, s1: number,
  s0: number): boolean {
  return roundPack(env, out, sign, exp, s2, s1, s0, 64, EXP_MAX, BIAS_ADJUST);
}

/**
 * Normalize s2:s1:s0 (shift left until bit 95 is set, lowering exp) and round.
 * For results of subtraction and other operations that can lose leading bits.
 */
export function normRoundPack(env: FpEnv, out: F80, sign: number, exp: number, s2: number, s1: number,
  s0: number, prec: number, maxExp: number, adjust: number): boolean {
  s2 >>>= 0; s1 >>>= 0; s0 >>>= 0;
  if ((s2 | s1 | s0) !== 0) {
    while (s2 === 0) { s2 = s1; s1 = s0; s0 = 0; exp -= 32; }
    const n = Math.clz32(s2);
    if (n > 0) {
      s2 = ((s2 << n) | (s1 >>> (32 - n))) >>> 0;
      s1 = ((s1 << n) | (s0 >>> (32 - n))) >>> 0;
      s0 = (s0 << n) >>> 0;
      exp -= n;
    }
  }
  return roundPack(env, out, sign, exp, s2, s1, s0, prec, maxExp, adjust);
}
