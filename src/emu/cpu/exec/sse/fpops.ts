/**
 * SSE/SSE2/SSE3 floating-point instructions on packed and scalar operands:
 * ADD/SUB/MUL/DIV/SQRT/MIN/MAX (PS, PD, SS, SD), CMPxx with the imm8
 * predicates, COMISS/UCOMISS/COMISD/UCOMISD, ADDSUB, HADD/HSUB, RCP/RSQRT,
 * and the bitwise logic, shuffle and unpack forms (no MXCSR involvement).
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { ARITH_FLAGS, CF, PF, ZF } from '../../arch.ts';
import { CC_OP, RFLAGS } from '../../state/layout.ts';
import { CcOp } from '../../flags.ts';
import { A, B, R, U32, getX, loadW, putX, readOperand, sseCheck } from './regs.ts';
import { fpBegin, fpEnd } from './mxcsr.ts';
import { EQ, GT, LT, Op, UN, arith32, arith64, cmp32, cmp64, minmax32, minmax64, rHi } from './fparith.ts';
import { QNAN32, bits32, isNaN32, isDenormal32, val32 } from './bits.ts';

const a = A >> 2, b = B >> 2, r = R >> 2;

/** Element function over words: writes result word(s) at U32[k]. */
type Elem32 = (x: number, y: number) => number;
type Elem64 = (xLo: number, xHi: number, yLo: number, yHi: number) => number;

function packed32(f: Elem32): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    for (let k = 0; k < 4; k++) U32[r + k] = f(U32[a + k], U32[b + k]);
    fpEnd(c); putX(c, i.reg, R);
  };
}
function scalar32(f: Elem32): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 4, 0);
    fpBegin(c);
    const v = f(U32[a], U32[b]);
    fpEnd(c);
    U32[a] = v; putX(c, i.reg, A);
  };
}
function packed64(f: Elem64): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    for (let k = 0; k < 4; k += 2) { U32[r + k] = f(U32[a + k], U32[a + k + 1], U32[b + k], U32[b + k + 1]); U32[r + k + 1] = rHi; }
    fpEnd(c); putX(c, i.reg, R);
  };
}
function scalar64(f: Elem64): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 8, 0);
    fpBegin(c);
    const lo = f(U32[a], U32[a + 1], U32[b], U32[b + 1]), hi = rHi;
    fpEnd(c);
    U32[a] = lo; U32[a + 1] = hi; putX(c, i.reg, A);
  };
}

/** Registers NAMEPS/PD/SS/SD_VxWx. */
function four(h: HandlerTable, name: string, f32: Elem32, f64: Elem64): void {
  h[`${name}PS_VxWx`] = packed32(f32);
  h[`${name}SS_VxWx`] = scalar32(f32);
  h[`${name}PD_VxWx`] = packed64(f64);
  h[`${name}SD_VxWx`] = scalar64(f64);
}

/** CMPPS predicate imm8[2:0] (legacy SSE ignores bits 7:3): EQ LT LE UNORD NEQ NLT NLE ORD. */
const SIGNAL = [false, true, true, false, false, true, true, false];
function pred(rel: number, p: number): boolean {
  switch (p & 7) {
    case 0: return rel === EQ;
    case 1: return rel === LT;
    case 2: return rel === LT || rel === EQ;
    case 3: return rel === UN;
    case 4: return rel !== EQ;
    case 5: return rel !== LT;
    case 6: return !(rel === LT || rel === EQ);
    default: return rel !== UN;
  }
}
let imm = 0;
const cmpE32: Elem32 = (x, y) => (pred(cmp32(x, y, SIGNAL[imm & 7]), imm) ? 0xffffffff : 0);
/** The float64 form returns the mask for both words. */
const cmpE64: Elem64 = (xl, xh, yl, yh) => (pred(cmp64(xl, xh, yl, yh, SIGNAL[imm & 7]), imm) ? 0xffffffff : 0);
function withImm(hd: InsnHandler): InsnHandler {
  return (c, i) => { imm = i.imm & 0xff; hd(c, i); };
}

