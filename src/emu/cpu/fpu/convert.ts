/**
 * Conversions between the register format and memory formats (SDM Vol. 1 4.2, 4.7, 8.2;
 * Vol. 2 FLD, FST/FSTP, FILD, FIST/FISTP, FISTTP, FBLD, FBSTP).
 *
 * Loads return true when `out` holds the value to push. Stores return true when the
 * memory operand should be written, with the bits in `conv` (words, least significant
 * first) or `bcd` (10 bytes); false means an unmasked exception: write nothing.
 */
import {
  CLS_DENORMAL, CLS_INFINITY, CLS_NORMAL, CLS_QNAN, CLS_SNAN, CLS_UNSUPPORTED, CLS_ZERO, DE, EXP_BIAS, F80, FpEnv, IE, PE,
  RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO, classify, setInfinity, setZero,
} from './float80.ts';
import { roundPack } from './round.ts';
import { Unpacked, unpack } from './special.ts';
import { mul64x64, prod, r96, shr96Jam } from './wide.ts';

/** Result words of a store conversion, least significant first. */
export const conv = new Uint32Array(2);
/** Result of FBSTP: 10 bytes, least significant first. */
export const bcd = new Uint8Array(10);

const u = new Unpacked();
const tmp = new F80();

// ---- loads -----------------------------------------------------------------------------

/** FLD m32fp. SNaN: IE (quieted when masked). Denormal: DE. */
export function fromF32(env: FpEnv, bits: number, out: F80): boolean {
  const sign = bits >>> 31, e = (bits >>> 23) & 0xff, f = bits & 0x7fffff;
  return fromIeee(env, out, sign, e, 0xff, 127, (f << 8) >>> 0, 0);
}

/** FLD m64fp, given the two 32-bit halves. */
export function fromF64(env: FpEnv, lo: number, hi: number, out: F80): boolean {
  const sign = hi >>> 31, e = (hi >>> 20) & 0x7ff;
  const fHi = ((hi & 0xfffff) << 11 | (lo >>> 21)) >>> 0, fLo = (lo << 11) >>> 0;
  return fromIeee(env, out, sign, e, 0x7ff, 1023, fHi, fLo);
}

/** Common part: the fraction in fHi:fLo with its top bit at bit 62, just below J. */
function fromIeee(env: FpEnv, out: F80, sign: number, e: number, eMax: number, bias: number,
  fHi: number, fLo: number): boolean {
  const hi = fHi, lo = fLo;
  env.c1 = 0;
  if (e === eMax) {
    if ((hi | lo) === 0) { setInfinity(out, sign); return true; }
    if ((hi & 0x40000000) === 0) {         // SNaN
      env.flags |= IE;
      if (env.unmasked(IE)) return false;
    }
    out.se = (sign << 15) | 0x7fff; out.hi = (0xc0000000 | hi) >>> 0; out.lo = lo;
    return true;
  }
  if (e === 0) {
    if ((hi | lo) === 0) { setZero(out, sign); return true; }
    env.flags |= DE;
    if (env.unmasked(DE)) return false;
    // Denormal: value = (hi:lo / 2^63) * 2^(1 - bias), a normal number in the wider range.
    let h = hi, l = lo, exp = 1 - bias + EXP_BIAS;
    if (h === 0) { h = l; l = 0; exp -= 32; }
    const n = Math.clz32(h);
    if (n > 0) { h = ((h << n) | (l >>> (32 - n))) >>> 0; l = (l << n) >>> 0; exp -= n; }
    out.se = (sign << 15) | exp; out.hi = h; out.lo = l;
    return true;
  }
  out.se = (sign << 15) | (e - bias + EXP_BIAS); out.hi = (0x80000000 | hi) >>> 0; out.lo = lo;
  return true;
}

