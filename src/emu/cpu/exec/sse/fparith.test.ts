/**
 * The float core against an independent exact oracle: operands become BigInt
 * rationals, the exact result is rounded once under each RC (IEEE 754 with
 * x86's after-rounding tininess), and the result bits and the PE/UE/OE flags
 * must agree with arith32/arith64 for random operands across the whole range
 * (subnormal, near overflow, cancellations), with FTZ off and on.
 */
import { describe, expect, it } from 'vitest';
import { env, OE, PE, UE } from './mxcsr.ts';
import { Op, arith32, arith64, rHi } from './fparith.ts';

interface Fmt { p: number; emin: number; emax: number; ebits: number }
const F32: Fmt = { p: 24, emin: -126, emax: 127, ebits: 8 };
const F64: Fmt = { p: 53, emin: -1022, emax: 1023, ebits: 11 };

/** value = (-1)^neg * m * 2^e */
function decode(bits: bigint, f: Fmt): { neg: boolean; m: bigint; e: number } {
  const mbits = BigInt(f.p - 1);
  const neg = (bits >> BigInt(f.p - 1 + f.ebits)) === 1n;
  const ex = Number((bits >> mbits) & ((1n << BigInt(f.ebits)) - 1n));
  let m = bits & ((1n << mbits) - 1n);
  let e: number;
  if (ex === 0) e = f.emin - (f.p - 1);
  else { m |= 1n << mbits; e = ex - ((1 << (f.ebits - 1)) - 1) - (f.p - 1); }
  return { neg, m, e };
}

const blen = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/** Rounds (-1)^neg * n/d * 2^e (n, d > 0) to format f under rc; returns bits and flags. */
function roundRational(neg: boolean, n: bigint, d: bigint, e: number, rc: number, f: Fmt, ftz: boolean): { bits: bigint; flags: number } {
  // k = floor(log2(n/d)) + e
  let k = blen(n) - blen(d);
  if ((k >= 0 ? n : n << BigInt(-k)) < (k >= 0 ? d << BigInt(k) : d)) k--;
  const mag = k + e;
  const roundAt = (lsb: number): { q: bigint; inexact: boolean } => {
    // q = round(n/d * 2^(e - lsb))
    const sh = e - lsb;
    const num = sh >= 0 ? n << BigInt(sh) : n;
    const den = sh >= 0 ? d : d << BigInt(-sh);
    let q = num / den;
    const r = num - q * den;
    const inexact = r !== 0n;
    const twice = 2n * r;
    let up = false;
    if (inexact) {
      if (rc === 0) up = twice > den || (twice === den && (q & 1n) === 1n);
      else if (rc === 1) up = neg;
      else if (rc === 2) up = !neg;
    }
    if (up) q += 1n;
    return { q, inexact };
  };
  const u = roundAt(mag - f.p + 1);
  const uMag = mag - f.p + 1 + blen(u.q) - 1;
  const sign = neg ? 1n << BigInt(f.p - 1 + f.ebits) : 0n;
  const bias = (1 << (f.ebits - 1)) - 1;
  if (uMag > f.emax) {
    const toInf = rc === 0 || (rc === 2 && !neg) || (rc === 1 && neg);
    const maxBits = ((BigInt(f.emax + bias) << BigInt(f.p - 1)) | ((1n << BigInt(f.p - 1)) - 1n));
    return { bits: sign | (toInf ? (BigInt(2 * bias + 1) << BigInt(f.p - 1)) : maxBits), flags: OE | PE };
  }
  const tiny = uMag < f.emin;
  const b = roundAt(Math.max(mag - f.p + 1, f.emin - f.p + 1));
  let flags = b.inexact ? PE : 0;
  if (tiny && b.inexact) flags |= UE;
  if (tiny && ftz) return { bits: sign, flags: UE | PE };
  const lsb = Math.max(mag - f.p + 1, f.emin - f.p + 1);
  const qb = blen(b.q);
  const qMag = lsb + qb - 1;
  let bits: bigint;
  if (b.q === 0n) bits = 0n;
  else if (qMag < f.emin) bits = b.q;
  else {
    const norm = qb > f.p ? b.q >> BigInt(qb - f.p) : b.q << BigInt(f.p - qb);
    bits = (BigInt(qMag + bias) << BigInt(f.p - 1)) | (norm - (1n << BigInt(f.p - 1)));
  }
  return { bits: sign | bits, flags };
}

