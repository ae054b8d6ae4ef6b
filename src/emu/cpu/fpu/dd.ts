/**
 * Double-double arithmetic (~106-bit significands) for the transcendental instructions,
 * and exact conversion between extended values and scaled double-doubles.
 * A double-double is hi + lo with |lo| <= ulp(hi)/2; results go to the module-level
 * `ddH`/`ddL` (copy them out before the next call). Allocation-free.
 */
import { BIAS_ADJUST, EXP_BIAS, EXP_MAX, F80, FpEnv } from './float80.ts';
import { normRoundPack } from './round.ts';

export let ddH = 0, ddL = 0;

const SPLIT = 134217729; // 2^27 + 1

/** ddH + ddL = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b, bb = s - a;
  ddH = s; ddL = (a - (s - bb)) + (b - bb);
}

/** ddH + ddL = a * b exactly (Dekker). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  ddH = p; ddL = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = ddH, sl = ddL;
  twoSum(al, bl);
  const th = ddH, tl = ddL;
  let c = sl + th;
  twoSum(sh, c);
  const vh = ddH;
  c = ddL + tl;
  twoSum(vh, c);
}

export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = ddH, pl = ddL + (ah * bl + al * bh);
  twoSum(ph, pl);
}

export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -ddH, -ddL);
  const rh = ddH, rl = ddL;
  const q2 = rh / bh;
  ddMul(q2, 0, bh, bl);
  ddAdd(rh, rl, -ddH, -ddL);
  const q3 = ddH / bh;
  twoSum(q1, q2);
  ddAdd(ddH, ddL, q3, 0);
}

/** Scale exponent of the last F80 -> dd conversion: value = (ddH + ddL) * 2^ddK. */
export let ddK = 0;

/**
 * ddH + ddL = the significand of finite non-zero x scaled into [1, 2) (exact: 53 + 11 bits),
 * with the sign, and ddK = its unbiased exponent (denormals normalized).
 */
export function fromF80(x: F80): void {
  let exp = x.se & 0x7fff, hi = x.hi >>> 0, lo = x.lo >>> 0;
  if (exp === 0) {
    exp = 1;
    if (hi === 0) { hi = lo; lo = 0; exp -= 32; }
    const n = Math.clz32(hi);
    if (n > 0) { hi = ((hi << n) | (lo >>> (32 - n))) >>> 0; lo = (lo << n) >>> 0; exp -= n; }
  }
  const s = x.se & 0x8000 ? -1 : 1;
  const top = hi * 2097152 + (lo >>> 11);            // top 53 bits
  ddH = s * top * 2 ** -52;
  ddL = s * (lo & 0x7ff) * 2 ** -63;
  ddK = exp - EXP_BIAS;
}

/**
 * Round (h + l) * 2^k (h != 0, |l| <= ulp(h)/2) to an extended register value under
 * env's rounding control at 64-bit precision, exactly as if h + l were the true value.
 */
export function toF80(env: FpEnv, out: F80, h: number, l: number, k: number): boolean {
  const sign = h < 0 ? 1 : 0;
  if (sign) { h = -h; l = -l; }
  // E = floor(log2 h)
  let e = Math.floor(Math.log2(h));
  if (2 ** e > h) e--; else if (2 ** (e + 1) <= h) e++;
  // H = h * 2^(95 - e) in three words (53 bits: w2 + top 21 bits of w1)
  const hs = h * 2 ** (31 - e);
  const w2 = Math.floor(hs);
  const w1 = (hs - w2) * 4294967296;
  // L = |l| * 2^(95 - e): words at 2^32 and 2^0, plus sticky
  const la = Math.abs(l) * 2 ** (63 - e);
  const l1 = Math.floor(la);
  const lr = (la - l1) * 4294967296;
  const l0 = Math.floor(lr);
  const sticky = lr - l0 !== 0;
  let s2: number, s1: number, s0: number;
  if (l >= 0) {
    const t1 = w1 + l1;
    s0 = sticky ? (l0 | 1) >>> 0 : l0;               // lost bits below: jam into bit 0
    s1 = t1 % 4294967296; s2 = w2 + Math.floor(t1 / 4294967296);
  } else {
    let t0 = -l0 - (sticky ? 1 : 0), t1 = w1 - l1;
    if (t0 < 0) { t0 += 4294967296; t1 -= 1; }
    s2 = w2;
    if (t1 < 0) { t1 += 4294967296; s2 -= 1; }
    s0 = sticky ? (t0 | 1) >>> 0 : t0; s1 = t1;
  }
  if (s2 >= 4294967296) {
    // carried into bit 96: shift right one, keeping a sticky bit
    const jam = s0 & 1;
    s0 = ((s0 >>> 1) | ((s1 & 1) << 31) | jam) >>> 0; s1 = ((s1 >>> 1) | ((s2 & 1) << 31)) >>> 0; s2 = s2 / 2 >>> 0;
    e++;
  }
  return normRoundPack(env, out, sign, e + k + EXP_BIAS, s2 >>> 0, s1 >>> 0, s0 >>> 0, 64, EXP_MAX, BIAS_ADJUST);
}

// Constants as double-doubles.
export const PI_H = 3.141592653589793, PI_L = 1.2246467991473532e-16;
export const LN2_H = 0.6931471805599453, LN2_L = 2.3190468138462996e-17;
export const LOG2E_H = 1.4426950408889634, LOG2E_L = 2.0355273740931033e-17;