/** FILD m16int / m32int (value as a JS integer; exact). */
export function fromInt32(v: number, out: F80): F80 {
  v |= 0;
  if (v === 0) { setZero(out, 0); return out; }
  const sign = v < 0 ? 1 : 0, m = sign ? (-v) >>> 0 : v >>> 0;
  const n = Math.clz32(m);
  out.se = (sign << 15) | (EXP_BIAS + 31 - n); out.hi = (m << n) >>> 0; out.lo = 0;
  return out;
}

/** FILD m64int from its two halves (two's complement, exact). */
export function fromInt64(lo: number, hi: number, out: F80): F80 {
  lo >>>= 0; hi >>>= 0;
  const sign = hi >>> 31;
  if (sign) { lo = (~lo + 1) >>> 0; hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0; }
  if ((hi | lo) === 0) { setZero(out, 0); return out; }
  let exp = EXP_BIAS + 63;
  if (hi === 0) { hi = lo; lo = 0; exp -= 32; }
  const n = Math.clz32(hi);
  if (n > 0) { hi = ((hi << n) | (lo >>> (32 - n))) >>> 0; lo = (lo << n) >>> 0; }
  out.se = (sign << 15) | (exp - n); out.hi = hi; out.lo = lo;
  return out;
}

// ---- stores ----------------------------------------------------------------------------

/**
 * FST m32fp: round to 24 bits in the single-precision range. NaNs keep the top fraction
 * bits (an SNaN is quieted, with IE); unsupported encodings give the single indefinite.
 */
export function toF32(env: FpEnv, x: F80): boolean {
  if (!toIeee(env, x, 24, 127, 0xff)) return false;
  conv[0] = ((tmp.se >>> 15) << 31 | (tmp.se & 0xff) << 23 | ((tmp.hi >>> 8) & 0x7fffff)) >>> 0;
  conv[1] = 0;
  return true;
}

/** FST m64fp. */
export function toF64(env: FpEnv, x: F80): boolean {
  if (!toIeee(env, x, 53, 1023, 0x7ff)) return false;
  conv[1] = ((tmp.se >>> 15) << 31 | (tmp.se & 0x7ff) << 20 | ((tmp.hi >>> 11) & 0xfffff)) >>> 0;
  conv[0] = ((tmp.hi << 21) | (tmp.lo >>> 11)) >>> 0;
  return true;
}

/** Leaves the target-format exponent in tmp.se and the significand (J at bit 63) in tmp.hi:lo. */
function toIeee(env: FpEnv, x: F80, prec: number, bias: number, eMax: number): boolean {
  const c = classify(x.se, x.hi, x.lo), sign = x.se >>> 15;
  env.c1 = 0;
  switch (c) {
    case CLS_ZERO: tmp.set(sign << 15, 0, 0); return true;
    case CLS_INFINITY: tmp.set((sign << 15) | eMax, 0x80000000, 0); return true;
    case CLS_UNSUPPORTED:
      env.flags |= IE;
      if (env.unmasked(IE)) return false;
      tmp.set(0x8000 | eMax, 0xc0000000, 0);
      return true;
    case CLS_SNAN: case CLS_QNAN:
      if (c === CLS_SNAN) { env.flags |= IE; if (env.unmasked(IE)) return false; }
      tmp.set((sign << 15) | eMax, (x.hi | 0x40000000) >>> 0, x.lo);
      return true;
    default:
      unpack(x, u);
      return roundPack(env, tmp, sign, u.exp - EXP_BIAS + bias, u.hi, u.lo, 0, prec, eMax, 0);
  }
}

/**
 * FIST/FISTP (truncate = false, rounding by FCW.RC) and FISTTP (truncate = true) to a
 * `bits`-bit integer (16, 32 or 64). NaN, infinity, unsupported or out of range: IE,
 * and when masked the integer indefinite (the most negative value).
 */