function oracle(op: Op, a: bigint, b: bigint, rc: number, f: Fmt, ftz: boolean): { bits: bigint; flags: number } | null {
  const x = decode(a, f), y = decode(b, f);
  if (x.m === 0n || y.m === 0n) return null;
  const emin = Math.min(x.e, y.e);
  const sx = x.neg ? -1n : 1n;
  const sy = (y.neg !== (op === Op.Sub)) ? -1n : 1n;
  switch (op) {
    case Op.Add: case Op.Sub: {
      const s = sx * (x.m << BigInt(x.e - emin)) + sy * (y.m << BigInt(y.e - emin));
      if (s === 0n) return null;
      return roundRational(s < 0n, s < 0n ? -s : s, 1n, emin, rc, f, ftz);
    }
    case Op.Mul: return roundRational(x.neg !== y.neg, x.m * y.m, 1n, x.e + y.e, rc, f, ftz);
    default: return roundRational(x.neg !== y.neg, x.m, y.m, x.e - y.e, rc, f, ftz);
  }
}

/** xorshift64 for reproducible operands. */
let seed = 0x9e3779b97f4a7c15n;
function rnd(): bigint {
  seed ^= (seed << 13n) & 0xffffffffffffffffn; seed ^= seed >> 7n; seed ^= (seed << 17n) & 0xffffffffffffffffn;
  return seed;
}
/** Finite operand bits, biased towards the interesting exponent ranges. */
function operand(f: Fmt, around?: number): bigint {
  const total = f.p - 1 + f.ebits;
  const maxE = (1 << f.ebits) - 2;
  const r = rnd();
  const kind = Number(r & 7n);
  let ex: number;
  if (around !== undefined && kind < 4) ex = Math.max(0, Math.min(maxE, around + (Number((r >> 3n) & 7n) - 3)));
  else if (kind === 4) ex = Number((r >> 3n) & 3n);              // subnormal / tiny
  else if (kind === 5) ex = maxE - Number((r >> 3n) & 3n);        // huge
  else ex = Number((r >> 3n) % BigInt(maxE + 1));
  const mant = (rnd() >> 3n) & ((1n << BigInt(f.p - 1)) - 1n);
  const sign = (r >> 60n) & 1n;
  return (sign << BigInt(total)) | (BigInt(ex) << BigInt(f.p - 1)) | mant;
}

function check(f: Fmt, n: number): void {
  const ops = [Op.Add, Op.Sub, Op.Mul, Op.Div];
  let compared = 0;
  for (let t = 0; t < n; t++) {
    const op = ops[t % 4];
    const a = operand(f);
    // For add/sub, often pick b near a's exponent (cancellation); for mul/div, near the complement.
    const aExp = Number((a >> BigInt(f.p - 1)) & ((1n << BigInt(f.ebits)) - 1n));
    const bias = (1 << (f.ebits - 1)) - 1;
    const b = operand(f, op <= Op.Sub ? aExp : op === Op.Mul ? 2 * bias - aExp : aExp);
    const rc = Number(rnd() & 3n);
    const ftz = (t & 8) !== 0;
    env.rc = rc; env.daz = false; env.ftz = ftz; env.ueUnmasked = false; env.pre = 0; env.post = 0;
    const want = oracle(op, a, b, rc, f, ftz);
    if (want === null) continue;
    let got: bigint;
    if (f === F32) got = BigInt(arith32(op, Number(a), Number(b)) >>> 0);
    else {
      const lo = arith64(op, Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n));
      got = (BigInt(rHi >>> 0) << 32n) | BigInt(lo >>> 0);
    }
    const what = `op ${op} a=${a.toString(16)} b=${b.toString(16)} rc=${rc} ftz=${ftz}`;
    expect(got.toString(16), what).toBe(want.bits.toString(16));
    expect(env.post & (PE | UE | OE), what).toBe(want.flags);
    compared++;
  }
  expect(compared).toBeGreaterThan(n * 0.9);
}

