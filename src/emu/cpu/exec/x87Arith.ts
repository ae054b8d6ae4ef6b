/**
 * x87 arithmetic (SDM Vol. 2 FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR with their P and I forms),
 * comparisons (FCOM/FCOMP/FCOMPP, the FUCOM, FICOM forms, FCOMI/FUCOMI(P) setting EFLAGS, FTST),
 * and the one- and two-operand operations on ST(0)/ST(1): FSQRT, FRNDINT, FSCALE, FXTRACT,
 * FPREM/FPREM1, transcendentals. The numerics are fpu/'s; this module picks operands,
 * applies the stack-fault rules and sets the condition codes.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { AF, CF, OF, PF, SF, ZF } from '../arch.ts';
import { CcOp, flushFlags } from '../flags.ts';
import { CC_OP, RFLAGS } from '../state/layout.ts';
import {
  CMP_NONE, CMP_UNORDERED, F80, FSW_C2, FpEnv, W_FSW, compareCC, compareEflags, f2xm1, fadd, fcompare, fcos, fdiv,
  fmul, fpatan, fprem, fptan, frndint, fromInt32, fscale, fsin, fsincos, fsqrt, fsub, ftst, fxam, fxtract, fyl2x,
  fyl2xp1, loadConstant, remPartial, remQuotient, transC2,
} from '../fpu/index.ts';
import { IE, SF as FSF } from '../fpu/index.ts';
import { setIndefinite } from '../fpu/float80.ts';
import type { FpuState } from '../fpu/index.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { floatOperand, readMem32, sti, x87 } from './x87Common.ts';
import { readEaPlus } from './operands.ts';

type BinOp = (env: FpEnv, a: F80, b: F80, out: F80) => boolean;
type UnOp = (env: FpEnv, a: F80, out: F80) => boolean;

const a = new F80(), b = new F80(), r = new F80(), r2 = new F80(), t = new F80(), m = new F80();

// ---- arithmetic ----------------------------------------------------------------------

/** ST(dst) = ST(dst) op ST(src), or ST(src) op ST(dst) when reversed; then pop if asked. */
function arithReg(c: Cpu, op: BinOp, dst: number, src: number, reverse: boolean, pop: boolean): void {
  const f = c.fpu, env = f.begin();
  let ok: boolean;
  if (f.isEmpty(dst) || f.isEmpty(src)) ok = f.underflow(dst, t);
  else {
    f.read(dst, a); f.read(src, b);
    ok = reverse ? op(env, b, a, r) : op(env, a, b, r);
    if (ok) f.write(dst, r);
  }
  if (ok && pop) f.pop();
  f.finish();
}

/**
 * Reads the memory operand of an arithmetic/compare form into m: D8 m32fp, DC m64fp,
 * DA m32int, DE m16int. Returns false when the operand raised an unmasked DE. @faults
 */
function loadMemOperand(c: Cpu, i: DecodedInsn, env: FpEnv, lo: number, hi: number): boolean {
  switch (i.opc) {
    case 0xd8: return floatOperand(env, lo, 0, false, m);
    case 0xdc: return floatOperand(env, lo, hi, true, m);
    case 0xda: fromInt32(lo | 0, m); return true;
    default: fromInt32((lo << 16) >> 16, m); return true;
  }
}

/** Raw bits of the memory operand (lo, and hi in c.hi for m64fp). @faults */
function readOperandBits(c: Cpu, i: DecodedInsn): number {
  if (i.opc === 0xde) return readEaPlus(c, i, 0, 2);
  if (i.opc === 0xdc) return readEaPlus(c, i, 0, 8);
  c.hi = 0;
  return readMem32(c, i);
}