export function toInt(env: FpEnv, x: F80, bits: number, truncate: boolean): boolean {
  const c = classify(x.se, x.hi, x.lo), sign = x.se >>> 15;
  env.c1 = 0;
  if (c === CLS_ZERO) { conv[0] = 0; conv[1] = 0; return true; }
  if (c !== CLS_NORMAL && c !== CLS_DENORMAL) return intIndefinite(env, bits);
  unpack(x, u);
  const e = u.exp - EXP_BIAS;
  if (e > 63) return intIndefinite(env, bits);
  shr96Jam(u.hi, u.lo, 0, 63 - e);
  let hi = r96[0]!, lo = r96[1]!;
  const frac = r96[2]!;
  const up = roundUp(truncate ? RC_ZERO : env.rc, sign, lo & 1, frac);
  if (up) { lo = (lo + 1) >>> 0; if (lo === 0) hi = (hi + 1) >>> 0; if (hi === 0 && lo === 0) return intIndefinite(env, bits); }
  // Range: magnitude <= 2^(bits-1) - 1, or exactly 2^(bits-1) when negative.
  if (!fits(hi, lo, bits, sign)) return intIndefinite(env, bits);
  if (frac !== 0) env.flags |= PE;
  env.c1 = up ? 1 : 0;
  if (sign) { lo = (~lo + 1) >>> 0; hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0; }
  if (bits === 16) { conv[0] = lo & 0xffff; conv[1] = 0; } else if (bits === 32) { conv[0] = lo; conv[1] = 0; } else { conv[0] = lo; conv[1] = hi; }
  return true;
}

function fits(hi: number, lo: number, bits: number, sign: number): boolean {
  if (bits === 64) return hi < 0x80000000 || (sign === 1 && hi === 0x80000000 && lo === 0);
  if (hi !== 0) return false;
  const lim = bits === 32 ? 0x80000000 : 0x8000;
  return lo < lim || (sign === 1 && lo === lim);
}

function intIndefinite(env: FpEnv, bits: number): boolean {
  env.flags |= IE;
  env.c1 = 0;
  if (env.unmasked(IE)) return false;
  if (bits === 16) { conv[0] = 0x8000; conv[1] = 0; } else if (bits === 32) { conv[0] = 0x80000000; conv[1] = 0; } else { conv[0] = 0; conv[1] = 0x80000000; }
  return true;
}

/** Round-up decision for an integer with lsb `lsb` and 32 fraction bits (bit 31 = half, jammed). */
export function roundUp(rc: number, sign: number, lsb: number, frac: number): boolean {
  if (frac === 0) return false;
  switch (rc) {
    case RC_NEAREST: return (frac >>> 31) !== 0 && ((frac & 0x7fffffff) !== 0 || lsb !== 0);
    case RC_DOWN: return sign !== 0;
    case RC_UP: return sign === 0;
    default: return false;
  }
}

// ---- packed BCD ------------------------------------------------------------------------

/** FBLD: 18 BCD digits + sign byte (bit 7), exact. Digits above 9 are undefined; we weigh them anyway. */
export function fromBcd(b: Uint8Array, off: number, out: F80): void {
  let h = 0, l = 0;                       // digits 17..9 and 8..0
  for (let k = 17; k >= 0; k--) {
    const byte = b[off + (k >> 1)]!, d = k & 1 ? byte >>> 4 : byte & 15;
    if (k >= 9) h = h * 10 + d; else l = l * 10 + d;
  }
  mul64x64(Math.floor(h / 4294967296), h >>> 0, 0, 1e9);
  const sum = prod[0]! + l;
  fromInt64(sum % 4294967296, prod[1]! + Math.floor(sum / 4294967296), out);
  if (b[off + 9]! & 0x80) out.se |= 0x8000;
}

/**
 * FBSTP: round to an integer by FCW.RC; |value| >= 10^18, NaN, infinity or unsupported:
 * IE and, when masked, the BCD indefinite (FFFF C000 0000 0000 0000).
 */
