/**
 * Exact float64 arithmetic for the rare results the double fast path cannot
 * round by itself: near or below the subnormal range (where the error-free
 * transforms lose bits) and near overflow. Operands become BigInt significand
 * and exponent pairs; the exact result (with a sticky bit for division and
 * square root) is rounded once under env.rc. BigInt only on this slow path.
 */
import { RC_DOWN, RC_NEAREST, RC_UP, env } from './mxcsr.ts';
import { postFlags } from './round.ts';

const P = 53, EMIN = -1022, EMAX = 1023;

/** Decomposed operand: value = (-1)^neg * m * 2^e. */
let neg = false, m = 0n, e = 0;
function decompose(lo: number, hi: number): void {
  neg = (hi >>> 31) !== 0;
  const ex = (hi >>> 20) & 0x7ff;
  m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (ex === 0) e = -1074;
  else { m |= 1n << 52n; e = ex - 1075; }
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * Rounds x * 2^ex (+ sticky: a nonzero remainder below 2^(ex-2)) to a multiple
 * of 2^lsb under rc; returns the multiple and sets rInexact.
 */
let rInexact = false;
function roundAt(x: bigint, ex: number, sticky: boolean, lsb: number, negative: boolean, rc: number): bigint {
  const sh = lsb - ex;
  if (sh <= 0) {
    // Callers keep at least two bits below the rounding position, so a sticky
    // remainder here is below half an ulp.
    rInexact = sticky;
    const q = x << BigInt(-sh);
    return incr(negative, rc, false, sticky, false) ? q + 1n : q;
  }
  const q = x >> BigInt(sh);
  const rem = x - (q << BigInt(sh));
  const half = 1n << BigInt(sh - 1);
  const hb = rem >= half;
  const rest = (hb ? rem !== half : rem !== 0n) || sticky;
  rInexact = hb || rest;
  return incr(negative, rc, hb, rest, (q & 1n) === 1n) ? q + 1n : q;
}
function incr(negative: boolean, rc: number, hb: boolean, rest: boolean, odd: boolean): boolean {
  if (!hb && !rest) return false;
  switch (rc) {
    case RC_NEAREST: return hb && (rest || odd);
    case RC_UP: return !negative;
    case RC_DOWN: return negative;
    default: return false;
  }
}

/** Result bits: low word returned, high word in outHi. */
export let outHi = 0;

/** Rounds (-1)^negative * x * 2^ex (+ sticky) to float64 bits with flags. */
function pack(negative: boolean, x: bigint, ex: number, sticky: boolean): number {
  const rc = env.rc;
  const sgn = negative ? 0x80000000 : 0;
  if (x === 0n && !sticky) { outHi = sgn; return 0; }
  const E = ex + bitLength(x) - 1;
  // Unbounded exponent: tininess and overflow.
  const qU = roundAt(x, ex, sticky, E - P + 1, negative, rc);
  const EU = E - P + 1 + bitLength(qU) - 1;
  const tiny = EU < EMIN, overflow = EU > EMAX;
  if (overflow) {
    const toInf = rc === RC_NEAREST || (rc === RC_UP && !negative) || (rc === RC_DOWN && negative);
    postFlags(0, false, true, true);
    if (toInf) { outHi = (sgn | 0x7ff00000) >>> 0; return 0; }
    outHi = (sgn | 0x7fefffff) >>> 0; return 0xffffffff;
  }
  const lsb = Math.max(E - P + 1, EMIN - P + 1);
  let q = roundAt(x, ex, sticky, lsb, negative, rc);
  const inex = rInexact;
  postFlags(1, tiny, inex, false);
  if (tiny && env.ftz) q = 0n;
  if (q === 0n) { outHi = sgn; return 0; }
  const nb = bitLength(q);
  const Eq = lsb + nb - 1;
  let mant: bigint, expField: number;
  if (Eq < EMIN) { mant = q << BigInt(lsb - (EMIN - P + 1)); expField = 0; }
  else {
    mant = nb > P ? q >> BigInt(nb - P) : q << BigInt(P - nb);
    mant -= 1n << 52n;
    expField = Eq + 1023;
  }
  outHi = (sgn | (expField << 20) | Number(mant >> 32n)) >>> 0;
  return Number(mant & 0xffffffffn) >>> 0;
}

export const enum BigOp { Add, Sub, Mul, Div, Sqrt }

/** a op b for finite, non-NaN float64 operands (zeros allowed except as the exact-zero sum). */
export function big64(op: BigOp, aLo: number, aHi: number, bLo: number, bHi: number): number {
  decompose(aLo, aHi);
  const na = neg, ma = m, ea = e;
  decompose(bLo, bHi);
  let nb = neg;
  const mb = m, eb = e;
  switch (op) {
    case BigOp.Sub:
    case BigOp.Add: {
      if (op === BigOp.Sub) nb = !nb;
      const ex = Math.min(ea, eb);
      const x = (na ? -ma : ma) * (1n << BigInt(ea - ex)) + (nb ? -mb : mb) * (1n << BigInt(eb - ex));
      if (x === 0n) { outHi = env.rc === RC_DOWN ? 0x80000000 : 0; return 0; }
      return pack(x < 0n, x < 0n ? -x : x, ex, false);
    }
    case BigOp.Mul:
      return pack(na !== nb, ma * mb, ea + eb, false);
    case BigOp.Div: {
      const k = Math.max(0, P + 3 + bitLength(mb) - bitLength(ma));
      const num = ma << BigInt(k);
      const q = num / mb;
      return pack(na !== nb, q, ea - eb - k, q * mb !== num);
    }
    default: {
      // Square root of b: scale to an even exponent with at least 2P+4 bits.
      let k = Math.max(0, 2 * P + 4 - bitLength(mb));
      if (((eb - k) & 1) !== 0) k++;
      const x = mb << BigInt(k);
      const r = isqrt(x);
      return pack(false, r, (eb - k) / 2, r * r !== x);
    }
  }
}

function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let r = BigInt(Math.floor(Math.sqrt(Number(x))));
  // Newton steps from the float estimate until stable.
  for (;;) {
    const n = (r + x / r) >> 1n;
    if (n >= r) break;
    r = n;
  }
  while (r * r > x) r--;
  while ((r + 1n) * (r + 1n) <= x) r++;
  return r;
}

/** Exact int64 (lo/hi, signed) to float64 bits under env.rc with PE. */
export function int64ToF64(lo: number, hi: number): number {
  let x = (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
  const negative = x < 0n;
  if (negative) x = -x;
  return pack(negative, x, 0, false);
}