/** ST(0) = ST(0) op m, or m op ST(0) when reversed. @faults */
function arithMem(c: Cpu, i: DecodedInsn, op: BinOp, reverse: boolean): void {
  const lo = readOperandBits(c, i), hi = c.hi;
  const f = c.fpu, env = f.begin();
  if (f.isEmpty(0)) f.underflow(0, t);
  else if (loadMemOperand(c, i, env, lo, hi)) {
    f.read(0, a);
    if (reverse ? op(env, m, a, r) : op(env, a, m, r)) f.write(0, r);
  }
  f.finish();
}

/**
 * Register forms of the arithmetic rows. D8: ST(0) = ST(0) op ST(i); DC: ST(i) = ST(i) op
 * ST(0); DE: as DC, then pop. "R" mnemonics swap the operands: FSUBR dest = src - dest.
 */
function arith(op: BinOp, reverse: boolean): { reg: (c: Cpu, i: DecodedInsn) => void; mem: (c: Cpu, i: DecodedInsn) => void } {
  return {
    reg: (c, i) => {
      if (i.opc === 0xd8) arithReg(c, op, 0, sti(i), reverse, false);
      else arithReg(c, op, sti(i), 0, reverse, i.opc === 0xde);
    },
    mem: (c, i) => arithMem(c, i, op, reverse),
  };
}

// ---- comparisons ---------------------------------------------------------------------

/** Sets C0/C2/C3 from a comparison (C1 = 0); underflow and NaNs give "unordered" when masked. */
function setCompareCC(f: FpuState, res: number): void {
  const cc = compareCC(res);
  f.setCC(cc & 1, 0, (cc >>> 1) & 1, (cc >>> 2) & 1);
}

/** FCOM/FUCOM family on ST(0) and `src` (a register index, or -1 for m). Pops `pops` times. */
function compare(c: Cpu, src: number, unordered: boolean, pops: number): void {
  const f = c.fpu, env = f.begin();
  let res: number;
  if (f.isEmpty(0) || (src >= 0 && f.isEmpty(src))) res = f.underflow(-1, t) ? CMP_UNORDERED : CMP_NONE;
  else res = fcompare(env, f.read(0, a), src >= 0 ? f.read(src, b) : m, unordered);
  if (res !== CMP_NONE) for (let k = 0; k < pops; k++) f.pop();
  f.finish();
  if (res !== CMP_NONE) setCompareCC(f, res);
}

function compareMem(c: Cpu, i: DecodedInsn, pops: number): void {
  const lo = readOperandBits(c, i), hi = c.hi;
  const f = c.fpu, env = f.begin();
  let res: number;
  if (f.isEmpty(0)) res = f.underflow(-1, t) ? CMP_UNORDERED : CMP_NONE;
  else if (!loadMemOperand(c, i, env, lo, hi)) res = CMP_NONE;
  else res = fcompare(env, f.read(0, a), m, false);
  if (res !== CMP_NONE && pops) f.pop();
  f.finish();
  if (res !== CMP_NONE) setCompareCC(f, res);
}

/** FCOMI/FUCOMI(P): ZF, PF, CF from the comparison; OF, SF, AF cleared (SDM Vol. 2 FCOMI). */
function compareEfl(c: Cpu, i: DecodedInsn, unordered: boolean, pop: boolean): void {
  const f = c.fpu, env = f.begin(), k = sti(i);
  let res: number;
  if (f.isEmpty(0) || f.isEmpty(k)) res = f.underflow(-1, t) ? CMP_UNORDERED : CMP_NONE;
  else res = fcompare(env, f.read(0, a), f.read(k, b), unordered);
  if (res !== CMP_NONE) {
    const s = c.s;
    flushFlags(s);
    s[RFLAGS] = (s[RFLAGS] & ~(CF | PF | AF | ZF | SF | OF)) | compareEflags(res);
    s[CC_OP] = CcOp.Eager;
    if (pop) f.pop();
  }
  f.finish();
}

// ---- one- and two-operand operations on the top of the stack ----------------------------