export function toBcd(env: FpEnv, x: F80): boolean {
  const c = classify(x.se, x.hi, x.lo), sign = x.se >>> 15;
  env.c1 = 0;
  bcd.fill(0);
  if (c === CLS_ZERO) { bcd[9] = sign << 7; return true; }
  if (c !== CLS_NORMAL && c !== CLS_DENORMAL) return bcdIndefinite(env);
  unpack(x, u);
  const e = u.exp - EXP_BIAS;
  if (e > 59) return bcdIndefinite(env);
  shr96Jam(u.hi, u.lo, 0, 63 - e);
  let hi = r96[0]!, lo = r96[1]!;
  const frac = r96[2]!;
  const up = roundUp(env.rc, sign, lo & 1, frac);
  if (up) { lo = (lo + 1) >>> 0; if (lo === 0) hi++; }
  // 10^18 = 0x0DE0B6B3_A7640000
  if (hi > 0x0de0b6b3 || (hi === 0x0de0b6b3 && lo >= 0xa7640000)) return bcdIndefinite(env);
  if (frac !== 0) env.flags |= PE;
  env.c1 = up ? 1 : 0;
  // 16-bit limbs, most significant first; divide by 10^9 twice, then peel decimal digits.
  let l3 = hi >>> 16, l2 = hi & 0xffff, l1 = lo >>> 16, l0 = lo & 0xffff;
  let r = 0, t = 0;
  t = l3; l3 = Math.floor(t / 1e9); r = t - l3 * 1e9;
  t = r * 65536 + l2; l2 = Math.floor(t / 1e9); r = t - l2 * 1e9;
  t = r * 65536 + l1; l1 = Math.floor(t / 1e9); r = t - l1 * 1e9;
  t = r * 65536 + l0; l0 = Math.floor(t / 1e9); r = t - l0 * 1e9;
  let low9 = r, high9 = ((l3 * 65536 + l2) * 65536 + l1) * 65536 + l0; // < 10^9, exact
  for (let i = 0; i < 9; i++) {
    const digit = low9 % 10; low9 = Math.floor(low9 / 10);
    const pos = i, byte = pos >> 1;
    bcd[byte] = bcd[byte]! | (pos & 1 ? digit << 4 : digit);
  }
  for (let i = 9; i < 18; i++) {
    const digit = high9 % 10; high9 = Math.floor(high9 / 10);
    const byte = i >> 1;
    bcd[byte] = bcd[byte]! | (i & 1 ? digit << 4 : digit);
  }
  bcd[9] = sign << 7;
  return true;
}

function bcdIndefinite(env: FpEnv): boolean {
  env.flags |= IE;
  env.c1 = 0;
  if (env.unmasked(IE)) return false;
  bcd.fill(0); bcd[7] = 0xc0; bcd[8] = 0xff; bcd[9] = 0xff;
  return true;
}

// ---- JS numbers (display and debugging; approximate) -----------------------------------

/** The value as a JS number (rounded; may be +-Infinity or 0 outside the double range). */
export function toNumber(x: F80): number {
  const c = classify(x.se, x.hi, x.lo), s = x.se >>> 15 ? -1 : 1;
  if (c === CLS_ZERO) return s * 0;
  if (c === CLS_INFINITY) return s * Infinity;
  if (c === CLS_QNAN || c === CLS_SNAN || c === CLS_UNSUPPORTED) return NaN;
  const e = Math.max(1, x.se & 0x7fff) - EXP_BIAS - 63;
  // Scale in two steps so neither factor overflows for values near the double range.
  const m = (x.hi >>> 0) * 4294967296 + (x.lo >>> 0);
  return s * m * 2 ** Math.trunc(e / 2) * 2 ** (e - Math.trunc(e / 2));
}

const f64 = new Float64Array(1), f64w = new Uint32Array(f64.buffer);
const quiet = new FpEnv();

/** An exact extended value from a JS number (for tests, constants and debug input). */
export function fromNumber(v: number, out: F80): F80 {
  f64[0] = v;
  fromF64(quiet.begin(0x37f), f64w[0]!, f64w[1]!, out);
  return out;
}