/** Bits of m * 2^e as float32 / float64 (exactly representable). */
const f32b = (v: number): number => { const b = new Float32Array([v]); return new Uint32Array(b.buffer)[0]; };
function run32(op: Op, a: number, b: number, rc: number, ftz = false): [number, number] {
  env.rc = rc; env.daz = false; env.ftz = ftz; env.ueUnmasked = false; env.pre = 0; env.post = 0;
  const r = arith32(op, a, b);
  return [r >>> 0, env.post];
}

describe('tininess after rounding and the overflow threshold (float32)', () => {
  // (2^25 - 1) * 2^-151 = 2^-126 * (1 - 2^-25) = (31 * 601 * 2^-70) * (1801 * 2^-81)
  const a = f32b(18631 * 2 ** -70), b = f32b(1801 * 2 ** -81);
  it('a product just below 2^-126 that rounds to it is not tiny: PE only, and FTZ keeps it', () => {
    expect(run32(Op.Mul, a, b, 0)).toEqual([0x00800000, PE]);
    expect(run32(Op.Mul, a, b, 0, true)).toEqual([0x00800000, PE]);
  });
  it('rounding toward zero leaves it tiny: the largest denormal with UE|PE, or zero under FTZ', () => {
    expect(run32(Op.Mul, a, b, 3)).toEqual([0x007fffff, UE | PE]);
    expect(run32(Op.Mul, a, b, 3, true)).toEqual([0, UE | PE]);
  });
  // (2^25 - 1) * 2^103 = 2^128 - 2^103: nearest rounds to 2^128 (overflow), toward zero to FLT_MAX.
  const c = f32b(18631 * 2 ** 50), d = f32b(1801 * 2 ** 53);
  it('a product just below 2^128 overflows to infinity when nearest, not when toward zero', () => {
    expect(run32(Op.Mul, c, d, 0)).toEqual([0x7f800000, OE | PE]);
    expect(run32(Op.Mul, c, d, 3)).toEqual([0x7f7fffff, PE]);
    expect(run32(Op.Mul, c, d, 2)).toEqual([0x7f800000, OE | PE]);
  });
});

describe('tininess after rounding (float64, exact path)', () => {
  // (2^54 - 1) * 2^-1076 = (2^27 - 1) * 2^-538 * (2^27 + 1) * 2^-538
  const a = 134217727 * 2 ** -538, b = 134217729 * 2 ** -538;
  const bits = (v: number): [number, number] => { const f = new Float64Array([v]); const u = new Uint32Array(f.buffer); return [u[0], u[1]]; };
  it('rounds to DBL_MIN without UE when nearest; stays tiny toward zero', () => {
    const [al, ah] = bits(a), [bl, bh] = bits(b);
    env.rc = 0; env.daz = false; env.ftz = false; env.ueUnmasked = false; env.pre = 0; env.post = 0;
    expect([arith64(Op.Mul, al, ah, bl, bh), rHi, env.post]).toEqual([0, 0x00100000, PE]);
    env.rc = 3; env.post = 0;
    expect([arith64(Op.Mul, al, ah, bl, bh), rHi, env.post]).toEqual([0xffffffff, 0x000fffff, UE | PE]);
  });
});

describe('SSE float core against an exact rational oracle', () => {
  it('float32 add/sub/mul/div: bits and PE/UE/OE under every RC, with and without FTZ', () => {
    check(F32, 20000);
  });
  it('float64 add/sub/mul/div (fast path and BigInt path): bits and PE/UE/OE under every RC, with and without FTZ', () => {
    check(F64, 20000);
  });
});