/** ST(0) = op(ST(0)). */
function unary(c: Cpu, op: UnOp): void {
  const f = c.fpu, env = f.begin();
  if (f.isEmpty(0)) f.underflow(0, t);
  else if (op(env, f.read(0, a), r)) f.write(0, r);
  f.finish();
}

/** Sets or clears FSW.C2 (other condition codes as left by the instruction). */
function setC2(f: FpuState, v: number): void {
  f.w[W_FSW] = v ? f.w[W_FSW]! | FSW_C2 : f.w[W_FSW]! & ~FSW_C2;
}

/** FSIN/FCOS: C2 = 1 and ST(0) unchanged when |ST(0)| >= 2^63. */
function trig(c: Cpu, op: UnOp): void {
  const f = c.fpu, env = f.begin();
  let c2 = 0;
  if (f.isEmpty(0)) f.underflow(0, t);
  else {
    const ok = op(env, f.read(0, a), r);
    c2 = transC2;
    if (ok) f.write(0, r);
  }
  f.finish();
  setC2(f, c2);
}

/**
 * Instructions that replace ST(0) and push a second result (FPTAN, FSINCOS, FXTRACT):
 * with ST(0) empty (underflow) or ST(7) in use (overflow), the masked response is two
 * QNaN indefinites, pushed; unmasked, nothing changes. Returns true when handled.
 */
function pushTwoFault(f: FpuState): boolean {
  const under = f.isEmpty(0);
  if (!under && f.isEmpty(7)) return false;
  const env = f.env;
  env.flags |= IE | FSF;
  env.c1 = under ? 0 : 1;
  if (!env.unmasked(IE)) {
    setIndefinite(t);
    f.write(0, t); f.push(t);
  }
  return true;
}

/** ST(1) = op(ST(0), ST(1)), pop (FYL2X, FYL2XP1, FPATAN). `op(env, st0, st1, out)`. */
function intoSt1AndPop(c: Cpu, op: BinOp): void {
  const f = c.fpu, env = f.begin();
  let ok: boolean;
  if (f.isEmpty(0) || f.isEmpty(1)) ok = f.underflow(1, t);
  else {
    ok = op(env, f.read(0, a), f.read(1, b), r);
    if (ok) f.write(1, r);
  }
  if (ok) f.pop();
  f.finish();
}

function remainder(c: Cpu, ieee: boolean): void {
  const f = c.fpu, env = f.begin();
  if (f.isEmpty(0) || f.isEmpty(1)) { f.underflow(0, t); f.finish(); return; }
  const ok = fprem(env, f.read(0, a), f.read(1, b), r, ieee);
  if (ok) f.write(0, r);
  f.finish();
  if (ok) {
    // C0 = Q2, C3 = Q1, C1 = Q0; C2 = 1 when the reduction is incomplete.
    const q = remQuotient;
    f.setCC((q >>> 2) & 1, q & 1, remPartial, (q >>> 1) & 1);
  }
}

