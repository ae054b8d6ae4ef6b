import { describe, expect, it } from 'vitest';
import { fadd, fdiv, fmul, fsqrt, fsub } from './arith.ts';
import { DE, F80, FpEnv, IE, OE, PE, UE, ZE } from './float80.ts';
import {
  type Enc, type Rounded, ratAdd, ratDiv, ratMul, ratNeg, roundRat, sqrtRounded, toRat,
} from './oracle.ts';
import { genFinite, rng } from './testGen.ts';

const hex = (e: Enc): string =>
  `${(e.se & 0xffff).toString(16).padStart(4, '0')}:${(e.hi >>> 0).toString(16).padStart(8, '0')}${(e.lo >>> 0).toString(16).padStart(8, '0')}`;

const PCS: [number, number][] = [[0x000, 24], [0x200, 53], [0x300, 64]];
const fcwFor = (pcBits: number, rc: number, masks = 0x3f): number => pcBits | (rc << 10) | masks;

function expectRounded(env: FpEnv, out: F80, want: Rounded, what: string): void {
  const got = `${hex(out)} PE=${+!!(env.flags & PE)} UE=${+!!(env.flags & UE)} OE=${+!!(env.flags & OE)} C1=${env.c1}`;
  const exp = `${hex(want.enc)} PE=${+want.pe} UE=${+want.ue} OE=${+want.oe} C1=${+want.c1}`;
  if (got !== exp) expect(got, what).toBe(exp);
}

type Bin = (env: FpEnv, a: F80, b: F80, out: F80) => boolean;
const OPS: [string, Bin, (a: Enc, b: Enc) => ReturnType<typeof toRat>][] = [
  ['add', fadd, (a, b) => ratAdd(toRat(a), toRat(b))],
  ['sub', fsub, (a, b) => ratAdd(toRat(a), ratNeg(toRat(b)))],
  ['mul', fmul, (a, b) => ratMul(toRat(a), toRat(b))],
  ['div', fdiv, (a, b) => ratDiv(toRat(a), toRat(b))],
];

/** An exponent for the second operand that puts the result somewhere interesting. */
function nearFor(name: string, ea: number, pick: number): number {
  if (name === 'add' || name === 'sub') return ea;
  const where = pick % 3;   // 0: result near 1, 1: near the top of the range, 2: near the bottom
  if (name === 'mul') return where === 0 ? 2 * 16383 - ea : where === 1 ? 0x7ffe + 16383 - ea : 16383 - ea;
  return where === 0 ? ea : where === 1 ? ea + 16383 - 0x7ffe : ea + 16383;
}

