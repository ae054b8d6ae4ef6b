/** Integer arithmetic and logic: ADD/OR/ADC/SBB/AND/SUB/XOR/CMP, TEST, INC/DEC, NOT/NEG (SDM Vol. 2). */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CcOp, getCF, setCc, setCc64 } from '../flags.ts';
import { add64, r64, sub64 } from '../u64.ts';
import { readE, readG, readRmwE, writeE, writeG } from './operands.ts';
import type { HandlerTable } from './handlerTypes.ts';

export const enum AluOp { ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7 }
export const ALU_NAMES = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'] as const;

/** Truncates to an 8/16-bit size; 32 and 64-bit sizes give the low word as uint32. */
export function trunc(v: number, size: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
}

/** a op b at `size` bytes; sets the lazy flags; returns the result (hi word in c.hi for 8). */
export function alu(c: Cpu, op: AluOp, size: number, a: number, aHi: number, b: number, bHi: number): number {
  const s = c.s;
  if (size === 8) return alu64(c, op, a, aHi, b, bHi);
  let r: number;
  switch (op) {
    case AluOp.ADD: r = trunc(a + b, size); setCc(s, CcOp.Add, size, r, a, b, 0); return r;
    case AluOp.ADC: { const cin = getCF(s); r = trunc(a + b + cin, size); setCc(s, CcOp.Adc, size, r, a, b, cin); return r; }
    case AluOp.SBB: { const bin = getCF(s); r = trunc(a - b - bin, size); setCc(s, CcOp.Sbb, size, r, a, b, bin); return r; }
    case AluOp.SUB: case AluOp.CMP: r = trunc(a - b, size); setCc(s, CcOp.Sub, size, r, a, b, 0); return r;
    case AluOp.AND: r = trunc(a & b, size); break;
    case AluOp.OR: r = trunc(a | b, size); break;
    default: r = trunc(a ^ b, size); break;
  }
  setCc(s, CcOp.Logic, size, r, 0, 0, 0);
  return r;
}

function alu64(c: Cpu, op: AluOp, a: number, aHi: number, b: number, bHi: number): number {
  const s = c.s;
  let lo: number, hi: number;
  switch (op) {
    case AluOp.ADD: add64(a, aHi, b, bHi); setCc64(s, CcOp.Add, r64[0], r64[1], a, aHi, b, bHi, 0); break;
    case AluOp.ADC: { const cin = getCF(s); add64(a, aHi, b, bHi, cin); setCc64(s, CcOp.Adc, r64[0], r64[1], a, aHi, b, bHi, cin); break; }
    case AluOp.SBB: { const bin = getCF(s); sub64(a, aHi, b, bHi, bin); setCc64(s, CcOp.Sbb, r64[0], r64[1], a, aHi, b, bHi, bin); break; }
    case AluOp.SUB: case AluOp.CMP: sub64(a, aHi, b, bHi); setCc64(s, CcOp.Sub, r64[0], r64[1], a, aHi, b, bHi, 0); break;
    default:
      if (op === AluOp.AND) { lo = a & b; hi = aHi & bHi; }
      else if (op === AluOp.OR) { lo = a | b; hi = aHi | bHi; }
      else { lo = a ^ b; hi = aHi ^ bHi; }
      setCc64(s, CcOp.Logic, lo, hi, 0, 0, 0, 0, 0);
      c.hi = hi >>> 0;
      return lo >>> 0;
  }
  c.hi = r64[1];
  return r64[0];
}

/** E op= G */
function aluEG(c: Cpu, i: DecodedInsn, op: AluOp, size: number): void {
  const b = readG(c, i, size), bHi = c.hi;
  const a = op === AluOp.CMP ? readE(c, i, size) : readRmwE(c, i, size), aHi = c.hi;
  const r = alu(c, op, size, a, aHi, b, bHi);
  if (op !== AluOp.CMP) writeE(c, i, size, r, c.hi);
}
/** G op= E */
function aluGE(c: Cpu, i: DecodedInsn, op: AluOp, size: number): void {
  const b = readE(c, i, size), bHi = c.hi;
  const a = readG(c, i, size), aHi = c.hi;
  const r = alu(c, op, size, a, aHi, b, bHi);
  if (op !== AluOp.CMP) writeG(c, i, size, r, c.hi);
}
/** E op= imm (sign-extended to the operand size) */
function aluEI(c: Cpu, i: DecodedInsn, op: AluOp, size: number): void {
  const a = op === AluOp.CMP ? readE(c, i, size) : readRmwE(c, i, size), aHi = c.hi;
  const r = alu(c, op, size, a, aHi, trunc(i.imm, size), i.imm >> 31);
  if (op !== AluOp.CMP) writeE(c, i, size, r, c.hi);
}
/** AL/eAX op= imm */
function aluAI(c: Cpu, i: DecodedInsn, op: AluOp, size: number): void {
  const a = c.getReg(0, size), aHi = c.hi;
  const r = alu(c, op, size, a, aHi, trunc(i.imm, size), i.imm >> 31);
  if (op !== AluOp.CMP) c.setReg(0, size, r, c.hi);
}