export function registerX87Arith(h: HandlerTable): void {
  const ops: [string, BinOp, boolean][] = [
    ['FADD', fadd, false], ['FMUL', fmul, false], ['FSUB', fsub, false], ['FSUBR', fsub, true],
    ['FDIV', fdiv, false], ['FDIVR', fdiv, true],
  ];
  for (const [name, op, rev] of ops) {
    const f = arith(op, rev);
    h[`${name}_Ef`] = x87(f.reg);
    h[`${name}_Mf`] = x87(f.mem);
    h[`${name}P_Ef`] = x87(f.reg);
    h[`FI${name.slice(1)}_Mf`] = x87(f.mem);
  }

  h.FCOM_Mf = x87((c, i) => compareMem(c, i, 0));
  h.FCOMP_Mf = x87((c, i) => compareMem(c, i, 1));
  h.FICOM_Mf = x87((c, i) => compareMem(c, i, 0));
  h.FICOMP_Mf = x87((c, i) => compareMem(c, i, 1));
  for (const n of ['FCOM_Ef', 'FCOM2_Ef']) h[n] = x87((c, i) => compare(c, sti(i), false, 0));
  for (const n of ['FCOMP_Ef', 'FCOMP3_Ef', 'FCOMP5_Ef']) h[n] = x87((c, i) => compare(c, sti(i), false, 1));
  h.FCOMPP_Ef = x87((c) => compare(c, 1, false, 2));
  h.FUCOM_Ef = x87((c, i) => compare(c, sti(i), true, 0));
  h.FUCOMP_Ef = x87((c, i) => compare(c, sti(i), true, 1));
  h.FUCOMPP_Ef = x87((c) => compare(c, 1, true, 2));
  h.FCOMI_Ef = x87((c, i) => compareEfl(c, i, false, false));
  h.FCOMIP_Ef = x87((c, i) => compareEfl(c, i, false, true));
  h.FUCOMI_Ef = x87((c, i) => compareEfl(c, i, true, false));
  h.FUCOMIP_Ef = x87((c, i) => compareEfl(c, i, true, true));
  h.FTST_Ef = x87((c) => {
    const f = c.fpu, env = f.begin();
    const res = f.isEmpty(0) ? (f.underflow(-1, t) ? CMP_UNORDERED : CMP_NONE) : ftst(env, f.read(0, a));
    f.finish();
    if (res !== CMP_NONE) setCompareCC(f, res);
  });
  h.FXAM_Ef = x87((c) => {
    const f = c.fpu;
    const cc = fxam(f.read(0, a), f.isEmpty(0));
    f.setCC(cc & 1, (cc >>> 1) & 1, (cc >>> 2) & 1, (cc >>> 3) & 1);
  });

  h.FSQRT_Ef = x87((c) => unary(c, fsqrt));
  h.FRNDINT_Ef = x87((c) => unary(c, frndint));
  h.F2XM1_Ef = x87((c) => unary(c, f2xm1));
  h.FSIN_Ef = x87((c) => trig(c, fsin));
  h.FCOS_Ef = x87((c) => trig(c, fcos));
  h.FPTAN_Ef = x87((c) => {
    const f = c.fpu, env = f.begin();
    let c2 = 0;
    if (!pushTwoFault(f)) {
      if (fptan(env, f.read(0, a), r)) { f.write(0, r); f.push(loadConstant(0, env.rc, r2)); }
      c2 = transC2;
    }
    f.finish();
    setC2(f, c2);
  });
  h.FSINCOS_Ef = x87((c) => {
    const f = c.fpu, env = f.begin();
    let c2 = 0;
    if (!pushTwoFault(f)) {
      if (fsincos(env, f.read(0, a), r, r2)) { f.write(0, r); f.push(r2); }
      c2 = transC2;
    }
    f.finish();
    setC2(f, c2);
  });
  h.FXTRACT_Ef = x87((c) => {
    const f = c.fpu, env = f.begin();
    if (!pushTwoFault(f) && fxtract(env, f.read(0, a), r, r2)) { f.write(0, r2); f.push(r); }
    f.finish();
  });
  h.FSCALE_Ef = x87((c) => {
    const f = c.fpu, env = f.begin();
    if (f.isEmpty(0) || f.isEmpty(1)) f.underflow(0, t);
    else if (fscale(env, f.read(0, a), f.read(1, b), r)) f.write(0, r);
    f.finish();
  });
  h.FPREM_Ef = x87((c) => remainder(c, false));
  h.FPREM1_Ef = x87((c) => remainder(c, true));
  h.FYL2X_Ef = x87((c) => intoSt1AndPop(c, fyl2x));
  h.FYL2XP1_Ef = x87((c) => intoSt1AndPop(c, fyl2xp1));
  h.FPATAN_Ef = x87((c) => intoSt1AndPop(c, (env, st0, st1, out) => fpatan(env, st1, st0, out)));
}
