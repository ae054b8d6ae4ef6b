import { describe, expect, it } from 'vitest';
import { fromNumber, toNumber } from './convert.ts';
import { DE, F80, FpEnv, IE, PE, UE, ZE } from './float80.ts';
import {
  CMP_EQ, CMP_GT, CMP_LT, CMP_NONE, CMP_UNORDERED, compareCC, compareEflags, fcompare, fprem, frndint, fscale,
  fxam, fxtract, remPartial, remQuotient,
} from './ops.ts';
import { type Enc, type Rat, encode, ratAdd, ratMul, ratNeg, roundToInteger, toRat } from './oracle.ts';
import { genFinite, rng } from './testGen.ts';

const env = new FpEnv();
const hex = (x: Enc): string => `${(x.se & 0xffff).toString(16)}:${(x.hi >>> 0).toString(16).padStart(8, '0')}${(x.lo >>> 0).toString(16).padStart(8, '0')}`;
const n = (v: number): F80 => fromNumber(v, new F80());
const ratCmp = (a: Rat, b: Rat): number => {
  const d = ratAdd(a, ratNeg(b));
  return d.num === 0n ? 0 : d.sign ? -1 : 1;
};

describe('comparisons', () => {
  it('FCOM agrees with exact comparison for 5000 random pairs (incl. equal values and zeros)', () => {
    const r = rng(5), a = new F80(), b = new F80();
    for (let i = 0; i < 5000; i++) {
      const ea = genFinite(r), eb = i % 7 === 0 ? { ...ea } : genFinite(r, ea.se & 0x7fff);
      if (i % 11 === 0) eb.se &= 0x8000, eb.hi = 0, eb.lo = 0;
      a.set(ea.se, ea.hi, ea.lo); b.set(eb.se, eb.hi, eb.lo);
      env.begin(0x37f);
      const c = ratCmp(toRat(ea), toRat(eb));
      expect(fcompare(env, a, b, false), `${hex(ea)} ${hex(eb)}`).toBe(c === 0 ? CMP_EQ : c < 0 ? CMP_LT : CMP_GT);
    }
  });

  it('NaNs: FCOM raises IE on any NaN, FUCOM only on SNaN; condition codes 111 / ZF PF CF', () => {
    const q = new F80().set(0x7fff, 0xc0000000, 0), s = new F80().set(0x7fff, 0x80000000, 1);
    env.begin(0x37f); expect(fcompare(env, q, n(1), false)).toBe(CMP_UNORDERED); expect(env.flags).toBe(IE);
    env.begin(0x37f); expect(fcompare(env, q, n(1), true)).toBe(CMP_UNORDERED); expect(env.flags).toBe(0);
    env.begin(0x37f); expect(fcompare(env, n(1), s, true)).toBe(CMP_UNORDERED); expect(env.flags).toBe(IE);
    env.begin(0x37e); expect(fcompare(env, q, n(1), false)).toBe(CMP_NONE);
    expect(compareCC(CMP_UNORDERED)).toBe(0b111);
    expect(compareCC(CMP_LT)).toBe(0b001);
    expect(compareCC(CMP_EQ)).toBe(0b100);
    expect(compareEflags(CMP_UNORDERED)).toBe(0x45);
    env.begin(0x37f); expect(fcompare(env, n(-0), n(0), false)).toBe(CMP_EQ);
    env.begin(0x37f); expect(fcompare(env, n(-Infinity), n(-1e308), false)).toBe(CMP_LT);
    env.begin(0x37f); fcompare(env, new F80().set(0, 0, 1), n(0), false); expect(env.flags).toBe(DE);
  });

  it('FXAM classes (C3 C2 C1 C0)', () => {
    expect(fxam(n(-1.5), false)).toBe(0b0110);
    expect(fxam(n(0), false)).toBe(0b1000);
    expect(fxam(n(Infinity), false)).toBe(0b0101);
    expect(fxam(new F80().set(0x7fff, 0xc0000000, 0), false)).toBe(0b0001);
    expect(fxam(new F80().set(0, 1, 0), false)).toBe(0b1100);
    expect(fxam(new F80().set(0x4000, 0x40000000, 0), false)).toBe(0b0000);
    expect(fxam(n(1), true)).toBe(0b1001);
  });
});

