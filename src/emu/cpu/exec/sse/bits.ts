/**
 * Bit-level views of float32/float64 values: classification, NaN quieting,
 * next-up/next-down, and the error-free transforms (TwoSum, Dekker's
 * TwoProduct) that tell whether a double result is exact and which way the
 * true value lies. NaNs are handled only as bits: JS numbers may not keep
 * NaN payloads or signalling bits.
 */
const buf = new ArrayBuffer(8);
const f32 = new Float32Array(buf);
const f64 = new Float64Array(buf);
const u32 = new Uint32Array(buf);

export const QNAN32 = 0xffc00000;
/** Real indefinite, float64 high word (low word 0). */
export const QNAN64_HI = 0xfff80000;

export const isNaN32 = (x: number): boolean => (x & 0x7fffffff) > 0x7f800000;
export const isSNaN32 = (x: number): boolean => isNaN32(x) && (x & 0x400000) === 0;
export const isDenormal32 = (x: number): boolean => (x & 0x7f800000) === 0 && (x & 0x7fffff) !== 0;
export const isNaN64 = (lo: number, hi: number): boolean => (hi & 0x7fffffff) > 0x7ff00000 || ((hi & 0x7fffffff) === 0x7ff00000 && lo !== 0);
export const isSNaN64 = (lo: number, hi: number): boolean => isNaN64(lo, hi) && (hi & 0x80000) === 0;
export const isDenormal64 = (lo: number, hi: number): boolean => (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0;

/** Value of float32 bits (not for NaNs). */
export function val32(x: number): number { u32[0] = x; return f32[0]; }
/** Bits of a float32-representable number (not NaN). */
export function bits32(v: number): number { f32[0] = v; return u32[0]; }
export function val64(lo: number, hi: number): number { u32[0] = lo; u32[1] = hi; return f64[0]; }
/** Bits of a double: low word returned, high word in hi64. */
export let hi64 = 0;
export function bits64(v: number): number { f64[0] = v; hi64 = u32[1]; return u32[0]; }

/** Next float32 toward +infinity / -infinity (v a float32 value, not NaN). */
export function nextUp32(v: number): number {
  if (v === Infinity) return v;
  if (v === 0) return 1.401298464324817e-45;
  const b = bits32(v);
  return val32(v > 0 ? b + 1 : b - 1);
}
export function nextDown32(v: number): number { return -nextUp32(-v); }
export function nextUp64(v: number): number {
  if (v === Infinity) return v;
  if (v === 0) return 5e-324;
  let lo = bits64(v), hi = hi64;
  if (v > 0) { lo = (lo + 1) >>> 0; if (lo === 0) hi++; }
  else { if (lo === 0) hi--; lo = (lo - 1) >>> 0; }
  return val64(lo, hi >>> 0);
}
export function nextDown64(v: number): number { return -nextUp64(-v); }

/** Exact error of s = fl(a + b): a + b = s + twoSumErr(a, b, s) (Knuth). */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

const SPLIT = 134217729; // 2^27 + 1
/** Exact error of p = fl(a * b) (Dekker), valid while a*b neither overflows nor underflows. */
export function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

export const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