function test(c: Cpu, size: number, a: number, aHi: number, b: number, bHi: number): void {
  if (size === 8) setCc64(c.s, CcOp.Logic, a & b, aHi & bHi, 0, 0, 0, 0, 0);
  else setCc(c.s, CcOp.Logic, size, trunc(a & b, size), 0, 0, 0);
}

function incDec(c: Cpu, i: DecodedInsn, size: number, dec: boolean, reg: number): void {
  const s = c.s;
  const a = reg >= 0 ? c.getReg(reg, size) : readRmwE(c, i, size), aHi = c.hi;
  const cf = getCF(s);
  let r: number, rHi = 0;
  if (size === 8) {
    if (dec) sub64(a, aHi, 1, 0); else add64(a, aHi, 1, 0);
    r = r64[0]; rHi = r64[1];
    setCc64(s, dec ? CcOp.Dec : CcOp.Inc, r, rHi, a, aHi, 1, 0, cf);
  } else {
    r = trunc(dec ? a - 1 : a + 1, size);
    setCc(s, dec ? CcOp.Dec : CcOp.Inc, size, r, a, 1, cf);
  }
  if (reg >= 0) c.setReg(reg, size, r, rHi);
  else writeE(c, i, size, r, rHi);
}

function notE(c: Cpu, i: DecodedInsn, size: number): void {
  const a = readRmwE(c, i, size), aHi = c.hi;
  writeE(c, i, size, trunc(~a, size), ~aHi >>> 0);
}

function negE(c: Cpu, i: DecodedInsn, size: number): void {
  const a = readRmwE(c, i, size), aHi = c.hi;
  const r = alu(c, AluOp.SUB, size, 0, 0, a, aHi);
  writeE(c, i, size, r, c.hi);
}

export function registerAlu(h: HandlerTable): void {
  ALU_NAMES.forEach((m, op) => {
    h[`${m}_EbGb`] = (c, i) => aluEG(c, i, op, 1);
    h[`${m}_EvGv`] = (c, i) => aluEG(c, i, op, i.osz);
    h[`${m}_GbEb`] = (c, i) => aluGE(c, i, op, 1);
    h[`${m}_GvEv`] = (c, i) => aluGE(c, i, op, i.osz);
    h[`${m}_ALIb`] = (c, i) => aluAI(c, i, op, 1);
    h[`${m}_rAXIz`] = (c, i) => aluAI(c, i, op, i.osz);
    h[`${m}_EbIb`] = (c, i) => aluEI(c, i, op, 1);
    h[`${m}_EvIz`] = (c, i) => aluEI(c, i, op, i.osz);
    h[`${m}_EvIb`] = (c, i) => aluEI(c, i, op, i.osz);
  });
  h.TEST_EbGb = (c, i) => { const b = readG(c, i, 1); test(c, 1, readE(c, i, 1), 0, b, 0); };
  h.TEST_EvGv = (c, i) => { const b = readG(c, i, i.osz), bHi = c.hi; const a = readE(c, i, i.osz); test(c, i.osz, a, c.hi, b, bHi); };
  h.TEST_ALIb = (c, i) => test(c, 1, c.getReg(0, 1), 0, i.imm & 0xff, 0);
  h.TEST_rAXIz = (c, i) => { const a = c.getReg(0, i.osz); test(c, i.osz, a, c.hi, i.imm, i.imm >> 31); };
  h.TEST_EbIb = (c, i) => test(c, 1, readE(c, i, 1), 0, i.imm & 0xff, 0);
  h.TEST_EvIz = (c, i) => { const a = readE(c, i, i.osz); test(c, i.osz, a, c.hi, i.imm, i.imm >> 31); };
  h.INC_Zv = (c, i) => incDec(c, i, i.osz, false, i.opc & 7);
  h.DEC_Zv = (c, i) => incDec(c, i, i.osz, true, i.opc & 7);
  h.INC_Eb = (c, i) => incDec(c, i, 1, false, -1);
  h.DEC_Eb = (c, i) => incDec(c, i, 1, true, -1);
  h.INC_Ev = (c, i) => incDec(c, i, i.osz, false, -1);
  h.DEC_Ev = (c, i) => incDec(c, i, i.osz, true, -1);
  h.NOT_Eb = (c, i) => notE(c, i, 1);
  h.NOT_Ev = (c, i) => notE(c, i, i.osz);
  h.NEG_Eb = (c, i) => negE(c, i, 1);
  h.NEG_Ev = (c, i) => negE(c, i, i.osz);
}
