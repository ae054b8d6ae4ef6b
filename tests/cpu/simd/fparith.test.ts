/**
 * SSE floating point against the SDM: rounding control, precision/overflow/
 * underflow/denormal/zero-divide/invalid flags, masked responses and #XM/#UD,
 * NaN propagation (Table 4-7), DAZ/FTZ, MIN/MAX, compares, COMISS/UCOMISS.
 */
import { describe, expect, it } from 'vitest';
import { CR4 } from '../../../src/emu/cpu/state/layout.ts';
import { OSXMMEXCPT, mxcsr, setXmm, simdMachine, xmm, xmmDwords } from './simdMachine.ts';

const MASKS = 0x1f80;
const RC = (rc: number): number => MASKS | (rc << 13);
const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20;
const f32 = (v: number): number => { const b = new Float32Array([v]); return new Uint32Array(b.buffer)[0]; };

/** Runs `insn` with xmm0/xmm1 preset (low dword first) and returns the machine. */
function run(insn: string, x0: number[], x1: number[], mx = MASKS) {
  const m = simdMachine(`${insn}\nhlt`, { mxcsr: mx });
  setXmm(m, 0, x0); setXmm(m, 1, x1);
  m.run(100);
  return m;
}

describe('SSE arithmetic: rounding and flags', () => {
  it('DIVSS 1/3 rounds per MXCSR.RC and sets PE', () => {
    const one = f32(1), three = f32(3);
    const near = run('divss xmm0, xmm1', [one], [three], RC(0));
    const down = run('divss xmm0, xmm1', [one], [three], RC(1));
    const up = run('divss xmm0, xmm1', [one], [three], RC(2));
    const zero = run('divss xmm0, xmm1', [one], [three], RC(3));
    expect(xmmDwords(near, 0)[0]).toBe(0x3eaaaaab);
    expect(xmmDwords(down, 0)[0]).toBe(0x3eaaaaaa);
    expect(xmmDwords(up, 0)[0]).toBe(0x3eaaaaab);
    expect(xmmDwords(zero, 0)[0]).toBe(0x3eaaaaaa);
    expect(mxcsr(near) & 0x3f).toBe(PE);
  });

  it('DIVSD -1/3 rounds toward -inf and +inf on the right side', () => {
    const m1 = [0, 0xbff00000], three = [0, 0x40080000];
    const down = run('divsd xmm0, xmm1', m1, three, RC(1));
    const up = run('divsd xmm0, xmm1', m1, three, RC(2));
    expect(xmm(down, 0).slice(16)).toBe('bfd5555555555556');
    expect(xmm(up, 0).slice(16)).toBe('bfd5555555555555');
  });

  it('ADDSS of exact values sets no flags; the upper elements of the destination are kept', () => {
    const m = run('addss xmm0, xmm1', [f32(1.5), 7, 8, 9], [f32(2.25), 1, 2, 3]);
    expect(xmmDwords(m, 0)).toEqual([f32(3.75), 7, 8, 9]);
    expect(mxcsr(m) & 0x3f).toBe(0);
  });

  it('x + (-x) is +0, except -0 when rounding down', () => {
    expect(xmmDwords(run('addss xmm0, xmm1', [f32(5)], [f32(-5)]), 0)[0]).toBe(0);
    expect(xmmDwords(run('addss xmm0, xmm1', [f32(5)], [f32(-5)], RC(1)), 0)[0]).toBe(0x80000000);
  });

  it('overflow: masked gives infinity (nearest) or the largest finite (toward zero) with OE|PE', () => {
    const max = 0x7f7fffff;
    const n = run('mulss xmm0, xmm1', [max], [f32(2)]);
    expect(xmmDwords(n, 0)[0]).toBe(0x7f800000);
    expect(mxcsr(n) & 0x3f).toBe(OE | PE);
    const z = run('mulss xmm0, xmm1', [max], [f32(2)], RC(3));
    expect(xmmDwords(z, 0)[0]).toBe(max);
    const d = run('mulsd xmm0, xmm1', [0xffffffff, 0x7fefffff], [0, 0x40000000], RC(1));
    expect(xmm(d, 0).slice(16)).toBe('7fefffffffffffff');
    expect(mxcsr(d) & 0x3f).toBe(OE | PE);
  });

  it('underflow: a tiny inexact result is denormal with UE|PE; FTZ flushes it to zero', () => {
    const tiny = f32(1.5 * 2 ** -126);
    const r = run('mulss xmm0, xmm1', [tiny], [f32(1 / 3)]);
    expect(xmmDwords(r, 0)[0]).toBe(f32(Math.fround(1.5 * 2 ** -126 * Math.fround(1 / 3))));
    expect(mxcsr(r) & 0x3f).toBe(UE | PE);
    const ftz = run('mulss xmm0, xmm1', [tiny], [f32(1 / 3)], MASKS | 0x8000);
    expect(xmmDwords(ftz, 0)[0]).toBe(0);
    expect(mxcsr(ftz) & 0x3f).toBe(UE | PE);
    // Exact tiny result with UE masked: no flags.
    const exact = run('mulss xmm0, xmm1', [f32(2 ** -125)], [f32(0.25)]);
    expect(xmmDwords(exact, 0)[0]).toBe(f32(2 ** -127));
    expect(mxcsr(exact) & 0x3f).toBe(0);
    // Same with the double path (BigInt slow path).
    const d = run('mulsd xmm0, xmm1', [0, 0x00180000], [0x55555555, 0x3fd55555]);
    expect(mxcsr(d) & 0x3f).toBe(UE | PE);
  });

  it('denormal operands set DE; DAZ treats them as zero without DE', () => {
    const den = 0x00000001;
    const m = run('addss xmm0, xmm1', [den], [f32(1)]);
    expect(mxcsr(m) & 0x3f).toBe(DE | PE);
    const daz = run('addss xmm0, xmm1', [den], [f32(1)], MASKS | 0x40);
    expect(xmmDwords(daz, 0)[0]).toBe(f32(1));
    expect(mxcsr(daz) & 0x3f).toBe(0);
  });

  it('division by zero sets ZE (masked: signed infinity); 0/0 is the real indefinite with IE', () => {
    const z = run('divps xmm0, xmm1', [f32(1), f32(-2), 0, f32(1)], [0, 0, 0, f32(1)]);
    expect(xmmDwords(z, 0)).toEqual([0x7f800000, 0xff800000, 0xffc00000, f32(1)]);
    expect(mxcsr(z) & 0x3f).toBe(ZE | IE);
    const s = run('sqrtsd xmm0, xmm1', [0, 0], [0, 0xbff00000]);
    expect(xmm(s, 0).slice(16)).toBe('fff8000000000000');
  });

  it('unmasked exceptions raise #XM (CR4.OSXMMEXCPT=1) or #UD, leave the destination unchanged, set the flag', () => {
    const m = run('divss xmm0, xmm1', [f32(1)], [0], MASKS & ~(ZE << 7));
    expect(m.exception).toBe(19);
    expect(xmmDwords(m, 0)[0]).toBe(f32(1));
    expect(mxcsr(m) & 0x3f).toBe(ZE);
    const u = simdMachine('divss xmm0, xmm1\nhlt', { mxcsr: MASKS & ~(ZE << 7) });
    u.cpu.s[CR4] &= ~OSXMMEXCPT;
    setXmm(u, 0, [f32(1)]); setXmm(u, 1, [0]);
    u.run(10);
    expect(u.exception).toBe(6);
    // Unmasked precision: #XM, result not written.
    const p = run('addps xmm0, xmm1', [f32(1), f32(1), f32(1), f32(1)], [f32(1), f32(1), f32(1), f32(2 ** -30)], MASKS & ~(PE << 7));
    expect(p.exception).toBe(19);
    expect(xmmDwords(p, 0)[0]).toBe(f32(1));
  });
});

