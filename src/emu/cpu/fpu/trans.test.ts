import { describe, expect, it } from 'vitest';
import { K_L2E, K_L2T, K_LG2, K_LN2, K_ONE, K_PI, K_ZERO, loadConstant } from './constants.ts';
import { fromNumber, toNumber } from './convert.ts';
import { F80, FpEnv, IE, PE, ZE } from './float80.ts';
import { type Enc, isqrt, roundRat, toRat } from './oracle.ts';
import { rng } from './testGen.ts';
import { f2xm1, fcos, fpatan, fptan, fsin, fsincos, fyl2x, fyl2xp1, transC2 } from './trans.ts';

// ---- a BigInt fixed-point reference (2^-256 resolution) --------------------------------
const FP = 256n, ONE = 1n << FP;
const fmul = (a: bigint, b: bigint): bigint => (a * b) >> FP;
const fdiv = (a: bigint, b: bigint): bigint => (a << FP) / b;
const fix = (e: Enc): bigint => { const r = toRat(e); const v = (r.num << FP) / r.den; return r.sign ? -v : v; };
function series(x: bigint, start: bigint, step: (t: bigint, i: bigint) => bigint): bigint {
  let sum = start, t = start;
  for (let i = 1n; i < 400n; i++) { t = step(t, i); if (t === 0n) break; sum += t; }
  return sum;
}
const sinF = (r: bigint): bigint => series(r, r, (t, i) => -fmul(fmul(t, r), r) / ((2n * i) * (2n * i + 1n)));
const cosF = (r: bigint): bigint => series(r, ONE, (t, i) => -fmul(fmul(t, r), r) / ((2n * i - 1n) * (2n * i)));
const expm1F = (t0: bigint): bigint => series(t0, t0, (t, i) => fmul(t, t0) / (i + 1n));
function lnF(m: bigint): bigint {               // m > 0 fixed point: reduce to [0.5, 2) by powers of 2
  let k = 0n;
  while (m >= 2n * ONE) { m >>= 1n; k++; }
  while (m < ONE / 2n) { m <<= 1n; k--; }
  const s = fdiv(m - ONE, m + ONE), s2 = fmul(s, s);
  let sum = s, t = s;
  for (let i = 3n; i < 2000n; i += 2n) { t = fmul(t, s2); if (t === 0n) break; sum += t / i; }
  return 2n * sum + k * LN2;
}
const LN2 = (() => { let sum = 0n, t = ONE; for (let k = 1n; k < 300n; k++) { t /= 2n; sum += t / k; } return sum; })();
const PI = (() => {               // Machin: pi = 16 atan(1/5) - 4 atan(1/239)
  const at = (inv: bigint): bigint => { let sum = 0n, t = ONE / inv, k = 0n; while (t !== 0n) { sum += (k % 2n ? -t : t) / (2n * k + 1n); t /= inv * inv; k++; } return sum; };
  return 16n * at(5n) - 4n * at(239n);
})();
function atanF(t: bigint): bigint {             // any t: reduce with atan(t) = 2 atan(t / (1 + sqrt(1 + t^2)))
  let mult = 1n;
  for (let i = 0; i < 4; i++) { t = fdiv(t, ONE + isqrt((ONE + fmul(t, t)) << FP)); mult *= 2n; }
  const t2 = fmul(t, t);
  let sum = t, p = t;
  for (let i = 3n; i < 4000n; i += 2n) { p = -fmul(p, t2); if (p === 0n) break; sum += p / i; }
  return sum * mult;
}

/** Round a fixed-point value to an 80-bit encoding in mode rc. */
const roundFix = (v: bigint, rc = 0): Enc =>
  roundRat({ sign: v < 0n ? 1 : 0, num: v < 0n ? -v : v, den: ONE }, 64, rc).enc;
const key = (e: Enc): bigint => ((BigInt(e.se & 0x7fff) << 64n) | (BigInt(e.hi >>> 0) << 32n) | BigInt(e.lo >>> 0)) * ((e.se & 0x8000) ? -1n : 1n);
const hex = (x: Enc): string => `${(x.se & 0xffff).toString(16)}:${(x.hi >>> 0).toString(16).padStart(8, '0')}${(x.lo >>> 0).toString(16).padStart(8, '0')}`;

/** Accuracy bookkeeping: every result within 1 ulp; report how many are correctly rounded. */
function checker(name: string): { check: (got: F80, want: Enc, what: string) => void; done: (minExact: number) => void } {
  let n = 0, exact = 0;
  return {
    check(got, want, what) {
      const d = key(got) - key(want);
      n++; if (d === 0n) exact++;
      if (d > 1n || d < -1n) expect(hex(got), `${name} ${what}`).toBe(hex(want));
    },
    done(minExact) { expect(exact / n, `${name}: ${exact}/${n} correctly rounded`).toBeGreaterThanOrEqual(minExact); },
  };
}

