import { describe, expect, it } from 'vitest';
import { F80, IE, PE, SF } from './float80.ts';
import {
  ENV16_BYTES, ENV32_BYTES, SAVE32_BYTES, afterFnsave, afterFnstenv, loadEnv, loadFxsave, loadSave, storeEnv,
  storeFxsave, storeSave,
} from './image.ts';
import { FSW_B, FSW_C1, FSW_ES, FpuState, TAG_EMPTY, TAG_SPECIAL, TAG_VALID, TAG_ZERO, W_FTW } from './state.ts';

const ONE = new F80().set(0x3fff, 0x80000000, 0);
const TWO = new F80().set(0x4000, 0x80000000, 0);
const ZERO = new F80().set(0, 0, 0);
const INF = new F80().set(0x7fff, 0x80000000, 0);
const hex = (x: F80): string => `${x.se.toString(16)}:${x.hi.toString(16)}:${x.lo.toString(16)}`;

describe('register stack and tags', () => {
  it('FNINIT defaults: FCW 037F, FSW 0, all tags empty (full tag word FFFF)', () => {
    const st = new FpuState();
    st.push(ONE);
    st.reset();
    expect(st.fcw).toBe(0x037f);
    expect(st.fsw).toBe(0);
    expect(st.fullTagWord()).toBe(0xffff);
    expect(st.ftwAbridged).toBe(0);
  });

  it('push decrements TOP and pop increments it; ST(i) is relative to TOP', () => {
    const st = new FpuState(), x = new F80();
    st.push(ONE); st.push(TWO);
    expect(st.top).toBe(6);
    expect(hex(st.read(0, x))).toBe(hex(TWO));
    expect(hex(st.read(1, x))).toBe(hex(ONE));
    expect(st.isEmpty(2)).toBe(true);
    st.pop();
    expect(st.top).toBe(7);
    expect(hex(st.read(0, x))).toBe(hex(ONE));
  });

  it('full tag word classifies contents: valid, zero, special, empty (physical order)', () => {
    const st = new FpuState();
    st.push(ONE); st.push(ZERO); st.push(INF); st.push(new F80().set(0, 0, 1)); // denormal: special
    // physical 7 = ONE, 6 = ZERO, 5 = INF, 4 = denormal
    const t = st.fullTagWord();
    expect((t >> 14) & 3).toBe(TAG_VALID);
    expect((t >> 12) & 3).toBe(TAG_ZERO);
    expect((t >> 10) & 3).toBe(TAG_SPECIAL);
    expect((t >> 8) & 3).toBe(TAG_SPECIAL);
    expect(t & 0xff).toBe(0xff);
    st.setFullTagWord(0x3fff); // only R7 non-empty; "valid vs zero" in the loaded word is ignored
    expect(st.ftwAbridged).toBe(0x80);
    expect(TAG_EMPTY).toBe(3);
  });

  it('stack overflow: IE+SF, C1=1; masked pushes the indefinite, unmasked changes nothing', () => {
    const st = new FpuState(), s = new F80();
    for (let i = 0; i < 8; i++) st.push(ONE);
    st.begin();
    expect(st.pushOverflow(s)).toBe(true);
    st.finish();
    expect(st.fsw & (IE | SF | FSW_C1)).toBe(IE | SF | FSW_C1);
    expect(st.top).toBe(7);
    expect(hex(st.read(0, s))).toBe('ffff:c0000000:0');
    expect(st.pendingUnmasked).toBe(false);

    const u = new FpuState();
    u.setFcw(0x037e);
    for (let i = 0; i < 8; i++) u.push(ONE);
    u.begin();
    expect(u.pushOverflow(s)).toBe(true);
    u.finish();
    expect(u.top).toBe(0);
    expect(hex(u.read(0, s))).toBe(hex(ONE));
    expect(u.pendingUnmasked).toBe(true);
    expect(u.fsw & (FSW_ES | FSW_B)).toBe(FSW_ES | FSW_B);
  });

  it('stack underflow: IE+SF, C1=0; masked writes the indefinite to the destination', () => {
    const st = new FpuState(), s = new F80();
    st.begin();
    st.env.c1 = 1;
    expect(st.underflow(0, s)).toBe(true);
    st.finish();
    expect(st.fsw & (IE | SF | FSW_C1)).toBe(IE | SF);
    expect(st.isEmpty(0)).toBe(false);
    expect(hex(st.read(0, s))).toBe('ffff:c0000000:0');
  });

  it('FLDCW re-derives ES/B; FNCLEX clears flags; reserved FCW bits are fixed', () => {
    const st = new FpuState();
    st.begin(); st.env.flags |= PE; st.finish();
    expect(st.pendingUnmasked).toBe(false);
    st.setFcw(0x035f);                      // unmask PE: now pending
    expect(st.pendingUnmasked).toBe(true);
    st.setFcw(0x037f);
    expect(st.pendingUnmasked).toBe(false);
    st.clearExceptions();
    expect(st.fsw & 0xff).toBe(0);
    st.setFcw(0);
    expect(st.fcw).toBe(0x0040);
  });
});

function populated(): FpuState {
  const st = new FpuState();
  st.push(ONE); st.push(ZERO); st.push(TWO);
  st.setFcw(0x0b7f);
  st.begin(); st.env.flags |= PE; st.env.c1 = 1; st.finish();
  st.setCC(1, 1, 0, 1);
  st.setLastInstruction(0x5e9, 0x12345678, 0x9abcdef0, 0x1b);
  st.setLastData(0x0badf00d, 0xfeedface, 0x23);
  return st;
}

