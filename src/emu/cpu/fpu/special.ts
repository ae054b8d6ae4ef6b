/**
 * Operand screening shared by all operations: NaN propagation (SDM Vol. 1 Table 4-7),
 * invalid-operation and denormal-operand responses (4.9.1.2, 4.9.1.3), and unpacking
 * an operand into a normalized significand with an unbounded exponent.
 */
import {
  CLS_DENORMAL, CLS_QNAN, CLS_SNAN, DE, F80, FpEnv, IE, setIndefinite,
} from './float80.ts';

/** What an operation does with its destination. */
export const STORE = true, ABORT = false;

/**
 * Raise IE. Masked: the result is the QNaN indefinite (store). Unmasked: the
 * destination is left alone (abort) and the CPU will deliver #MF.
 */
export function invalid(env: FpEnv, out: F80): boolean {
  env.flags |= IE;
  env.c1 = 0;
  if (env.unmasked(IE)) return ABORT;
  setIndefinite(out);
  return STORE;
}

/** Copy x to out as a QNaN (sets the quiet bit). */
function quiet(out: F80, x: F80): void {
  out.se = x.se; out.hi = (x.hi | 0x40000000) >>> 0; out.lo = x.lo;
}

/**
 * Result for an operation where at least one of a, b (classes ca, cb) is a NaN:
 * an SNaN raises IE; an SNaN alone is returned quieted; an SNaN and a QNaN give the
 * QNaN; two NaNs of the same kind give the larger significand (positive sign on a tie).
 */
export function propagateNaN2(env: FpEnv, a: F80, ca: number, b: F80, cb: number, out: F80): boolean {
  const aNaN = ca === CLS_QNAN || ca === CLS_SNAN, bNaN = cb === CLS_QNAN || cb === CLS_SNAN;
  env.c1 = 0;
  if (ca === CLS_SNAN || cb === CLS_SNAN) {
    env.flags |= IE;
    if (env.unmasked(IE)) return ABORT;
  }
  let pick: F80;
  if (aNaN && bNaN && (ca === cb)) {
    const ah = (a.hi & 0x3fffffff) >>> 0, bh = (b.hi & 0x3fffffff) >>> 0;
    if (ah !== bh) pick = ah > bh ? a : b;
    else if (a.lo !== b.lo) pick = a.lo > b.lo ? a : b;
    else pick = (a.se >>> 15) <= (b.se >>> 15) ? a : b;
  } else if (aNaN && bNaN) {
    pick = ca === CLS_QNAN ? a : b;
  } else {
    pick = aNaN ? a : b;
  }
  quiet(out, pick);
  return STORE;
}

/** Result for a one-operand operation on a NaN (class c). */
export function propagateNaN1(env: FpEnv, a: F80, c: number, out: F80): boolean {
  env.c1 = 0;
  if (c === CLS_SNAN) {
    env.flags |= IE;
    if (env.unmasked(IE)) return ABORT;
  }
  quiet(out, a);
  return STORE;
}

/**
 * Raise DE if class c is a denormal. Returns true when DE is raised and unmasked,
 * i.e. the operation must not complete.
 */
export function denormalFault(env: FpEnv, c: number): boolean {
  if (c !== CLS_DENORMAL) return false;
  env.flags |= DE;
  return env.unmasked(DE);
}

export const isNaNClass = (c: number): boolean => c === CLS_QNAN || c === CLS_SNAN;

/** An unpacked operand: unbounded biased exponent and a normalized 64-bit significand. */
export class Unpacked {
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
}

/**
 * Unpack a finite non-zero value (normal, denormal or pseudo-denormal). Denormals are
 * normalized, so exp may go below 1; the value is (hi:lo / 2^63) * 2^(exp - 16383).
 */
export function unpack(x: F80, u: Unpacked): void {
  u.sign = x.se >>> 15;
  let exp = x.se & 0x7fff;
  let hi = x.hi >>> 0, lo = x.lo >>> 0;
  if (exp === 0) {
    exp = 1;
    if (hi === 0) { hi = lo; lo = 0; exp -= 32; }
    const n = Math.clz32(hi);
    if (n > 0) { hi = ((hi << n) | (lo >>> (32 - n))) >>> 0; lo = (lo << n) >>> 0; exp -= n; }
  }
  u.exp = exp; u.hi = hi; u.lo = lo;
}
