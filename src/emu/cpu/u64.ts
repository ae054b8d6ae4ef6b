/**
 * 64-bit arithmetic on (lo, hi) uint32 pairs without BigInt (STYLE.md §8).
 * Results that do not fit in one return value go to the module-level `r64`
 * scratch: r64[0] = lo, r64[1] = hi (and r64[2..3] for 128-bit results).
 * Allocation-free; the caller copies out before the next call.
 */

export const r64 = new Uint32Array(4);

/** Unsigned less-than on pairs. */
export function ltU64(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  aHi >>>= 0; bHi >>>= 0;
  return aHi < bHi || (aHi === bHi && (aLo >>> 0) < (bLo >>> 0));
}

/** r64 = a + b (+ carry-in); returns the carry out (0/1). */
export function add64(aLo: number, aHi: number, bLo: number, bHi: number, cin = 0): number {
  const lo = (aLo >>> 0) + (bLo >>> 0) + cin;
  const c0 = lo > 0xffffffff ? 1 : 0;
  const hi = (aHi >>> 0) + (bHi >>> 0) + c0;
  r64[0] = lo; r64[1] = hi;
  return hi > 0xffffffff ? 1 : 0;
}

/** r64 = a - b (- borrow-in); returns the borrow out (0/1). */
export function sub64(aLo: number, aHi: number, bLo: number, bHi: number, bin = 0): number {
  const lo = (aLo >>> 0) - (bLo >>> 0) - bin;
  const b0 = lo < 0 ? 1 : 0;
  const hi = (aHi >>> 0) - (bHi >>> 0) - b0;
  r64[0] = lo; r64[1] = hi;
  return hi < 0 ? 1 : 0;
}

/** r64 = -a. */
export function neg64(lo: number, hi: number): void {
  sub64(0, 0, lo, hi);
}

/** Unsigned 32x32 -> 64 into r64. */
export function mul32(a: number, b: number): void {
  a >>>= 0; b >>>= 0;
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = lh + hl; // < 2^33, exact in a double
  const lo = ll + (mid % 0x10000) * 0x10000;
  r64[0] = lo;
  r64[1] = hh + Math.floor(mid / 0x10000) + Math.floor(lo / 0x100000000);
}

/** Unsigned 64x64 -> 128 into r64[0..3] (lo to hi). */
export function mul64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  aLo >>>= 0; aHi >>>= 0; bLo >>>= 0; bHi >>>= 0;
  mul32(aLo, bLo); const p0l = r64[0], p0h = r64[1];
  mul32(aLo, bHi); const p1l = r64[0], p1h = r64[1];
  mul32(aHi, bLo); const p2l = r64[0], p2h = r64[1];
  mul32(aHi, bHi); const p3l = r64[0], p3h = r64[1];
  const w1 = p0h + p1l + p2l; // < 3 * 2^32
  const c1 = Math.floor(w1 / 0x100000000);
  const w2 = p1h + p2h + p3l + c1;
  const c2 = Math.floor(w2 / 0x100000000);
  r64[0] = p0l; r64[1] = w1; r64[2] = w2; r64[3] = p3h + c2;
}

/** Signed 64x64 -> 128 into r64[0..3]. */
export function imul64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const an = (aHi | 0) < 0, bn = (bHi | 0) < 0;
  if (an) { neg64(aLo, aHi); aLo = r64[0]; aHi = r64[1]; }
  if (bn) { neg64(bLo, bHi); bLo = r64[0]; bHi = r64[1]; }
  mul64(aLo, aHi, bLo, bHi);
  if (an !== bn) neg128();
}

/** Two's-complement negation of the 128-bit value in r64. */
export function neg128(): void {
  let carry = 1;
  for (let k = 0; k < 4; k++) {
    const v = (~r64[k] >>> 0) + carry;
    r64[k] = v; carry = v > 0xffffffff ? 1 : 0;
  }
}

/**
 * Unsigned 128 / 64 division: dividend d3:d2:d1:d0, divisor sHi:sLo (non-zero).
 * Returns false if the quotient does not fit in 64 bits (#DE). On success
 * r64[0..1] = quotient, r64[2..3] = remainder.
 */
export function divU128(d0: number, d1: number, d2: number, d3: number, sLo: number, sHi: number): boolean {
  d0 >>>= 0; d1 >>>= 0; d2 >>>= 0; d3 >>>= 0; sLo >>>= 0; sHi >>>= 0;
  // Quotient fits in 64 bits iff high half < divisor.
  if (!ltU64(d2, d3, sLo, sHi)) return false;
  if (d3 === 0 && d2 === 0 && d1 < 0x200000 && sHi < 0x200000) {
    const n = d1 * 0x100000000 + d0, s = sHi * 0x100000000 + sLo;
    const q = Math.floor(n / s), rem = n - q * s;
    r64[0] = q % 0x100000000; r64[1] = Math.floor(q / 0x100000000);
    r64[2] = rem % 0x100000000; r64[3] = Math.floor(rem / 0x100000000);
    return true;
  }
  // Restoring shift-subtract over the low 64 dividend bits; remainder starts as the high half.
  let rLo = d2, rHi = d3, qLo = d0, qHi = d1;
  for (let k = 0; k < 64; k++) {
    const top = rHi >>> 31;
    rHi = ((rHi << 1) | (rLo >>> 31)) >>> 0;
    rLo = ((rLo << 1) | (qHi >>> 31)) >>> 0;
    qHi = ((qHi << 1) | (qLo >>> 31)) >>> 0;
    qLo = (qLo << 1) >>> 0;
    if (top || !ltU64(rLo, rHi, sLo, sHi)) {
      sub64(rLo, rHi, sLo, sHi); rLo = r64[0]; rHi = r64[1];
      qLo = (qLo | 1) >>> 0;
    }
  }
  r64[0] = qLo; r64[1] = qHi; r64[2] = rLo; r64[3] = rHi;
  return true;
}

/** Shift left of a pair by 0..63 into r64[0..1]. */
export function shl64(lo: number, hi: number, n: number): void {
  if (n === 0) { r64[0] = lo; r64[1] = hi; }
  else if (n < 32) { r64[1] = (hi << n) | (lo >>> (32 - n)); r64[0] = lo << n; }
  else { r64[1] = lo << (n - 32); r64[0] = 0; }
}

/** Logical shift right by 0..63 into r64[0..1]. */
export function shr64(lo: number, hi: number, n: number): void {
  if (n === 0) { r64[0] = lo; r64[1] = hi; }
  else if (n < 32) { r64[0] = (lo >>> n) | (hi << (32 - n)); r64[1] = hi >>> n; }
  else { r64[0] = hi >>> (n - 32); r64[1] = 0; }
}

/** Arithmetic shift right by 0..63 into r64[0..1]. */
export function sar64(lo: number, hi: number, n: number): void {
  if (n === 0) { r64[0] = lo; r64[1] = hi; }
  else if (n < 32) { r64[0] = (lo >>> n) | (hi << (32 - n)); r64[1] = hi >> n; }
  else { r64[0] = hi >> (n - 32); r64[1] = hi >> 31; }
}

/** Sign-extends a 32-bit value's high word. */
export function sx32Hi(lo: number): number {
  return lo >> 31;
}

/** Formats a pair as 16 hex digits (debug output). */
export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
