/**
 * TEST-ONLY reference: exact rational arithmetic with BigInt, and rounding written
 * straight from the SDM's definitions (Vol. 1 4.8.4, 4.9.1.4, 4.9.1.5), independent of
 * round.ts. Nothing in the emulator imports this file.
 */

export interface Enc { se: number; hi: number; lo: number }
export interface Rounded { enc: Enc; pe: boolean; ue: boolean; oe: boolean; c1: boolean }

/** A finite value as sign * num / den (den a power of two or any positive integer). */
export interface Rat { sign: number; num: bigint; den: bigint }

export const EMIN = -16382;
export const EMAX = 16383;

export function encToBig(e: Enc): bigint {
  return (BigInt(e.se) << 64n) | (BigInt(e.hi >>> 0) << 32n) | BigInt(e.lo >>> 0);
}

export function bigToEnc(v: bigint): Enc {
  return { se: Number((v >> 64n) & 0xffffn), hi: Number((v >> 32n) & 0xffffffffn), lo: Number(v & 0xffffffffn) };
}

/** Value of a finite encoding (normal, denormal or pseudo-denormal) as a rational. */
export function toRat(e: Enc): Rat {
  const exp = e.se & 0x7fff;
  const sig = (BigInt(e.hi >>> 0) << 32n) | BigInt(e.lo >>> 0);
  const p = (exp === 0 ? 1 : exp) - 16383 - 63;
  return p >= 0 ? { sign: e.se >>> 15, num: sig << BigInt(p), den: 1n }
    : { sign: e.se >>> 15, num: sig, den: 1n << BigInt(-p) };
}

export function ratAdd(a: Rat, b: Rat): Rat {
  const an = (a.sign ? -a.num : a.num) * b.den, bn = (b.sign ? -b.num : b.num) * a.den;
  const n = an + bn;
  return { sign: n < 0n ? 1 : 0, num: n < 0n ? -n : n, den: a.den * b.den };
}
export const ratNeg = (a: Rat): Rat => ({ sign: a.sign ^ 1, num: a.num, den: a.den });
export const ratMul = (a: Rat, b: Rat): Rat => ({ sign: a.sign ^ b.sign, num: a.num * b.num, den: a.den * b.den });
export const ratDiv = (a: Rat, b: Rat): Rat => ({ sign: a.sign ^ b.sign, num: a.num * b.den, den: a.den * b.num });

/** floor(log2(n/d)) for n, d > 0. */
function ilog2(n: bigint, d: bigint): number {
  let e = n.toString(2).length - d.toString(2).length;
  // Now 2^(e-1) < n/d < 2^(e+1); fix up.
  const ge = (k: number): boolean => (k >= 0 ? n >= d << BigInt(k) : n << BigInt(-k) >= d);
  while (!ge(e)) e--;
  while (ge(e + 1)) e++;
  return e;
}

/** n/d * 2^-q split into integer part and the comparison of the rest with 1/2. */
function scaleSplit(n: bigint, d: bigint, q: number): { int: bigint; half: number; exact: boolean } {
  let num = n, den = d;
  if (q >= 0) den = d << BigInt(q); else num = n << BigInt(-q);
  const int = num / den, rem = num - int * den;
  const twice = rem * 2n;
  return { int, half: twice === den ? 0 : twice < den ? -1 : 1, exact: rem === 0n };
}

function roundInt(i: bigint, half: number, exact: boolean, sign: number, rc: number): bigint {
  if (exact) return i;
  switch (rc) {
    case 0: return half > 0 || (half === 0 && (i & 1n) === 1n) ? i + 1n : i;
    case 1: return sign ? i + 1n : i;
    case 2: return sign ? i : i + 1n;
    default: return i;
  }
}

/**
 * Round a rational to `prec` bits in the extended exponent range with masked exceptions
 * (or the unmasked register response when unmaskedOU: exponent wrapped by 24576),
 * and encode it as an 80-bit register value.
 */