describe('basic arithmetic against the BigInt oracle', () => {
  for (const [name, op, exact] of OPS) {
    it(`${name}: 3000 random operand pairs x 4 rounding modes x 3 precisions`, () => {
      const r = rng(0x5eed + name.charCodeAt(0));
      const env = new FpEnv(), a = new F80(), b = new F80(), out = new F80();
      let eb: Enc, seen = 0, denormalResults = 0;
      for (let i = 0; i < 3000; i++) {
        const ea = genFinite(r);
        eb = genFinite(r, nearFor(name, ea.se & 0x7fff, r()));
        const q = exact(ea, eb);
        for (const [pcBits, prec] of PCS) {
          for (let rc = 0; rc < 4; rc++) {
            env.begin(fcwFor(pcBits, rc));
            a.set(ea.se, ea.hi, ea.lo); b.set(eb.se, eb.hi, eb.lo);
            expect(op(env, a, b, out)).toBe(true);
            const want = q.num === 0n
              ? { enc: { se: (rc === 1 ? 1 : 0) << 15, hi: 0, lo: 0 }, pe: false, ue: false, oe: false, c1: false }
              : roundRat(q, prec, rc);
            expectRounded(env, out, want, `${name} ${hex(ea)} ${hex(eb)} pc=${prec} rc=${rc}`);
            seen |= env.flags;
            if ((out.se & 0x7fff) === 0 && (out.hi | out.lo) !== 0) denormalResults++;
          }
        }
      }
      // The mix must reach the interesting paths, or the comparison proves little.
      expect(seen & (PE | UE), name).toBe(PE | UE);
      if (name !== 'add' && name !== 'sub') expect(seen & OE, name).toBe(OE);
      expect(denormalResults, name).toBeGreaterThan(100);
    });
  }

  it('sqrt: 4000 random operands x 4 rounding modes x 3 precisions', () => {
    const r = rng(0xabc);
    const env = new FpEnv(), a = new F80(), out = new F80();
    for (let i = 0; i < 4000; i++) {
      const ea = genFinite(r);
      ea.se &= 0x7fff;
      for (const [pcBits, prec] of PCS) {
        for (let rc = 0; rc < 4; rc++) {
          env.begin(fcwFor(pcBits, rc));
          a.set(ea.se, ea.hi, ea.lo);
          expect(fsqrt(env, a, out)).toBe(true);
          expectRounded(env, out, sqrtRounded(ea, prec, rc), `sqrt ${hex(ea)} pc=${prec} rc=${rc}`);
        }
      }
    }
  });

  it('unmasked OE/UE wrap the exponent by 24576 on a register destination', () => {
    const r = rng(77);
    const env = new FpEnv(), a = new F80(), b = new F80(), out = new F80();
    let hits = 0;
    for (let i = 0; i < 2000; i++) {
      const ea = genFinite(r);
      const eb = genFinite(r, (r() & 1) ? 0x7ffe * 2 - 16383 - (ea.se & 0x7fff) : 16383 - (ea.se & 0x7fff));
      const q = ratMul(toRat(ea), toRat(eb));
      const want = roundRat(q, 64, 0, true);
      if (!want.oe && !want.ue) continue;
      hits++;
      env.begin(0x0300 | 0x27);  // OE, UE unmasked
      a.set(ea.se, ea.hi, ea.lo); b.set(eb.se, eb.hi, eb.lo);
      expect(fmul(env, a, b, out)).toBe(true);
      expectRounded(env, out, want, `mul ${hex(ea)} ${hex(eb)}`);
    }
    expect(hits).toBeGreaterThan(100);
  });
});