const env = new FpEnv();
const X = new F80(), Y = new F80(), OUT = new F80(), OUT2 = new F80();
function randomIn(r: () => number, expLo: number, expHi: number, sign: number): Enc {
  const exp = 16383 + expLo + (r() % (expHi - expLo + 1));
  return { se: (sign < 0 ? 0x8000 : sign > 0 ? 0 : (r() & 1) << 15) | exp, hi: (r() | 0x80000000) >>> 0, lo: r() >>> 0 };
}

describe('constants', () => {
  it('the round-to-nearest table matches pi, ln2, log2(e), log2(10), log10(2) computed in BigInt', () => {
    const L2E = fdiv(ONE, LN2), LN10 = lnF(10n * ONE), L2T = fdiv(LN10, LN2), LG2 = fdiv(LN2, LN10);
    for (const [k, v] of [[K_PI, PI], [K_LN2, LN2], [K_L2E, L2E], [K_L2T, L2T], [K_LG2, LG2]] as const) {
      for (let rc = 0; rc < 4; rc++) {
        const got = loadConstant(k, rc, new F80());
        expect(hex(got), `constant ${k} rc ${rc}`).toBe(hex(roundFix(v, rc)));
      }
    }
    expect(hex(loadConstant(K_ONE, 1, new F80()))).toBe('3fff:8000000000000000');
    expect(hex(loadConstant(K_ZERO, 2, new F80()))).toBe('0:0000000000000000');
  });
});

describe('FSIN / FCOS / FPTAN (reduction by the 66-bit pi)', () => {
  const PI66_2 = 0x3243f6a8885a308d3n << (FP - 65n);     // the FPU's pi/2, fixed point
  const reduce = (x: bigint): { r: bigint; q: bigint } => {
    const ax = x < 0n ? -x : x;
    let k = (ax + PI66_2 / 2n) / PI66_2;
    let r = ax - k * PI66_2;
    if (r > PI66_2 / 2n) { r -= PI66_2; k++; }
    return { r, q: k % 4n };
  };
  it('1500 arguments from 2^-30 to 2^62 in all rounding modes: within 1 ulp, nearly all correctly rounded', () => {
    const r = rng(99);
    const cs = checker('sin'), cc = checker('cos'), ct = checker('tan');
    for (let i = 0; i < 1500; i++) {
      const e = randomIn(r, -30, i % 3 === 0 ? 62 : 4, 0);
      const xv = fix(e), { r: red, q } = reduce(xv);
      const s = sinF(red), c = cosF(red);
      const sinV = [s, c, -s, -c][Number(q)]! * (xv < 0n ? -1n : 1n);
      const cosV = [c, -s, -c, s][Number(q)]!;
      const tanV = fdiv(q % 2n ? -c : s, q % 2n ? s : c) * (xv < 0n ? -1n : 1n);
      const rc = i & 3;
      X.set(e.se, e.hi, e.lo);
      env.begin(0x37f | (rc << 10)); expect(fsin(env, X, OUT)).toBe(true); cs.check(OUT, roundFix(sinV, rc), hex(e));
      expect(env.flags & PE).toBe(PE);
      env.begin(0x37f | (rc << 10)); fcos(env, X, OUT); cc.check(OUT, roundFix(cosV, rc), hex(e));
      env.begin(0x37f | (rc << 10)); fptan(env, X, OUT); ct.check(OUT, roundFix(tanV, rc), hex(e));
      env.begin(0x37f | (rc << 10)); fsincos(env, X, OUT, OUT2);
      cs.check(OUT, roundFix(sinV, rc), hex(e)); cc.check(OUT2, roundFix(cosV, rc), hex(e));
    }
    cs.done(0.98); cc.done(0.98); ct.done(0.98);
  });

  it('the famous case: FSIN of the 80-bit pi is pi80 - pi66, not pi80 - pi', () => {
    env.begin(0x37f);
    fsin(env, loadConstant(K_PI, 0, X), OUT);
    // pi80 - pi66 = (0xc90fdaa22168c235 * 4 - 0xc90fdaa22168c234c) * 2^-66 = 4 * 2^-66 = 2^-64, so sin = -2^-64
    expect(toNumber(OUT)).toBe(-(2 ** -64));
  });

  it('|x| >= 2^63 sets C2 and leaves the operand; infinities are invalid; zero and tiny are exact-ish', () => {
    env.begin(0x37f);
    expect(fsin(env, X.set(0x403e, 0x80000000, 0), OUT)).toBe(false);
    expect(transC2).toBe(1);
    env.begin(0x37f);
    fcos(env, X.set(0x403d, 0xffffffff, 0xffffffff), OUT);
    expect(transC2).toBe(0);
    env.begin(0x37f); fsin(env, fromNumber(-Infinity, X), OUT); expect([hex(OUT), env.flags]).toEqual(['ffff:c000000000000000', IE]);
    env.begin(0x37f); fsin(env, fromNumber(-0, X), OUT); expect([hex(OUT), env.flags]).toEqual(['8000:0000000000000000', 0]);
    env.begin(0x37f); fcos(env, fromNumber(2 ** -50, X), OUT); expect([hex(OUT), env.flags]).toEqual(['3fff:8000000000000000', PE]);
    env.begin(0xc7f); fcos(env, fromNumber(2 ** -50, X), OUT); expect(hex(OUT)).toBe('3ffe:ffffffffffffffff');
    env.begin(0xc7f); fsin(env, fromNumber(2 ** -50, X), OUT); expect(hex(OUT)).toBe('3fcc:ffffffffffffffff');
  });
});

