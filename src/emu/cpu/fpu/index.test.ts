import { describe, expect, it } from 'vitest';
import {
  F80, FSW_C0, FSW_C3, FpuState, K_PI, IE, SF, compareCC, fadd, fcompare, fdiv, fromInt32, loadConstant, toInt, conv,
} from './index.ts';

/** Drive the module the way an instruction handler would (see the notes in index.ts). */
describe('an x87 instruction sequence through the public API', () => {
  it('FLDPI; FILD 2; FDIVP; FLD ST0; FADDP; FISTP -> 3 (pi/2 + pi/2 rounded), then FCOM on an empty stack', () => {
    const fpu = new FpuState(), a = new F80(), b = new F80(), r = new F80(), tmp = new F80();
    const push = (v: F80): void => { fpu.begin(); if (!fpu.pushOverflow(tmp)) fpu.push(v); fpu.finish(); };
    push(loadConstant(K_PI, 0, r));
    push(fromInt32(2, new F80()));
    // FDIVP ST(1), ST(0): ST(1) = ST(1) / ST(0), pop
    let env = fpu.begin();
    if (fdiv(env, fpu.read(1, a), fpu.read(0, b), r)) fpu.write(1, r);
    fpu.pop(); fpu.finish();
    push(fpu.read(0, a));
    env = fpu.begin();
    if (fadd(env, fpu.read(1, a), fpu.read(0, b), r)) fpu.write(1, r);
    fpu.pop(); fpu.finish();
    env = fpu.begin();
    expect(toInt(env, fpu.read(0, a), 32, false)).toBe(true);
    fpu.pop(); fpu.finish();
    expect(conv[0]).toBe(3);
    expect(fpu.top).toBe(0);
    expect(fpu.fullTagWord()).toBe(0xffff);
    // FCOM with ST(0) empty: stack underflow, masked: C3 C2 C0 = 111
    env = fpu.begin();
    if (fpu.isEmpty(0) || fpu.isEmpty(1)) { fpu.underflow(-1, tmp); fpu.finish(); fpu.setCC(1, 0, 1, 1); } else {
      const cc = compareCC(fcompare(env, fpu.read(0, a), fpu.read(1, b), false));
      fpu.finish(); fpu.setCC(cc & 1, 0, (cc >> 1) & 1, cc >> 2);
    }
    expect(fpu.fsw & (IE | SF | FSW_C0 | FSW_C3)).toBe(IE | SF | FSW_C0 | FSW_C3);
  });
});