describe('FRNDINT, FSCALE, FXTRACT', () => {
  it('FRNDINT matches exact rounding in all modes for 4000 values', () => {
    const r = rng(6), a = new F80(), out = new F80();
    for (let i = 0; i < 4000; i++) {
      const e = genFinite(r, 16383 + (r() % 80) - 10);
      for (let rc = 0; rc < 4; rc++) {
        a.set(e.se, e.hi, e.lo);
        env.begin(0x37f | (rc << 10));
        expect(frndint(env, a, out)).toBe(true);
        const w = roundToInteger(toRat(e), rc);
        const mag = w.v < 0n ? -w.v : w.v;
        expect(hex(out), `${hex(e)} rc=${rc}`).toBe(hex(encode(e.se >> 15, mag, 0)));
        expect(env.flags & PE).toBe(w.inexact ? PE : 0);
        expect(env.c1).toBe(w.up ? 1 : 0);
      }
    }
  });

  it('FSCALE scales by trunc(ST1), underflows/overflows like any rounding, rejects 0 * 2^+inf', () => {
    const out = new F80();
    env.begin(0x37f); fscale(env, n(3), n(4.9), out); expect(toNumber(out)).toBe(48);
    env.begin(0x37f); fscale(env, n(3), n(-1.9), out); expect(toNumber(out)).toBe(1.5);
    env.begin(0x37f); fscale(env, n(1), n(-16445), out); expect(hex(out)).toBe('0:0000000000000001');
    expect(env.flags).toBe(0);
    env.begin(0x37f); fscale(env, n(1.5), n(-16445), out); expect(env.flags).toBe(UE | PE);
    env.begin(0x37f); fscale(env, n(1), n(1e10), out); expect(hex(out)).toBe('7fff:8000000000000000');
    env.begin(0x37f); fscale(env, n(0), n(Infinity), out); expect(env.flags).toBe(IE);
    env.begin(0x37f); fscale(env, n(-2), n(-Infinity), out); expect(hex(out)).toBe('8000:0000000000000000');
  });

  it('FXTRACT splits into significand and exponent; zero raises ZE with exponent -inf', () => {
    const s = new F80(), e = new F80();
    env.begin(0x37f); fxtract(env, n(-24), s, e);
    expect([toNumber(s), toNumber(e)]).toEqual([-1.5, 4]);
    env.begin(0x37f); fxtract(env, new F80().set(0, 0, 1), s, e);
    expect([hex(s), toNumber(e), env.flags]).toEqual(['3fff:8000000000000000', -16445, DE]);
    env.begin(0x37f); fxtract(env, n(-0), s, e);
    expect([toNumber(e), Object.is(toNumber(s), -0), env.flags]).toEqual([-Infinity, true, ZE]);
  });
});

describe('FPREM / FPREM1', () => {
  for (const ieee of [false, true]) {
    it(`${ieee ? 'FPREM1' : 'FPREM'}: exact remainder and quotient bits for 4000 pairs (exponent difference < 64)`, () => {
      const r = rng(ieee ? 8 : 7), a = new F80(), b = new F80(), out = new F80();
      for (let i = 0; i < 4000; i++) {
        const eb = genFinite(r);
        const ea = genFinite(r, (eb.se & 0x7fff) + 30);
        const da = (ea.se & 0x7fff) || 1, db = (eb.se & 0x7fff) || 1;
        if (da - db >= 60 || (ea.se & 0x7fff) === 0 || (eb.se & 0x7fff) === 0) continue;
        a.set(ea.se, ea.hi, ea.lo); b.set(eb.se, eb.hi, eb.lo);
        env.begin(0x37f);
        expect(fprem(env, a, b, out, ieee)).toBe(true);
        expect(remPartial).toBe(0);
        const ra = toRat(ea), rb = toRat(eb);
        const q = roundToInteger({ sign: ra.sign ^ rb.sign, num: ra.num * rb.den, den: ra.den * rb.num }, ieee ? 0 : 3);
        const rem = ratAdd(ra, ratNeg(ratMul({ sign: q.v < 0n ? 1 : 0, num: q.v < 0n ? -q.v : q.v, den: 1n }, rb)));
        // The remainder is exactly representable; its sign is the dividend's when zero.
        const got = toRat({ se: out.se, hi: out.hi, lo: out.lo });
        expect(ratCmp(got, rem), `${hex(ea)} ${hex(eb)}`).toBe(0);
        if (rem.num === 0n) expect(out.se >> 15).toBe(ea.se >> 15);
        const qa = q.v < 0n ? -q.v : q.v;
        expect(remQuotient).toBe(Number(qa & 7n));
        expect(env.flags & ~UE).toBe(0);
      }
    });
  }

  it('a large exponent difference gives a partial remainder (C2 = 1) that converges', () => {
    const a = n(1e300), b = n(3), out = new F80();
    let rounds = 0;
    do {
      env.begin(0x37f);
      fprem(env, a, b, out, false);
      a.copy(out);
      rounds++;
    } while (remPartial && rounds < 100);
    expect(rounds).toBeGreaterThan(1);
    // 1e300 mod 3, exactly: the double 1e300 is an integer.
    const exact = BigInt(1e300) % 3n;
    expect(toNumber(a)).toBe(Number(exact));
  });

  it('invalid: infinite dividend or zero divisor', () => {
    const out = new F80();
    env.begin(0x37f); fprem(env, n(Infinity), n(2), out, false); expect(env.flags).toBe(IE);
    env.begin(0x37f); fprem(env, n(5), n(0), out, true); expect(hex(out)).toBe('ffff:c000000000000000');
    env.begin(0x37f); fprem(env, n(5), n(Infinity), out, true); expect(toNumber(out)).toBe(5);
  });
});