describe('F2XM1, FYL2X, FYL2XP1, FPATAN', () => {
  it('F2XM1 on [-1, 1]', () => {
    const r = rng(1), ch = checker('f2xm1');
    for (let i = 0; i < 1500; i++) {
      const e = randomIn(r, -70, -1, 0), rc = i & 3;
      X.set(e.se, e.hi, e.lo);
      env.begin(0x37f | (rc << 10)); f2xm1(env, X, OUT);
      ch.check(OUT, roundFix(expm1F(fmul(fix(e), LN2)), rc), hex(e));
    }
    ch.done(0.98);
    env.begin(0x37f); f2xm1(env, fromNumber(-1, X), OUT); expect([toNumber(OUT), env.flags]).toEqual([-0.5, 0]);
  });

  it('FYL2X for x across the whole range', () => {
    const r = rng(2), ch = checker('fyl2x');
    for (let i = 0; i < 1500; i++) {
      const ex = randomIn(r, -16000, 16000, 1), ey = randomIn(r, -20, 20, 0), rc = i & 3;
      if ((ex.se & 0x7fff) === 16383) continue;
      X.set(ex.se, ex.hi, ex.lo); Y.set(ey.se, ey.hi, ey.lo);
      env.begin(0x37f | (rc << 10)); fyl2x(env, X, Y, OUT);
      // ln x = ln(sig / 2^63) + (exp - 16383) ln 2, exact in range for any exponent
      const lnx = lnF(((BigInt(ex.hi) << 32n | BigInt(ex.lo)) << FP) >> 63n) + BigInt((ex.se & 0x7fff) - 16383) * LN2;
      ch.check(OUT, roundFix(fmul(fix(ey), fdiv(lnx, LN2)), rc), `${hex(ex)} ${hex(ey)}`);
    }
    ch.done(0.98);
  });

  it('FYL2X special cases: log2 of a power of two is exact; x = 0 gives ZE; x < 0 is invalid', () => {
    env.begin(0x37f); fyl2x(env, fromNumber(1024, X), fromNumber(3, Y), OUT); expect([toNumber(OUT), env.flags]).toEqual([30, 0]);
    env.begin(0x37f); fyl2x(env, fromNumber(0, X), fromNumber(2, Y), OUT); expect([toNumber(OUT), env.flags]).toEqual([-Infinity, ZE]);
    env.begin(0x37f); fyl2x(env, fromNumber(-2, X), fromNumber(2, Y), OUT); expect(env.flags).toBe(IE);
    env.begin(0x37f); fyl2x(env, fromNumber(1, X), fromNumber(-2, Y), OUT); expect(Object.is(toNumber(OUT), -0)).toBe(true);
  });

  it('FYL2XP1 for |x| < 1 - sqrt(2)/2', () => {
    const r = rng(3), ch = checker('fyl2xp1');
    for (let i = 0; i < 1500; i++) {
      const ex = randomIn(r, -80, -3, 0), ey = randomIn(r, -20, 20, 0), rc = i & 3;
      X.set(ex.se, ex.hi, ex.lo); Y.set(ey.se, ey.hi, ey.lo);
      env.begin(0x37f | (rc << 10)); fyl2xp1(env, X, Y, OUT);
      ch.check(OUT, roundFix(fmul(fix(ey), fdiv(lnF(ONE + fix(ex)), LN2)), rc), `${hex(ex)} ${hex(ey)}`);
    }
    ch.done(0.98);
  });

  it('FPATAN in all four quadrants', () => {
    const r = rng(4), ch = checker('fpatan');
    for (let i = 0; i < 1500; i++) {
      const ey = randomIn(r, -40, 40, 0), ex = randomIn(r, -40, 40, 0), rc = i & 3;
      X.set(ex.se, ex.hi, ex.lo); Y.set(ey.se, ey.hi, ey.lo);
      const xv = fix(ex), yv = fix(ey);
      let a = atanF(fdiv(yv < 0n ? -yv : yv, xv < 0n ? -xv : xv));
      if (xv < 0n) a = PI - a;
      if (yv < 0n) a = -a;
      env.begin(0x37f | (rc << 10)); fpatan(env, Y, X, OUT);
      ch.check(OUT, roundFix(a, rc), `${hex(ey)} ${hex(ex)}`);
    }
    ch.done(0.98);
    env.begin(0x37f); fpatan(env, fromNumber(0, Y), fromNumber(-0, X), OUT);
    expect(hex(OUT)).toBe(hex(loadConstant(K_PI, 0, new F80())));
    env.begin(0x37f); fpatan(env, fromNumber(-Infinity, Y), fromNumber(Infinity, X), OUT);
    expect(toNumber(OUT)).toBeCloseTo(-Math.PI / 4, 15);
  });
});