export function roundRat(r: Rat, prec: number, rc: number, unmaskedOU = false, emin = EMIN, emax = EMAX): Rounded {
  if (r.num === 0n) return { enc: { se: r.sign << 15, hi: 0, lo: 0 }, pe: false, ue: false, oe: false, c1: false };
  const e = ilog2(r.num, r.den);
  // Tininess after rounding with unbounded exponent.
  const qu = e - (prec - 1);
  const su = scaleSplit(r.num, r.den, qu);
  const nu = roundInt(su.int, su.half, su.exact, r.sign, rc);
  const tiny = e < emin && !(e === emin - 1 && nu === 1n << BigInt(prec));
  const inexactU = !su.exact;
  if (unmaskedOU && (tiny || (nu === 1n << BigInt(prec) ? e + 1 : e) > emax)) {
    const adj = tiny ? 24576 : -24576;
    return { enc: encodeNormal(r.sign, nu, qu, adj), pe: inexactU, ue: tiny, oe: !tiny, c1: nu > su.int };
  }
  const q = Math.max(e, emin) - (prec - 1);
  const s = scaleSplit(r.num, r.den, q);
  const n = roundInt(s.int, s.half, s.exact, r.sign, rc);
  const inexact = !s.exact;
  const resultE = n === 0n ? -Infinity : ilog2(n, 1n) + q;
  if (resultE > emax) {
    const toInf = rc === 0 || (rc === 2 && !r.sign) || (rc === 1 && r.sign);
    if (toInf) return { enc: { se: (r.sign << 15) | 0x7fff, hi: 0x80000000, lo: 0 }, pe: true, ue: false, oe: true, c1: true };
    const maxN = (1n << BigInt(prec)) - 1n;
    return { enc: encodeNormal(r.sign, maxN, emax - (prec - 1), 0), pe: true, ue: false, oe: true, c1: false };
  }
  return { enc: encode(r.sign, n, q), pe: inexact, ue: tiny && inexact, oe: false, c1: n > s.int };
}

/** Encode sign * n * 2^q (exactly representable) as an 80-bit register value. */
export function encode(sign: number, n: bigint, q: number): Enc {
  if (n === 0n) return { se: sign << 15, hi: 0, lo: 0 };
  const e = ilog2(n, 1n) + q;
  if (e >= EMIN) return encodeNormal(sign, n, q, 0);
  const shift = q - (EMIN - 63);
  const sig = n << BigInt(shift);
  return { se: sign << 15, hi: Number(sig >> 32n), lo: Number(sig & 0xffffffffn) };
}

function encodeNormal(sign: number, n: bigint, q: number, adj: number): Enc {
  const bits = n.toString(2).length;
  const sig = bits <= 64 ? n << BigInt(64 - bits) : n >> BigInt(bits - 64);
  const e = bits - 1 + q;
  return { se: (sign << 15) | ((e + 16383 + adj) & 0x7fff), hi: Number(sig >> 32n), lo: Number(sig & 0xffffffffn) };
}

/** Integer square root floor(sqrt(n)). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * sqrt of a finite positive encoding to `prec` bits: with v = sig * 2^p (p even after
 * adjusting), sqrt(v) = sqrt(sig * 4^k) * 2^(p/2 - k); the integer root has ~prec + 40
 * bits, so a non-zero remainder only matters as sticky.
 */
export function sqrtRounded(x: Enc, prec: number, rc: number): Rounded {
  const r = toRat(x);
  let sig = r.num, p = 0;
  if (r.den !== 1n) p = -(r.den.toString(2).length - 1);
  if (p & 1) { sig <<= 1n; p -= 1; }
  const k = 64;
  const big = sig << BigInt(2 * k);
  const root = isqrt(big);
  const exact = root * root === big;
  // value = root * 2^(p/2 - k), or strictly inside (root, root+1) of that unit when inexact.
  const num = exact ? root * 2n : root * 2n + 1n;
  const q = p / 2 - k - 1;
  return roundRat(q >= 0 ? { sign: 0, num: num << BigInt(q), den: 1n } : { sign: 0, num, den: 1n << BigInt(-q) }, prec, rc);
}

/** Round a rational to an integer by rc (0 nearest-even, 1 down, 2 up, 3 toward zero). */
export function roundToInteger(r: Rat, rc: number): { v: bigint; inexact: boolean; up: boolean } {
  const i = r.num / r.den, rem = r.num - i * r.den;
  const twice = rem * 2n;
  const n = roundInt(i, twice === r.den ? 0 : twice < r.den ? -1 : 1, rem === 0n, r.sign, rc);
  return { v: r.sign ? -n : n, inexact: rem !== 0n, up: n > i };
}

/** A finite encoding's value as a JS number, exactly when it is representable as a double. */
export function ratToNumber(r: Rat): number {
  // Strip trailing zero bits so num fits in 53 bits when the value is a double.
  let num = r.num, den = r.den;
  while (num > 0n && (num & 1n) === 0n && den > 1n) { num >>= 1n; den >>= 1n; }
  const k = den.toString(2).length - 1;   // den = 2^k
  const v = Number(num) * 2 ** -Math.min(k, 1000) * 2 ** -(k - Math.min(k, 1000));
  return r.sign ? -v : v;
}
