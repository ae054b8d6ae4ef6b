import { describe, expect, it } from 'vitest';
import {
  bcd, conv, fromBcd, fromF32, fromF64, fromInt32, fromInt64, fromNumber, toBcd, toF32, toF64, toInt, toNumber,
} from './convert.ts';
import { DE, F80, FpEnv, IE, OE, PE, UE } from './float80.ts';
import { type Enc, ratToNumber, roundRat, roundToInteger, toRat } from './oracle.ts';
import { genFinite, rng } from './testGen.ts';

const env = new FpEnv();
const f32 = new Float32Array(1), f32w = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), f64w = new Uint32Array(f64.buffer);
const hex = (x: F80): string => `${x.se.toString(16)}:${x.hi.toString(16).padStart(8, '0')}${x.lo.toString(16).padStart(8, '0')}`;

function randomDouble(r: () => number): number {
  f64w[0] = r(); f64w[1] = r();
  return f64[0]!;
}

describe('float32/float64 loads', () => {
  it('FLD m64fp is exact for 5000 random doubles (incl. denormals); DE on denormals', () => {
    const r = rng(11), x = new F80();
    for (let i = 0; i < 5000; i++) {
      const v = i % 5 === 0 ? randomDouble(r) * 2 ** -1060 : randomDouble(r);
      if (Number.isNaN(v)) continue;
      f64[0] = v;
      env.begin(0x37f);
      expect(fromF64(env, f64w[0]!, f64w[1]!, x)).toBe(true);
      expect(toNumber(x)).toBe(v);
      const den = v !== 0 && Math.abs(v) < 2 ** -1022;
      expect(env.flags).toBe(den ? DE : 0);
    }
  });

  it('FLD m32fp: exact, SNaN quieted with IE, denormal DE, unmasked DE aborts', () => {
    const x = new F80();
    for (const v of [1.5, -3.25e-40, 3.4028234663852886e38, 1e-45]) {
      f32[0] = v; env.begin(0x37f);
      fromF32(env, f32w[0]!, x);
      expect(toNumber(x)).toBe(f32[0]);
    }
    env.begin(0x37f);
    expect(fromF32(env, 0x7f800001, x)).toBe(true);
    expect(hex(x)).toBe('7fff:c000010000000000');
    expect(env.flags).toBe(IE);
    env.begin(0x37d);
    expect(fromF32(env, 0x00000001, x)).toBe(false);
    env.begin(0x37f);
    fromF32(env, 0xff800000, x);
    expect(hex(x)).toBe('ffff:8000000000000000');
  });
});

describe('float32/float64 stores against the oracle', () => {
  for (const [name, prec, emin, emax, store] of [
    ['f64', 53, -1022, 1023, toF64], ['f32', 24, -126, 127, toF32],
  ] as const) {
    it(`FST m${name === 'f64' ? 64 : 32}fp: 3000 values x 4 rounding modes (range edges, denormals)`, () => {
      const r = rng(name === 'f64' ? 21 : 22), x = new F80();
      let seen = 0;
      for (let i = 0; i < 3000; i++) {
        const e: Enc = genFinite(r, 16383 + (r() & 1 ? emax : emin) + (r() % 120) - 60);
        for (let rc = 0; rc < 4; rc++) {
          env.begin(0x037f | (rc << 10));
          x.set(e.se, e.hi, e.lo);
          expect(store(env, x)).toBe(true);
          const want = roundRat(toRat(e), prec, rc, false, emin, emax);
          const wantV = (want.enc.se & 0x7fff) === 0x7fff ? ((want.enc.se >> 15) ? -Infinity : Infinity) : ratToNumber(toRat(want.enc));
          if (name === 'f64') { f64w[0] = conv[0]!; f64w[1] = conv[1]!; } else f32w[0] = conv[0]!;
          const got = name === 'f64' ? f64[0]! : f32[0]!;
          const what = `${hex(x)} rc=${rc}`;
          expect(Object.is(got, wantV) || (got === 0 && wantV === 0), what).toBe(true);
          expect(env.flags & (PE | UE | OE), what).toBe((want.pe ? PE : 0) | (want.ue ? UE : 0) | (want.oe ? OE : 0));
          expect(env.c1, what).toBe(want.c1 ? 1 : 0);
          seen |= env.flags;
        }
      }
      expect(seen & (PE | UE | OE)).toBe(PE | UE | OE);
    });
  }

  it('NaNs keep their top payload bits; SNaN raises IE; unsupported gives the indefinite', () => {
    const x = new F80().set(0x7fff, 0x80000001, 0x2345); // SNaN
    env.begin(0x37f);
    expect(toF64(env, x)).toBe(true);
    expect([conv[1]!.toString(16), conv[0]!.toString(16), env.flags]).toEqual(['7ff80000', '200004', IE]);
    env.begin(0x37f);
    toF32(env, x.set(0x3fff, 0x40000000, 0));          // unnormal
    expect([conv[0]!.toString(16), env.flags]).toEqual(['ffc00000', IE]);
    env.begin(0x37e);
    expect(toF32(env, x.set(0x7fff, 0x80000001, 0))).toBe(false);
  });

  it('unmasked overflow/underflow on a memory store writes nothing', () => {
    const x = fromNumber(1e300, new F80());
    env.begin(0x377);
    expect(toF32(env, x)).toBe(false);
    expect(env.flags & OE).toBe(OE);
    env.begin(0x36f);
    expect(toF32(env, fromNumber(1e-40, x))).toBe(false);
    expect(env.flags & UE).toBe(UE);
  });
});