/** COMIS/UCOMIS: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal; OF, SF, AF cleared. */
function comis(double: boolean, signalQ: boolean): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, double ? 8 : 4, 0);
    fpBegin(c);
    const rel = double ? cmp64(U32[a], U32[a + 1], U32[b], U32[b + 1], signalQ) : cmp32(U32[a], U32[b], signalQ);
    fpEnd(c);
    const f = rel === UN ? ZF | PF | CF : rel === GT ? 0 : rel === LT ? CF : ZF;
    const s = c.s;
    s[RFLAGS] = (s[RFLAGS] & ~ARITH_FLAGS) | f;
    s[CC_OP] = CcOp.Eager;
  };
}

/** Bitwise logic and data rearrangement: whole words, no flags. */
function words(f: (n: number) => void, align = 16): InsnHandler {
  return (c, i) => { sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, align); f(i.imm & 0xff); putX(c, i.reg, R); };
}
const logic = (g: (x: number, y: number) => number): InsnHandler =>
  words(() => { for (let k = 0; k < 4; k++) U32[r + k] = g(U32[a + k], U32[b + k]); });

/** RCPPS/RSQRTPS: the exact reciprocal (square root) rounded to float32, within the SDM's 1.5*2^-12 bound; no flags. */
function approx(x: number, rsqrt: boolean): number {
  if (isNaN32(x)) return (x | 0x400000) >>> 0;
  // Denormal inputs count as zero and denormal results flush to zero, as on hardware.
  const v = isDenormal32(x) ? ((x & 0x80000000) !== 0 ? -0 : 0) : val32(x);
  if (rsqrt && v < 0) return QNAN32;
  let res = rsqrt ? 1 / Math.sqrt(v) : 1 / v;
  if (rsqrt && Object.is(v, -0)) res = -Infinity;
  res = Math.fround(res);
  if (Math.abs(res) < 1.1754943508222875e-38) res = res < 0 || Object.is(res, -0) ? -0 : 0;
  return bits32(res);
}
function approxHandlers(h: HandlerTable, name: string, rsqrt: boolean): void {
  h[`${name}PS_VxWx`] = words(() => { for (let k = 0; k < 4; k++) U32[r + k] = approx(U32[b + k], rsqrt); });
  h[`${name}SS_VxWx`] = (c: Cpu, i: DecodedInsn) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 4, 0);
    U32[a] = approx(U32[b], rsqrt); putX(c, i.reg, A);
  };
}

