/**
 * One float32 / float64 element of an SSE arithmetic instruction, as bits:
 * NaN rules of SDM Vol. 1 Table 4-7 for SSE (an SNaN sets IE; the result is
 * the first source NaN, else the second, quieted), invalid operations giving
 * the real indefinite, #Z, denormal operands (DE, or zero under DAZ), and a
 * correctly rounded result under MXCSR.RC (round.ts, bigfloat.ts).
 */
import { DE, IE, RC_DOWN, ZE, env } from './mxcsr.ts';
import {
  QNAN32, QNAN64_HI, bits32, bits64, hi64, isDenormal32, isDenormal64, isNaN32, isNaN64, isSNaN32, isSNaN64,
  sign, twoProdErr, twoSumErr, val32, val64,
} from './bits.ts';
import { round32, round64Normal } from './round.ts';
import { BigOp, big64, outHi } from './bigfloat.ts';

export { BigOp as Op };

/** Denormal source: DE, or a signed zero under DAZ. */
export function in32(x: number): number {
  if (isDenormal32(x)) { if (env.daz) return (x & 0x80000000) >>> 0; env.pre |= DE; }
  return x >>> 0;
}
/** float64 variant: returns the low word, the (possibly zeroed) high word in inHi. */
export let inHi = 0;
export function in64(lo: number, hi: number): number {
  if (isDenormal64(lo, hi)) { if (env.daz) { inHi = (hi & 0x80000000) >>> 0; return 0; } env.pre |= DE; }
  inHi = hi >>> 0;
  return lo >>> 0;
}

/** x + y when it is exactly zero: equal-signed zeros keep the sign, otherwise -0 only when rounding down. */
function zeroSum(x: number, y: number): number {
  if (x === 0 && y === 0 && Object.is(x, y)) return x;
  return env.rc === RC_DOWN ? -0 : 0;
}

/** One float32 element of ADD/SUB/MUL/DIV (a: first source) or SQRT (of b). */
export function arith32(op: BigOp, a: number, b: number): number {
  if (op === BigOp.Sqrt) return sqrt32(b);
  if (isNaN32(a) || isNaN32(b)) {
    if (isSNaN32(a) || isSNaN32(b)) env.pre |= IE;
    return ((isNaN32(a) ? a : b) | 0x400000) >>> 0;
  }
  const x = val32(in32(a)), y0 = val32(in32(b));
  const y = op === BigOp.Sub ? -y0 : y0;
  switch (op) {
    case BigOp.Add: case BigOp.Sub: {
      if (!Number.isFinite(x) && x === -y) { env.pre |= IE; return QNAN32; }
      const d = x + y;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return bits32(d);
      if (d === 0) return bits32(zeroSum(x, y));
      return round32(d, sign(twoSumErr(x, y, d)));
    }
    case BigOp.Mul: {
      if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) { env.pre |= IE; return QNAN32; }
      const d = x * y; // exact: 24x24-bit significands fit in a double
      if (d === 0 || !Number.isFinite(x) || !Number.isFinite(y)) return bits32(d);
      return round32(d, 0);
    }
    default: {
      if ((x === 0 && y === 0) || (!Number.isFinite(x) && !Number.isFinite(y))) { env.pre |= IE; return QNAN32; }
      if (y === 0 && Number.isFinite(x)) { env.pre |= ZE; return bits32(x / y); }
      const d = x / y;
      if (x === 0 || !Number.isFinite(x) || !Number.isFinite(y)) return bits32(d);
      const p = d * y;
      return round32(d, sign((x - p) - twoProdErr(d, y, p)) * sign(y));
    }
  }
}

function sqrt32(b: number): number {
  if (isNaN32(b)) { if (isSNaN32(b)) env.pre |= IE; return (b | 0x400000) >>> 0; }
  const y = val32(in32(b));
  if (y < 0) { env.pre |= IE; return QNAN32; }
  if (y === 0 || y === Infinity) return bits32(y);
  const d = Math.sqrt(y);
  const p = d * d;
  return round32(d, sign((y - p) - twoProdErr(d, d, p)));
}

/** Result high word of arith64 and friends. */
export let rHi = 0;
function ret(v: number): number { const lo = bits64(v); rHi = hi64; return lo; }
function nan64(lo: number, hi: number): number { rHi = (hi | 0x80000) >>> 0; return lo; }
function indefinite(): number { env.pre |= IE; rHi = QNAN64_HI; return 0; }
/** The error-free transforms are exact between LOW and HIGH (no underflow of the error term, no overflow in the split). */
const LOW = 2 ** -968, HIGH = 2 ** 995, MIN_NORMAL = 2 ** -1022;

/** Slow path: the exact result through BigInt. */
function slow(op: BigOp, aLo: number, aHi: number, bLo: number, bHi: number): number {
  const lo = big64(op, aLo, aHi, bLo, bHi);
  rHi = outHi;
  return lo;
}

