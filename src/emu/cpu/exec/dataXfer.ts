/**
 * Data transfer: MOV forms, MOVZX/MOVSX/MOVSXD, LEA, XCHG, CBW/CWD families,
 * BSWAP, CMOVcc/SETcc, LAHF/SAHF, XLAT, MOVBE, CMPXCHG/XADD/CMPXCHG8B/16B.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { AF, CF, PF, SF, SegReg, Vec, ZF } from '../arch.ts';
import { CcOp, flushFlags, readFlags, testCc } from '../flags.ts';
import { CC_OP, RFLAGS, SEG_SEL, SHADOW, segOff } from '../state/layout.ts';
import { readMem, writeMem } from '../memory.ts';
import { loadSeg } from '../segments.ts';
import { readE, readEaPlus, readG, readRmwE, writeE, writeEaPlus, writeG } from './operands.ts';
import { AluOp, alu, trunc } from './alu.ts';
import type { HandlerTable } from './handlerTypes.ts';

/** Memory offset of a moffs operand (A0-A3), truncated to the address size. */
function moffs(c: Cpu, i: DecodedInsn): void {
  c.eaLo = i.imm >>> 0;
  c.eaHi = i.asz === 8 ? i.immHi >>> 0 : 0;
}

function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) >>> 0;
}

function xchgReg(c: Cpu, a: number, b: number, size: number, rex: number): void {
  const va = c.getReg(a, size, rex), vaHi = c.hi;
  const vb = c.getReg(b, size, rex), vbHi = c.hi;
  c.setReg(a, size, vb, vbHi, rex);
  c.setReg(b, size, va, vaHi, rex);
}

/** MOV/POP to a segment register: a load of SS inhibits interrupts for one instruction. */
export function movToSreg(c: Cpu, seg: number, sel: number): void {
  if (seg === SegReg.CS) c.fault(Vec.UD);
  loadSeg(c, seg, sel);
  if (seg === SegReg.SS) { c.s[SHADOW] = 2; c.updateMode(); } // 2: blocking by MOV SS
}

function cmpxchg(c: Cpu, i: DecodedInsn, size: number): void {
  const src = readG(c, i, size), srcHi = c.hi;
  const dst = readRmwE(c, i, size), dstHi = c.hi;
  const acc = c.getReg(0, size), accHi = c.hi;
  alu(c, AluOp.CMP, size, acc, accHi, dst, dstHi);
  if (acc === dst && (size !== 8 || accHi === dstHi)) writeE(c, i, size, src, srcHi);
  else {
    // The destination is written back either way (a locked read-modify-write).
    if (i.mod !== 3) writeE(c, i, size, dst, dstHi);
    c.setReg(0, size, dst, dstHi);
  }
}

function xadd(c: Cpu, i: DecodedInsn, size: number): void {
  const src = readG(c, i, size), srcHi = c.hi;
  const dst = readRmwE(c, i, size), dstHi = c.hi;
  const sum = alu(c, AluOp.ADD, size, dst, dstHi, src, srcHi), sumHi = c.hi;
  writeG(c, i, size, dst, dstHi);
  writeE(c, i, size, sum, sumHi);
}

function cmpxchg8b(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  if (i.osz === 8) {
    if ((c.eaLo & 15) !== 0) c.fault(Vec.GP, 0);
    const m0 = readEaPlus(c, i, 0, 8), m1 = c.hi;
    const m2 = readEaPlus(c, i, 8, 8), m3 = c.hi;
    const a0 = c.getReg(0, 8), a1 = c.hi, d0 = c.getReg(2, 8), d1 = c.hi;
    flushFlags(s);
    if (m0 === a0 && m1 === a1 && m2 === d0 && m3 === d1) {
      const b0 = c.getReg(3, 8), b1 = c.hi, c0 = c.getReg(1, 8), c1 = c.hi;
      writeEaPlus(c, i, 0, 8, b0, b1); writeEaPlus(c, i, 8, 8, c0, c1);
      s[RFLAGS] |= ZF;
    } else {
      writeEaPlus(c, i, 0, 8, m0, m1); writeEaPlus(c, i, 8, 8, m2, m3);
      c.setReg(0, 8, m0, m1); c.setReg(2, 8, m2, m3);
      s[RFLAGS] &= ~ZF;
    }
    return;
  }
  const lo = readEaPlus(c, i, 0, 8), hi = c.hi;
  const eax = c.getReg(0, 4), edx = c.getReg(2, 4);
  flushFlags(s);
  if (lo === eax && hi === edx) {
    writeEaPlus(c, i, 0, 8, c.getReg(3, 4), c.getReg(1, 4));
    s[RFLAGS] |= ZF;
  } else {
    writeEaPlus(c, i, 0, 8, lo, hi);
    c.setReg(0, 4, lo, 0); c.setReg(2, 4, hi, 0);
    s[RFLAGS] &= ~ZF;
  }
}