export function registerFpOps(h: HandlerTable): void {
  four(h, 'ADD', (x, y) => arith32(Op.Add, x, y), (xl, xh, yl, yh) => arith64(Op.Add, xl, xh, yl, yh));
  four(h, 'SUB', (x, y) => arith32(Op.Sub, x, y), (xl, xh, yl, yh) => arith64(Op.Sub, xl, xh, yl, yh));
  four(h, 'MUL', (x, y) => arith32(Op.Mul, x, y), (xl, xh, yl, yh) => arith64(Op.Mul, xl, xh, yl, yh));
  four(h, 'DIV', (x, y) => arith32(Op.Div, x, y), (xl, xh, yl, yh) => arith64(Op.Div, xl, xh, yl, yh));
  four(h, 'SQRT', (x, y) => arith32(Op.Sqrt, x, y), (xl, xh, yl, yh) => arith64(Op.Sqrt, xl, xh, yl, yh));
  four(h, 'MIN', (x, y) => minmax32(false, x, y), (xl, xh, yl, yh) => minmax64(false, xl, xh, yl, yh));
  four(h, 'MAX', (x, y) => minmax32(true, x, y), (xl, xh, yl, yh) => minmax64(true, xl, xh, yl, yh));

  h.CMPPS_VxWxIb = withImm(packed32(cmpE32));
  h.CMPSS_VxWxIb = withImm(scalar32(cmpE32));
  h.CMPPD_VxWxIb = withImm(packed64Cmp(cmpE64));
  h.CMPSD_VxWxIb = withImm(scalar64Cmp(cmpE64));

  h.COMISS_VxWx = comis(false, true); h.UCOMISS_VxWx = comis(false, false);
  h.COMISD_VxWx = comis(true, true); h.UCOMISD_VxWx = comis(true, false);

  for (const sfx of ['PS', 'PD']) {
    h[`AND${sfx}_VxWx`] = logic((x, y) => x & y);
    h[`ANDN${sfx}_VxWx`] = logic((x, y) => ~x & y);
    h[`OR${sfx}_VxWx`] = logic((x, y) => x | y);
    h[`XOR${sfx}_VxWx`] = logic((x, y) => x ^ y);
  }
  h.SHUFPS_VxWxIb = words((im) => {
    U32[r] = U32[a + (im & 3)]; U32[r + 1] = U32[a + ((im >> 2) & 3)];
    U32[r + 2] = U32[b + ((im >> 4) & 3)]; U32[r + 3] = U32[b + ((im >> 6) & 3)];
  });
  h.SHUFPD_VxWxIb = words((im) => {
    const x = (im & 1) * 2, y = ((im >> 1) & 1) * 2;
    U32[r] = U32[a + x]; U32[r + 1] = U32[a + x + 1]; U32[r + 2] = U32[b + y]; U32[r + 3] = U32[b + y + 1];
  });
  h.UNPCKLPS_VxWx = words(() => { U32[r] = U32[a]; U32[r + 1] = U32[b]; U32[r + 2] = U32[a + 1]; U32[r + 3] = U32[b + 1]; });
  h.UNPCKHPS_VxWx = words(() => { U32[r] = U32[a + 2]; U32[r + 1] = U32[b + 2]; U32[r + 2] = U32[a + 3]; U32[r + 3] = U32[b + 3]; });
  h.UNPCKLPD_VxWx = words(() => { U32[r] = U32[a]; U32[r + 1] = U32[a + 1]; U32[r + 2] = U32[b]; U32[r + 3] = U32[b + 1]; });
  h.UNPCKHPD_VxWx = words(() => { U32[r] = U32[a + 2]; U32[r + 1] = U32[a + 3]; U32[r + 2] = U32[b + 2]; U32[r + 3] = U32[b + 3]; });

  // SSE3 horizontal and alternating forms.
  const h32 = (op: Op, pairs: readonly number[]): InsnHandler => (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    for (let k = 0; k < 4; k++) {
      const s0 = pairs[2 * k], s1 = pairs[2 * k + 1];
      U32[r + k] = arith32(op, U32[s0], U32[s1]);
    }
    fpEnd(c); putX(c, i.reg, R);
  };
  h.HADDPS_VxWx = h32(Op.Add, [a, a + 1, a + 2, a + 3, b, b + 1, b + 2, b + 3]);
  h.HSUBPS_VxWx = h32(Op.Sub, [a, a + 1, a + 2, a + 3, b, b + 1, b + 2, b + 3]);
  const h64 = (op: Op): InsnHandler => (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    U32[r] = arith64(op, U32[a], U32[a + 1], U32[a + 2], U32[a + 3]); U32[r + 1] = rHi;
    U32[r + 2] = arith64(op, U32[b], U32[b + 1], U32[b + 2], U32[b + 3]); U32[r + 3] = rHi;
    fpEnd(c); putX(c, i.reg, R);
  };
  h.HADDPD_VxWx = h64(Op.Add);
  h.HSUBPD_VxWx = h64(Op.Sub);
  h.ADDSUBPS_VxWx = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    for (let k = 0; k < 4; k++) U32[r + k] = arith32((k & 1) === 0 ? Op.Sub : Op.Add, U32[a + k], U32[b + k]);
    fpEnd(c); putX(c, i.reg, R);
  };
  h.ADDSUBPD_VxWx = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    U32[r] = arith64(Op.Sub, U32[a], U32[a + 1], U32[b], U32[b + 1]); U32[r + 1] = rHi;
    U32[r + 2] = arith64(Op.Add, U32[a + 2], U32[a + 3], U32[b + 2], U32[b + 3]); U32[r + 3] = rHi;
    fpEnd(c); putX(c, i.reg, R);
  };
  approxHandlers(h, 'RCP', false);
  approxHandlers(h, 'RSQRT', true);
}

function packed64Cmp(f: Elem64): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    fpBegin(c);
    for (let k = 0; k < 4; k += 2) { U32[r + k] = f(U32[a + k], U32[a + k + 1], U32[b + k], U32[b + k + 1]); U32[r + k + 1] = U32[r + k]; }
    fpEnd(c); putX(c, i.reg, R);
  };
}
function scalar64Cmp(f: Elem64): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 8, 0);
    fpBegin(c);
    const lo = f(U32[a], U32[a + 1], U32[b], U32[b + 1]);
    fpEnd(c);
    U32[a] = lo; U32[a + 1] = lo; putX(c, i.reg, A);
  };
}