describe('NaN propagation (SDM Vol. 1 Table 4-7, SSE column)', () => {
  const QA = 0x7fc00001, QB = 0x7fc00002, SA = 0x7f800001, SB = 0xff800002;
  it('the first source NaN wins; an SNaN is quieted and sets IE', () => {
    expect(xmmDwords(run('addss xmm0, xmm1', [QA], [QB]), 0)[0]).toBe(QA);
    expect(xmmDwords(run('addss xmm0, xmm1', [f32(1)], [QB]), 0)[0]).toBe(QB);
    const s = run('mulss xmm0, xmm1', [SA], [QB]);
    expect(xmmDwords(s, 0)[0]).toBe(0x7fc00001);
    expect(mxcsr(s) & IE).toBe(IE);
    const s2 = run('subss xmm0, xmm1', [f32(3)], [SB]);
    expect(xmmDwords(s2, 0)[0]).toBe(0xffc00002);
    const q = run('addss xmm0, xmm1', [QA], [f32(1)]);
    expect(mxcsr(q) & IE).toBe(0);
  });

  it('float64 NaNs keep their payload; invalid operations give the real indefinite', () => {
    const m = run('addsd xmm0, xmm1', [0x12345678, 0x7ff00000], [0, 0x3ff00000]);
    expect(xmm(m, 0).slice(16)).toBe('7ff8000012345678');
    const inf = run('subsd xmm0, xmm1', [0, 0x7ff00000], [0, 0x7ff00000]);
    expect(xmm(inf, 0).slice(16)).toBe('fff8000000000000');
    expect(mxcsr(inf) & IE).toBe(IE);
  });

  it('MINPS/MAXPS return the second source for NaNs (with IE, even for QNaN) and for equal zeros', () => {
    const m = run('minps xmm0, xmm1', [QA, f32(1), 0x80000000, f32(-3)], [f32(2), QB, 0, f32(4)]);
    expect(xmmDwords(m, 0)).toEqual([f32(2), QB, 0, f32(-3)]);
    expect(mxcsr(m) & IE).toBe(IE);
    const x = run('maxps xmm0, xmm1', [0, 0, 0, 0], [0x80000000, 0, 0, 0]);
    expect(xmmDwords(x, 0)[0]).toBe(0x80000000);
  });
});