export function registerDataXfer(h: HandlerTable): void {
  h.MOV_EbGb = (c, i) => writeE(c, i, 1, readG(c, i, 1), 0);
  h.MOV_EvGv = (c, i) => { const v = readG(c, i, i.osz); writeE(c, i, i.osz, v, c.hi); };
  h.MOV_GbEb = (c, i) => writeG(c, i, 1, readE(c, i, 1), 0);
  h.MOV_GvEv = (c, i) => { const v = readE(c, i, i.osz); writeG(c, i, i.osz, v, c.hi); };
  h.MOV_EbIb = (c, i) => writeE(c, i, 1, i.imm & 0xff, 0);
  h.MOV_EvIz = (c, i) => writeE(c, i, i.osz, trunc(i.imm, i.osz === 8 ? 4 : i.osz), i.imm >> 31);
  h.MOV_ZbIb = (c, i) => c.setReg((i.opc & 7) | ((i.rex & 1) << 3), 1, i.imm, 0, i.rex);
  h.MOV_ZvIv = (c, i) => c.setReg((i.opc & 7) | ((i.rex & 1) << 3), i.osz, i.osz === 2 ? i.imm & 0xffff : i.imm >>> 0, i.immHi >>> 0);
  h.MOV_ALOb = (c, i) => { moffs(c, i); c.setReg(0, 1, readMem(c, i.seg, c.eaLo, c.eaHi, 1), 0); };
  h.MOV_rAXOv = (c, i) => { moffs(c, i); const v = readMem(c, i.seg, c.eaLo, c.eaHi, i.osz); c.setReg(0, i.osz, v, c.hi); };
  h.MOV_ObAL = (c, i) => { moffs(c, i); writeMem(c, i.seg, c.eaLo, c.eaHi, 1, c.getReg(0, 1), 0); };
  h.MOV_OvrAX = (c, i) => { moffs(c, i); const v = c.getReg(0, i.osz); writeMem(c, i.seg, c.eaLo, c.eaHi, i.osz, v, c.hi); };
  h.MOV_EvSw = (c, i) => {
    const sel = c.s[segOff(i.reg & 7, SEG_SEL)] & 0xffff;
    // Memory destinations are always 16 bits; register destinations are zero-extended.
    if (i.mod === 3) c.setReg(i.rm, i.osz === 2 ? 2 : i.osz, sel, 0);
    else writeE(c, i, 2, sel, 0);
  };
  h.MOV_SwEw = (c, i) => movToSreg(c, i.reg & 7, readE(c, i, 2));
  h.MOVZX_GvEb = (c, i) => writeG(c, i, i.osz, readE(c, i, 1), 0);
  h.MOVZX_GvEw = (c, i) => writeG(c, i, i.osz, readE(c, i, 2), 0);
  h.MOVSX_GvEb = (c, i) => { const v = (readE(c, i, 1) << 24) >> 24; writeG(c, i, i.osz, trunc(v, i.osz === 8 ? 4 : i.osz), v >> 31); };
  h.MOVSX_GvEw = (c, i) => { const v = (readE(c, i, 2) << 16) >> 16; writeG(c, i, i.osz, trunc(v, i.osz === 8 ? 4 : i.osz), v >> 31); };
  h.MOVSXD_GvEd = (c, i) => {
    if (i.osz === 8) { const v = readE(c, i, 4); writeG(c, i, 8, v, (v | 0) >> 31); }
    else writeG(c, i, i.osz, readE(c, i, i.osz), 0);
  };
  h.LEA_GvM = (c, i) => writeG(c, i, i.osz, i.osz === 2 ? c.eaLo & 0xffff : c.eaLo, i.osz === 8 ? c.eaHi : 0);
  h.XCHG_EbGb = (c, i) => { const g = readG(c, i, 1); const e = readE(c, i, 1); writeE(c, i, 1, g, 0); writeG(c, i, 1, e, 0); };
  h.XCHG_EvGv = (c, i) => {
    const g = readG(c, i, i.osz), gHi = c.hi;
    const e = readE(c, i, i.osz), eHi = c.hi;
    writeE(c, i, i.osz, g, gHi); writeG(c, i, i.osz, e, eHi);
  };
  h.XCHG_ZvrAX = (c, i) => xchgReg(c, (i.opc & 7) | ((i.rex & 1) << 3), 0, i.osz, i.rex);
  // 90: NOP; with REX.B it is XCHG r8, rAX; F3 90 is PAUSE.
  h.NOP = (c, i) => { if ((i.rex & 1) !== 0) xchgReg(c, 8, 0, i.osz, i.rex); };
  h.NOP_Ev = () => {};
  h.PREFETCH_Mb = () => {};
  h.PREFETCHW_Mb = () => {};
  h.CBW = (c, i) => {
    if (i.osz === 2) c.setReg(0, 2, ((c.getReg(0, 1) << 24) >> 24) & 0xffff, 0);
    else if (i.osz === 4) c.setReg(0, 4, (c.getReg(0, 2) << 16) >> 16, 0);
    else { const v = c.getReg(0, 4); c.setReg(0, 8, v, (v | 0) >> 31); }
  };
  h.CWD = (c, i) => {
    if (i.osz === 2) c.setReg(2, 2, (c.getReg(0, 2) & 0x8000) !== 0 ? 0xffff : 0, 0);
    else if (i.osz === 4) c.setReg(2, 4, (c.getReg(0, 4) | 0) >> 31, 0);
    else { c.getReg(0, 8); const sgn = (c.hi | 0) >> 31; c.setReg(2, 8, sgn, sgn); }
  };
  h.BSWAP_Zv = (c, i) => {
    const r = (i.opc & 7) | ((i.rex & 1) << 3);
    if (i.osz === 8) { const lo = c.getReg(r, 8), hi = c.hi; c.setReg(r, 8, bswap32(hi), bswap32(lo)); }
    else if (i.osz === 4) c.setReg(r, 4, bswap32(c.getReg(r, 4)), 0);
    else c.setReg(r, 2, 0, 0); // 16-bit BSWAP is undefined; hardware and QEMU give 0
  };
  const CC = ['O', 'NO', 'B', 'NB', 'Z', 'NZ', 'BE', 'NBE', 'S', 'NS', 'P', 'NP', 'L', 'NL', 'LE', 'NLE'];
  CC.forEach((n, cc) => {
    h[`CMOV${n}_GvEv`] = (c, i) => {
      const v = readE(c, i, i.osz), vHi = c.hi;
      if (testCc(c.s, cc)) writeG(c, i, i.osz, v, vHi);
      else if (i.osz === 4) c.setReg(i.reg, 4, c.getReg(i.reg, 4), 0); // 32-bit CMOV zero-extends even when false
    };
    h[`SET${n}_Eb`] = (c, i) => writeE(c, i, 1, testCc(c.s, cc) ? 1 : 0, 0);
  });
  h.LAHF = (c) => c.setReg(4, 1, readFlags(c.s) & 0xff, 0, 0);
  h.SAHF = (c) => {
    const s = c.s;
    flushFlags(s);
    const m = SF | ZF | AF | PF | CF;
    s[RFLAGS] = (s[RFLAGS] & ~m) | (c.getReg(4, 1, 0) & m);
    s[CC_OP] = CcOp.Eager;
  };
  h.XLAT = (c, i) => {
    const bx = c.getReg(3, i.asz === 2 ? 2 : i.asz), bxHi = c.hi;
    let lo = bx + c.getReg(0, 1), hi = i.asz === 8 ? bxHi : 0;
    if (i.asz === 8) { if (lo > 0xffffffff) hi = (hi + 1) >>> 0; lo >>>= 0; }
    else lo = i.asz === 4 ? lo >>> 0 : lo & 0xffff;
    c.setReg(0, 1, readMem(c, i.seg, lo, hi, 1), 0);
  };
  h.MOVBE_GvMv = (c, i) => {
    const v = readE(c, i, i.osz), vHi = c.hi;
    if (i.osz === 8) writeG(c, i, 8, bswap32(vHi), bswap32(v));
    else if (i.osz === 4) writeG(c, i, 4, bswap32(v), 0);
    else writeG(c, i, 2, ((v >>> 8) | (v << 8)) & 0xffff, 0);
  };
  h.MOVBE_MvGv = (c, i) => {
    const v = readG(c, i, i.osz), vHi = c.hi;
    if (i.osz === 8) writeE(c, i, 8, bswap32(vHi), bswap32(v));
    else if (i.osz === 4) writeE(c, i, 4, bswap32(v), 0);
    else writeE(c, i, 2, ((v >>> 8) | (v << 8)) & 0xffff, 0);
  };
  h.CMPXCHG_EbGb = (c, i) => cmpxchg(c, i, 1);
  h.CMPXCHG_EvGv = (c, i) => cmpxchg(c, i, i.osz);
  h.XADD_EbGb = (c, i) => xadd(c, i, 1);
  h.XADD_EvGv = (c, i) => xadd(c, i, i.osz);
  h.CMPXCHG8B_Mq = cmpxchg8b;
  // LDS/LES/LSS/LFS/LGS: offset then selector from memory; the segment load (and its faults) comes first.
  const farLoad = (seg: number) => (c: Cpu, i: DecodedInsn): void => {
    const size = i.osz;
    const off = readEaPlus(c, i, 0, size), offHi = c.hi;
    const sel = readEaPlus(c, i, size, 2);
    movToSreg(c, seg, sel);
    writeG(c, i, size, off, offHi);
  };
  h.LDS_GzMp = farLoad(SegReg.DS);
  h.LES_GzMp = farLoad(SegReg.ES);
  h.LSS_GvMp = farLoad(SegReg.SS);
  h.LFS_GvMp = farLoad(SegReg.FS);
  h.LGS_GvMp = farLoad(SegReg.GS);
}