describe('integers', () => {
  it('FILD is exact for 16/32/64-bit values', () => {
    const x = new F80();
    for (const v of [0, 1, -1, 32767, -32768, 0x7fffffff, -0x80000000]) {
      fromInt32(v, x);
      expect(toNumber(x)).toBe(v);
    }
    fromInt64(0, 0x80000000, x);
    expect(hex(x)).toBe('c03e:8000000000000000');
    fromInt64(0xffffffff, 0x7fffffff, x);
    expect(hex(x)).toBe('403d:fffffffffffffffe');
    fromInt64(0xfffffffe, 0xffffffff, x);
    expect(toNumber(x)).toBe(-2);
  });

  it('FIST/FISTTP: 4000 values x rounding modes x sizes against the oracle', () => {
    const r = rng(33), x = new F80();
    for (let i = 0; i < 4000; i++) {
      const e = genFinite(r, 16383 + (r() % 70) - 4);
      const q = toRat(e);
      for (const bits of [16, 32, 64]) {
        for (let rc = 0; rc < 5; rc++) {
          const trunc = rc === 4;
          env.begin(0x037f | ((trunc ? 0 : rc) << 10));
          x.set(e.se, e.hi, e.lo);
          expect(toInt(env, x, bits, trunc)).toBe(true);
          const want = roundToInteger(q, trunc ? 3 : rc);
          const lim = 1n << BigInt(bits - 1);
          const inRange = want.v >= -lim && want.v < lim;
          const got = bits === 64 ? BigInt.asIntN(64, (BigInt(conv[1]!) << 32n) | BigInt(conv[0]!))
            : BigInt.asIntN(bits, BigInt(conv[0]!));
          const what = `${hex(x)} bits=${bits} rc=${rc}`;
          if (inRange) {
            expect(got, what).toBe(want.v);
            expect(env.flags, what).toBe(want.inexact ? PE : 0);
            expect(env.c1, what).toBe(want.up ? 1 : 0);
          } else {
            expect(got, what).toBe(-lim);        // integer indefinite
            expect(env.flags, what).toBe(IE);
          }
        }
      }
    }
  });

  it('FIST of NaN or infinity: IE and the integer indefinite; unmasked stores nothing', () => {
    const x = new F80().set(0x7fff, 0x80000000, 0);
    env.begin(0x37f);
    expect(toInt(env, x, 16, false)).toBe(true);
    expect(conv[0]).toBe(0x8000);
    env.begin(0x37e);
    expect(toInt(env, x, 32, false)).toBe(false);
  });
});

describe('packed BCD', () => {
  const bytes = (s: string): Uint8Array => new Uint8Array(s.split(' ').map((h) => parseInt(h, 16)));

  it('FBLD: -1234 and the largest 18-digit value', () => {
    const x = new F80();
    fromBcd(bytes('34 12 00 00 00 00 00 00 00 80'), 0, x);
    expect(toNumber(x)).toBe(-1234);
    fromBcd(bytes('99 99 99 99 99 99 99 99 99 00'), 0, x);
    expect(hex(x)).toBe(hex(fromNumber(0, new F80()).set(0x403a, 0xde0b6b3a, 0x763ffff0)));
  });

  it('FBSTP rounds by RC and round-trips 2000 random integers', () => {
    const r = rng(44), x = new F80(), y = new F80();
    for (let i = 0; i < 2000; i++) {
      const e = genFinite(r, 16383 + (r() % 62));
      x.set(e.se, e.hi, e.lo);
      const want = roundToInteger(toRat(e), 0);
      env.begin(0x37f);
      expect(toBcd(env, x)).toBe(true);
      const abs = want.v < 0n ? -want.v : want.v;
      if (abs >= 10n ** 18n) { expect(Array.from(bcd.subarray(7))).toEqual([0xc0, 0xff, 0xff]); expect(env.flags).toBe(IE); continue; }
      const digits = Array.from(bcd.subarray(0, 9)).reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
      expect(BigInt(digits), hex(x)).toBe(abs);
      expect(bcd[9]).toBe((e.se >> 15) << 7);
      fromBcd(bcd, 0, y);
      expect(toNumber(y)).toBe(Number(want.v) || (e.se >> 15 ? -0 : 0));
    }
  });

  it('FBSTP of 2.5 rounds to 2 (nearest-even) or 3 (up), and NaN gives the BCD indefinite', () => {
    const x = fromNumber(2.5, new F80());
    env.begin(0x37f); toBcd(env, x);
    expect([bcd[0], env.flags, env.c1]).toEqual([2, PE, 0]);
    env.begin(0xb7f); toBcd(env, x);
    expect([bcd[0], env.flags, env.c1]).toEqual([3, PE, 1]);
    env.begin(0x37f);
    toBcd(env, x.set(0x7fff, 0xc0000000, 0));
    expect(Array.from(bcd)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
  });
});