/** One float64 element: returns the low word, high word in rHi. */
export function arith64(op: BigOp, aLo: number, aHi: number, bLo: number, bHi: number): number {
  if (op === BigOp.Sqrt) return sqrt64(bLo, bHi);
  if (isNaN64(aLo, aHi) || isNaN64(bLo, bHi)) {
    if (isSNaN64(aLo, aHi) || isSNaN64(bLo, bHi)) env.pre |= IE;
    return isNaN64(aLo, aHi) ? nan64(aLo, aHi) : nan64(bLo, bHi);
  }
  aLo = in64(aLo, aHi); aHi = inHi;
  bLo = in64(bLo, bHi); bHi = inHi;
  const x = val64(aLo, aHi), y0 = val64(bLo, bHi);
  const y = op === BigOp.Sub ? -y0 : y0;
  switch (op) {
    case BigOp.Add: case BigOp.Sub: {
      if (!Number.isFinite(x) && x === -y) return indefinite();
      const d = x + y;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return ret(d);
      if (d === 0) return ret(zeroSum(x, y));
      const ad = Math.abs(d);
      if (ad >= MIN_NORMAL && ad < 2 ** 1023) return ret(round64Normal(d, twoSumErr(x, y, d)));
      return slow(op, aLo, aHi, bLo, bHi);
    }
    case BigOp.Mul: {
      if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) return indefinite();
      const d = x * y;
      if (x === 0 || y === 0 || !Number.isFinite(x) || !Number.isFinite(y)) return ret(d);
      const ad = Math.abs(d);
      if (ad >= LOW && ad < 2 ** 1023 && Math.abs(x) < HIGH && Math.abs(y) < HIGH) return ret(round64Normal(d, twoProdErr(x, y, d)));
      return slow(op, aLo, aHi, bLo, bHi);
    }
    default: {
      if ((x === 0 && y === 0) || (!Number.isFinite(x) && !Number.isFinite(y))) return indefinite();
      if (y === 0 && Number.isFinite(x)) { env.pre |= ZE; return ret(x / y); }
      const d = x / y;
      if (x === 0 || !Number.isFinite(x) || !Number.isFinite(y)) return ret(d);
      const ad = Math.abs(d);
      if (ad >= LOW && ad < HIGH && Math.abs(x) >= LOW && Math.abs(x) < HIGH && Math.abs(y) < HIGH) {
        const p = d * y;
        return ret(round64Normal(d, sign((x - p) - twoProdErr(d, y, p)) * sign(y)));
      }
      return slow(op, aLo, aHi, bLo, bHi);
    }
  }
}

function sqrt64(bLo: number, bHi: number): number {
  if (isNaN64(bLo, bHi)) { if (isSNaN64(bLo, bHi)) env.pre |= IE; return nan64(bLo, bHi); }
  bLo = in64(bLo, bHi); bHi = inHi;
  const y = val64(bLo, bHi);
  if (y < 0) return indefinite();
  if (y === 0 || y === Infinity) return ret(y);
  // d*d must neither lose bits below the normal range nor overflow.
  if (y < LOW || y >= HIGH) return slow(BigOp.Sqrt, 0, 0, bLo, bHi);
  const d = Math.sqrt(y);
  const p = d * d;
  return ret(round64Normal(d, sign((y - p) - twoProdErr(d, d, p))));
}

/** MIN/MAX: any NaN (signalling or quiet) sets IE and returns the second source, as do equal values (±0). */
export function minmax32(max: boolean, a: number, b: number): number {
  if (isNaN32(a) || isNaN32(b)) { env.pre |= IE; return b >>> 0; }
  a = in32(a); b = in32(b);
  const x = val32(a), y = val32(b);
  return (max ? x > y : x < y) ? a : b;
}
export function minmax64(max: boolean, aLo: number, aHi: number, bLo: number, bHi: number): number {
  if (isNaN64(aLo, aHi) || isNaN64(bLo, bHi)) { env.pre |= IE; rHi = bHi >>> 0; return bLo >>> 0; }
  aLo = in64(aLo, aHi); aHi = inHi;
  bLo = in64(bLo, bHi); bHi = inHi;
  const x = val64(aLo, aHi), y = val64(bLo, bHi);
  if (max ? x > y : x < y) { rHi = aHi; return aLo; }
  rHi = bHi; return bLo;
}

/** Compare relations. */
export const LT = 0, EQ = 1, GT = 2, UN = 3;
/** Compares two elements; QNaNs set IE only for the signalling predicates (`signalQ`). */
export function cmp32(a: number, b: number, signalQ: boolean): number {
  if (isNaN32(a) || isNaN32(b)) {
    if (signalQ || isSNaN32(a) || isSNaN32(b)) env.pre |= IE;
    return UN;
  }
  const x = val32(in32(a)), y = val32(in32(b));
  return x < y ? LT : x > y ? GT : EQ;
}
export function cmp64(aLo: number, aHi: number, bLo: number, bHi: number, signalQ: boolean): number {
  if (isNaN64(aLo, aHi) || isNaN64(bLo, bHi)) {
    if (signalQ || isSNaN64(aLo, aHi) || isSNaN64(bLo, bHi)) env.pre |= IE;
    return UN;
  }
  aLo = in64(aLo, aHi); aHi = inHi;
  bLo = in64(bLo, bHi); bHi = inHi;
  const x = val64(aLo, aHi), y = val64(bLo, bHi);
  return x < y ? LT : x > y ? GT : EQ;
}