describe('compares', () => {
  it('CMPPS predicates 0-7 give all-ones masks; LT signals on QNaN, EQ does not', () => {
    const Q = 0x7fc00000;
    const a = [f32(1), f32(2), Q, f32(3)], b = [f32(2), f32(2), f32(1), f32(3)];
    const want = [
      [0, -1, 0, -1], [-1, 0, 0, 0], [-1, -1, 0, -1], [0, 0, -1, 0],
      [-1, 0, -1, 0], [0, -1, -1, -1], [0, 0, -1, 0], [-1, -1, 0, -1],
    ];
    for (let p = 0; p < 8; p++) {
      const m = run(`cmpps xmm0, xmm1, ${p}`, a, b);
      expect(xmmDwords(m, 0).map((v) => v | 0), `predicate ${p}`).toEqual(want[p]);
      expect(mxcsr(m) & IE, `predicate ${p} IE`).toBe([1, 2, 5, 6].includes(p) ? IE : 0);
    }
  });

  it('COMISS/UCOMISS set ZF,PF,CF and clear OF,SF,AF; only COMISS signals on QNaN', () => {
    const flags = (insn: string, a: number, b: number) => {
      const m = run(`${insn} xmm0, xmm1`, [a], [b]);
      return [m.flags & 0x8d5, mxcsr(m) & IE];
    };
    expect(flags('comiss', f32(1), f32(2))).toEqual([0x001, 0]);
    expect(flags('comiss', f32(2), f32(1))).toEqual([0x000, 0]);
    expect(flags('comiss', f32(2), f32(2))).toEqual([0x040, 0]);
    expect(flags('ucomiss', 0x7fc00000, f32(2))).toEqual([0x045, 0]);
    expect(flags('comiss', 0x7fc00000, f32(2))).toEqual([0x045, IE]);
    expect(flags('ucomiss', 0x7f800001, f32(2))).toEqual([0x045, IE]);
  });
});