describe('special operands (SDM Vol. 2 FADD/FMUL/FDIV/FSQRT tables)', () => {
  const env = new FpEnv();
  const v = (se: number, hi: number, lo: number): F80 => new F80().set(se, hi, lo);
  const ONE = v(0x3fff, 0x80000000, 0), INF = v(0x7fff, 0x80000000, 0), NINF = v(0xffff, 0x80000000, 0);
  const ZERO = v(0, 0, 0), NZERO = v(0x8000, 0, 0);
  const QNAN = v(0x7fff, 0xc0000000, 5), SNAN = v(0x7fff, 0x80000000, 7);
  const DEN = v(0, 0x00000001, 0), UNNORMAL = v(0x3fff, 0x40000000, 0);
  const out = new F80();
  const run = (f: () => boolean, fcw = 0x37f): { ok: boolean; r: string; flags: number } => {
    env.begin(fcw); out.set(0x1234, 0x5678, 0x9abc);
    const ok = f();
    return { ok, r: hex(out), flags: env.flags };
  };

  it('invalid operations give the QNaN indefinite and IE', () => {
    for (const f of [() => fadd(env, INF, NINF, out), () => fsub(env, INF, INF, out), () => fmul(env, ZERO, INF, out),
      () => fdiv(env, ZERO, NZERO, out), () => fdiv(env, INF, NINF, out), () => fsqrt(env, v(0xbfff, 0x80000000, 0), out),
      () => fsqrt(env, NINF, out), () => fadd(env, UNNORMAL, ONE, out), () => fmul(env, v(0x7fff, 0, 1), ONE, out)]) {
      expect(run(f)).toEqual({ ok: true, r: 'ffff:c000000000000000', flags: IE });
    }
  });

  it('unmasked IE leaves the destination alone', () => {
    expect(run(() => fadd(env, INF, NINF, out), 0x37e)).toEqual({ ok: false, r: '1234:0000567800009abc', flags: IE });
    expect(run(() => fadd(env, SNAN, ONE, out), 0x37e).ok).toBe(false);
  });

  it('NaN propagation: SNaN quieted with IE, QNaN beats SNaN, larger significand wins', () => {
    expect(run(() => fadd(env, SNAN, ONE, out))).toEqual({ ok: true, r: '7fff:c000000000000007', flags: IE });
    expect(run(() => fmul(env, SNAN, QNAN, out))).toEqual({ ok: true, r: '7fff:c000000000000005', flags: IE });
    expect(run(() => fdiv(env, ONE, QNAN, out))).toEqual({ ok: true, r: '7fff:c000000000000005', flags: 0 });
    const q2 = v(0xffff, 0xc0000000, 9);
    expect(run(() => fsub(env, QNAN, q2, out)).r).toBe('ffff:c000000000000009');
    const q3 = v(0xffff, 0xc0000000, 5);
    expect(run(() => fsub(env, q3, QNAN, out)).r).toBe('7fff:c000000000000005');
  });

  it('divide by zero gives a signed infinity and ZE; unmasked ZE stores nothing', () => {
    expect(run(() => fdiv(env, v(0xbfff, 0x80000000, 0), ZERO, out))).toEqual({ ok: true, r: 'ffff:8000000000000000', flags: ZE });
    expect(run(() => fdiv(env, ONE, NZERO, out, ), 0x37b).ok).toBe(false);
  });

  it('denormal operands raise DE; unmasked DE aborts before computing', () => {
    expect(run(() => fadd(env, DEN, ZERO, out))).toEqual({ ok: true, r: '0000:0000000100000000', flags: DE });
    expect(run(() => fmul(env, DEN, ONE, out), 0x37d).ok).toBe(false);
    // Pseudo-denormal: exponent 0 with J set is read as 2^-16382 and renormalized.
    expect(run(() => fadd(env, v(0, 0x80000000, 0), ZERO, out))).toEqual({ ok: true, r: '0001:8000000000000000', flags: DE });
  });

  it('signed zero results: x - x is +0, or -0 when rounding down; -0 + -0 is -0; sqrt(-0) is -0', () => {
    expect(run(() => fsub(env, ONE, ONE, out)).r).toBe('0000:0000000000000000');
    expect(run(() => fsub(env, ONE, ONE, out), 0x77f).r).toBe('8000:0000000000000000');
    expect(run(() => fadd(env, NZERO, NZERO, out)).r).toBe('8000:0000000000000000');
    expect(run(() => fsqrt(env, NZERO, out)).r).toBe('8000:0000000000000000');
  });

  it('masked overflow: infinity or the largest finite value by rounding mode, with C1', () => {
    const big = v(0x7ffe, 0xffffffff, 0xffffffff), two = v(0x4000, 0x80000000, 0);
    const go = (fcw: number): string => { const x = run(() => fmul(env, big, two, out), fcw); return `${x.r} ${x.flags} ${env.c1}`; };
    expect(go(0x037f)).toBe(`7fff:8000000000000000 ${OE | PE} 1`);
    expect(go(0x0f7f)).toBe(`7ffe:ffffffffffffffff ${OE | PE} 0`);
    expect(go(0x0c7f)).toBe(`7ffe:ffffff0000000000 ${OE | PE} 0`); // PC=24 keeps the extended exponent range
  });

  it('precision control rounds the significand only: 1/3 at 24, 53 and 64 bits', () => {
    const three = v(0x4000, 0xc0000000, 0);
    expect(run(() => fdiv(env, ONE, three, out), 0x007f).r).toBe('3ffd:aaaaab0000000000');
    expect(run(() => fdiv(env, ONE, three, out), 0x027f).r).toBe('3ffd:aaaaaaaaaaaaa800');
    expect(run(() => fdiv(env, ONE, three, out), 0x037f).r).toBe('3ffd:aaaaaaaaaaaaaaab');
    expect(env.c1).toBe(1);
    expect(run(() => fdiv(env, ONE, three, out), 0x0f7f).r).toBe('3ffd:aaaaaaaaaaaaaaaa');
    expect(env.c1).toBe(0);
  });
});
