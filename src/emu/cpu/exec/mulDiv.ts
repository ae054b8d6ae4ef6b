/** MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV with #DE (SDM Vol. 2). */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CF, OF, Vec } from '../arch.ts';
import { CcOp, setCc, setCc64 } from '../flags.ts';
import { divU128, imul64, mul32, mul64, neg128, r64 } from '../u64.ts';
import { readE, writeG } from './operands.ts';
import { trunc } from './alu.ts';
import type { HandlerTable } from './handlerTypes.ts';

const CFOF = CF | OF;

function sx(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/** Signed 32x32 -> 64 into r64[0..1]. */
function imul32(a: number, b: number): void {
  const an = (a | 0) < 0, bn = (b | 0) < 0;
  mul32(an ? -(a | 0) : a, bn ? -(b | 0) : b);
  if (an !== bn) { r64[2] = 0; r64[3] = 0; neg128(); }
}

function mulOne(c: Cpu, i: DecodedInsn, size: number, signed: boolean): void {
  const s = c.s;
  const b = readE(c, i, size), bHi = c.hi;
  const a = c.getReg(0, size), aHi = c.hi;
  if (size === 1 || size === 2) {
    const p = signed ? sx(a, size) * sx(b, size) : a * b;
    const bits = size * 8;
    const lo = trunc(p, size), hiPart = trunc(Math.floor(p / (1 << bits)), size);
    const over = signed ? p !== sx(lo, size) : hiPart !== 0;
    if (size === 1) c.setReg(0, 2, p & 0xffff, 0);
    else { c.setReg(0, 2, lo, 0); c.setReg(2, 2, hiPart, 0); }
    setCc(s, CcOp.CfOf, size, lo, 0, 0, over ? CFOF : 0);
    return;
  }
  if (size === 4) {
    if (signed) imul32(a, b); else mul32(a, b);
    const lo = r64[0], hi = r64[1];
    const over = signed ? hi !== (lo >> 31) >>> 0 : hi !== 0;
    c.setReg(0, 4, lo, 0); c.setReg(2, 4, hi, 0);
    setCc(s, CcOp.CfOf, 4, lo, 0, 0, over ? CFOF : 0);
    return;
  }
  if (signed) imul64(a, aHi, b, bHi); else mul64(a, aHi, b, bHi);
  const lo = r64[0], hi = r64[1], lo2 = r64[2], hi2 = r64[3];
  const ext = signed ? (hi >> 31) >>> 0 : 0;
  const over = lo2 !== ext || hi2 !== ext;
  c.setReg(0, 8, lo, hi); c.setReg(2, 8, lo2, hi2);
  setCc64(s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, over ? CFOF : 0);
}

/** IMUL Gv, Ev[, imm]: truncated signed product. */
function imulTwo(c: Cpu, i: DecodedInsn, bLo: number, bHi: number, useImm: boolean): void {
  const s = c.s;
  const size = i.osz;
  const a = readE(c, i, size), aHi = c.hi;
  if (!useImm) { bLo = c.getReg(i.reg, size, i.rex); bHi = c.hi; }
  if (size === 2) {
    const p = sx(a, 2) * sx(bLo, 2);
    const lo = p & 0xffff;
    writeG(c, i, 2, lo, 0);
    setCc(s, CcOp.CfOf, 2, lo, 0, 0, p !== sx(lo, 2) ? CFOF : 0);
  } else if (size === 4) {
    imul32(a, bLo);
    const lo = r64[0], hi = r64[1];
    writeG(c, i, 4, lo, 0);
    setCc(s, CcOp.CfOf, 4, lo, 0, 0, hi !== (lo >> 31) >>> 0 ? CFOF : 0);
  } else {
    imul64(a, aHi, bLo, bHi);
    const lo = r64[0], hi = r64[1];
    const ext = (hi >> 31) >>> 0;
    writeG(c, i, 8, lo, hi);
    setCc64(s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, r64[2] !== ext || r64[3] !== ext ? CFOF : 0);
  }
}

function div(c: Cpu, i: DecodedInsn, size: number, signed: boolean): void {
  const d = readE(c, i, size), dHi = c.hi;
  if (d === 0 && (size !== 8 || dHi === 0)) c.fault(Vec.DE);
  if (size === 1 || size === 2) {
    const bits = size * 8;
    const n = size === 1 ? c.getReg(0, 2) : c.getReg(0, 2) + c.getReg(2, 2) * 0x10000;
    let q: number, r: number;
    if (signed) {
      const ns = size === 1 ? (n << 16) >> 16 : n | 0;
      const ds = sx(d, size);
      q = Math.trunc(ns / ds); r = ns - q * ds;
      if (q > (1 << (bits - 1)) - 1 || q < -(1 << (bits - 1))) c.fault(Vec.DE);
    } else {
      q = Math.floor(n / d); r = n - q * d;
      if (q >= 1 << bits) c.fault(Vec.DE);
    }
    if (size === 1) c.setReg(0, 2, (q & 0xff) | ((r & 0xff) << 8), 0);
    else { c.setReg(0, 2, q & 0xffff, 0); c.setReg(2, 2, r & 0xffff, 0); }
    return;
  }
  const aLo = c.getReg(0, size), aHi = size === 8 ? c.hi : 0;
  const dxLo = c.getReg(2, size), dxHi = size === 8 ? c.hi : 0;
  // Dividend as 128 bits: w0..w3 (32-bit case: EDX:EAX in w0..w1).
  let w0: number, w1: number, w2: number, w3: number, sLo: number, sHi: number;
  if (size === 4) { w0 = aLo; w1 = dxLo; w2 = signed ? ((dxLo >> 31) >>> 0) : 0; w3 = w2; sLo = d; sHi = signed ? (d >> 31) >>> 0 : 0; }
  else { w0 = aLo; w1 = aHi; w2 = dxLo; w3 = dxHi; sLo = d; sHi = dHi; }
  let qNeg = false, rNeg = false;
  if (signed) {
    if ((w3 | 0) < 0) { r64[0] = w0; r64[1] = w1; r64[2] = w2; r64[3] = w3; neg128(); w0 = r64[0]; w1 = r64[1]; w2 = r64[2]; w3 = r64[3]; rNeg = true; }
    if ((sHi | 0) < 0) { r64[0] = sLo; r64[1] = sHi; r64[2] = 0xffffffff; r64[3] = 0xffffffff; neg128(); sLo = r64[0]; sHi = r64[1]; qNeg = true; }
    qNeg = qNeg !== rNeg;
  }
  if (!divU128(w0, w1, w2, w3, sLo, sHi)) c.fault(Vec.DE);
  let qLo = r64[0], qHi = r64[1], rLo = r64[2], rHi = r64[3];
  const bits = size * 8;
  if (signed) {
    // Magnitude limits: 2^(bits-1) - 1 for positive, 2^(bits-1) for negative quotients.
    const topWord = size === 4 ? qLo : qHi;
    const over = size === 4 ? qHi !== 0 || topWord > (qNeg ? 0x80000000 : 0x7fffffff)
      : topWord > (qNeg ? 0x80000000 : 0x7fffffff) || (topWord === 0x80000000 && (!qNeg || qLo !== 0));
    if (over) c.fault(Vec.DE);
    if (qNeg) { r64[0] = qLo; r64[1] = qHi; r64[2] = 0; r64[3] = 0; neg128(); qLo = r64[0]; qHi = r64[1]; }
    if (rNeg) { r64[0] = rLo; r64[1] = rHi; r64[2] = 0; r64[3] = 0; neg128(); rLo = r64[0]; rHi = r64[1]; }
  } else if (size === 4 && qHi !== 0) {
    c.fault(Vec.DE);
  }
  void bits;
  c.setReg(0, size, qLo, qHi); c.setReg(2, size, rLo, rHi);
}

export function registerMulDiv(h: HandlerTable): void {
  h.MUL_Eb = (c, i) => mulOne(c, i, 1, false);
  h.MUL_Ev = (c, i) => mulOne(c, i, i.osz, false);
  h.IMUL_Eb = (c, i) => mulOne(c, i, 1, true);
  h.IMUL_Ev = (c, i) => mulOne(c, i, i.osz, true);
  h.IMUL_GvEv = (c, i) => imulTwo(c, i, 0, 0, false);
  h.IMUL_GvEvIb = (c, i) => imulTwo(c, i, i.imm, i.imm >> 31, true);
  h.IMUL_GvEvIz = (c, i) => imulTwo(c, i, i.imm, i.imm >> 31, true);
  h.DIV_Eb = (c, i) => div(c, i, 1, false);
  h.DIV_Ev = (c, i) => div(c, i, i.osz, false);
  h.IDIV_Eb = (c, i) => div(c, i, 1, true);
  h.IDIV_Ev = (c, i) => div(c, i, i.osz, true);
}