describe('memory images', () => {
  it('FNSTENV 32-bit protected mode layout', () => {
    const st = populated(), b = new Uint8Array(ENV32_BYTES);
    expect(storeEnv(st, b, 0, true, false)).toBe(28);
    const dv = new DataView(b.buffer);
    expect(dv.getUint32(0, true)).toBe(0xffff0b7f);
    expect(dv.getUint32(4, true)).toBe((0xffff0000 | st.fsw) >>> 0);
    expect(st.fsw & 0x3800).toBe(5 << 11);
    // R7 = 1.0 valid, R6 = 0 zero, R5 = 2.0 valid, rest empty
    expect(dv.getUint32(8, true)).toBe((0xffff0000 | 0b00_01_00_11_11_11_11_11) >>> 0);
    expect(dv.getUint32(12, true)).toBe(0x12345678);
    expect(dv.getUint32(16, true)).toBe(0x05e9001b);
    expect(dv.getUint32(20, true)).toBe(0x0badf00d);
    expect(dv.getUint32(24, true)).toBe(0xffff0023);
  });

  it('FNSTENV real-mode layouts hold linear FIP/FDP and FOP', () => {
    const st = new FpuState();
    st.setLastInstruction(0x123, 0x5678, 0, 0x1234);    // linear 0x179b8
    st.setLastData(0xfff0, 0, 0xf000);                  // linear 0xffff0
    const b = new Uint8Array(28), dv = new DataView(b.buffer);
    storeEnv(st, b, 0, true, true);
    expect(dv.getUint32(12, true)).toBe(0xffff79b8);
    expect(dv.getUint32(16, true)).toBe((0x0001 << 12) | 0x123);
    expect(dv.getUint32(20, true)).toBe(0xfffffff0);
    expect(dv.getUint32(24, true)).toBe(0x000f << 12);
    expect(storeEnv(st, b, 0, false, true)).toBe(ENV16_BYTES);
    expect(dv.getUint16(6, true)).toBe(0x79b8);
    expect(dv.getUint16(8, true)).toBe(0x1123);
    expect(dv.getUint16(10, true)).toBe(0xfff0);
    expect(dv.getUint16(12, true)).toBe(0xf000);
    const back = new FpuState();
    loadEnv(back, b, 0, false, true);
    expect([back.w[28], back.w[30], back.w[27], back.w[31]]).toEqual([0x179b8, 0, 0x123, 0xffff0]);
  });

  it('FNSAVE/FRSTOR round-trip in every format; FNSAVE side effect reinitializes', () => {
    for (const o32 of [false, true]) for (const real of [false, true]) {
      const st = populated(), b = new Uint8Array(SAVE32_BYTES);
      const n = storeSave(st, b, 0, o32, real);
      expect(n).toBe(o32 ? 108 : 94);
      // ST(0) first: 2.0
      const envN = o32 ? 28 : 14;
      expect(Array.from(b.subarray(envN, envN + 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0x40]);
      const copy = new FpuState();
      loadSave(copy, b, 0, o32, real);
      expect(copy.fcw).toBe(st.fcw);
      expect(copy.fsw).toBe(st.fsw);
      expect(copy.ftwAbridged).toBe(st.ftwAbridged);
      expect(Array.from(copy.w.subarray(0, 24))).toEqual(Array.from(st.w.subarray(0, 24)));
      if (!o32 && !real) expect(copy.w[27]).toBe(0); // no FOP in the 16-bit protected-mode image
      afterFnsave(st);
      expect(st.fcw).toBe(0x37f);
      expect(st.fullTagWord()).toBe(0xffff);
    }
  });

  it('FLDENV with unmasked pending flags sets ES; FNSTENV afterwards masks everything', () => {
    const st = populated(), b = new Uint8Array(28);
    storeEnv(st, b, 0, true, false);
    b[0] = 0x5f;  // FCW with PE unmasked
    loadEnv(st, b, 0, true, false);
    expect(st.pendingUnmasked).toBe(true);
    afterFnstenv(st);
    expect(st.fcw & 0x3f).toBe(0x3f);
    expect(st.pendingUnmasked).toBe(false);
  });

  it('FXSAVE: abridged tag, FOP, 32- and 64-bit pointers, registers in 16-byte slots', () => {
    const st = populated();
    for (const rexW of [false, true]) {
      const b = new Uint8Array(512).fill(0xcc), dv = new DataView(b.buffer);
      storeFxsave(st, b, 0, rexW);
      expect(dv.getUint16(0, true)).toBe(0x0b7f);
      expect(b[4]).toBe(0xe0);
      expect(dv.getUint16(6, true)).toBe(0x5e9);
      expect(dv.getUint32(8, true)).toBe(0x12345678);
      expect(dv.getUint32(12, true)).toBe(rexW ? 0x9abcdef0 : 0x1b);
      expect(dv.getUint32(16, true)).toBe(0x0badf00d);
      expect(dv.getUint32(20, true)).toBe(rexW ? 0xfeedface : 0x23);
      expect(dv.getUint32(24, true)).toBe(0xcccccccc);                 // MXCSR untouched
      expect(dv.getUint16(32 + 8, true)).toBe(0x4000);                  // ST0 = 2.0
      expect(dv.getUint16(48 + 8, true)).toBe(0);                       // ST1 = 0
      expect(Array.from(b.subarray(32 + 10, 32 + 16))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(b[160]).toBe(0xcc);
      const copy = new FpuState();
      loadFxsave(copy, b, 0, rexW);
      expect(copy.fsw).toBe(st.fsw);
      expect(copy.w[W_FTW]).toBe(0xe0);
      expect(copy.w[28]).toBe(0x12345678);
      expect(copy.w[29]).toBe(rexW ? 0x9abcdef0 : 0);
      expect(Array.from(copy.w.subarray(0, 24))).toEqual(Array.from(st.w.subarray(0, 24)));
    }
  });
});
