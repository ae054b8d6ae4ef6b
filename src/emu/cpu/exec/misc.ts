/**
 * Flag instructions (CLC...STI), HLT, CPUID, RDTSC/RDTSCP, RDMSR/WRMSR,
 * IN/OUT with IOPL and the TSS I/O bitmap, SYSCALL/SYSRET, SYSENTER/SYSEXIT,
 * SWAPGS, RD/WR FS/GS BASE, CLAC/STAC, fences, UD0/1/2, BCD and BOUND.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import {
  AC, AF, CF, CR4_FSGSBASE, CR4_TSD, DF, EFER_LMA, EFER_SCE, IF, IOPL, OF, RF, SegReg, VM, Vec, ZF,
  PF, SF,
} from '../arch.ts';
import { CcOp, PARITY, flushFlags, readFlags, setCc } from '../flags.ts';
import {
  CC_OP, CR0, CR4, DR7, EFER, FMASK, GPR, HALTED, KERNEL_GS_BASE, LSTAR, CSTAR, RFLAGS, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT,
  SHADOW, STAR, SYSENTER_CS, SYSENTER_EIP, SYSENTER_ESP, TSC_AUX, segOff,
} from '../state/layout.ts';
import { isCanonical, readSystem } from '../memory.ts';
import { cpuidOut } from '../cpuid.ts';
import { readMsr, readTsc, writeMsr } from '../msr.ts';
import { loadFlat } from '../segments.ts';
import { r64 } from '../u64.ts';
import { readEaPlus } from './operands.ts';
import type { HandlerTable } from './handlerTypes.ts';
import type { IoSize } from '../../devices/ioBus.ts';
import { ioIntercept } from '../vmx/ioMsrExits.ts';
import { checkIoBreakpoints, DR7_ENABLES } from '../debugRegs.ts';

function setFlag(c: Cpu, bit: number, on: boolean): void {
  const s = c.s;
  flushFlags(s);
  s[RFLAGS] = on ? s[RFLAGS] | bit : s[RFLAGS] & ~bit;
  s[CC_OP] = CcOp.Eager;
}

/** I/O breakpoints, then I/O permission (SDM Vol. 1 19.5): CPL <= IOPL, else every bit in the TSS I/O bitmap must be clear. @faults #GP(0) */
export function checkIo(c: Cpu, port: number, size: number): void {
  const s = c.s;
  // I/O breakpoints are recorded here for every IN/OUT/INS/OUTS; a #GP or VM exit discards them.
  if ((s[DR7] & DR7_ENABLES) !== 0) checkIoBreakpoints(c, port, size);
  if (!c.protectedMode && (s[RFLAGS] & VM) === 0) return;
  const iopl = (s[RFLAGS] & IOPL) >>> 12;
  if ((s[RFLAGS] & VM) === 0 && c.cpl <= iopl) return;
  const tr = segOff(SegReg.TR, 0);
  const type = s[tr + SEG_AR] & 0xf;
  const limit = s[tr + SEG_LIMIT];
  if ((type !== 0x9 && type !== 0xb) || limit < 0x67) c.fault(Vec.GP, 0);
  const base = s[tr + SEG_BASE_LO], baseHi = s[tr + SEG_BASE_HI];
  const mapOff = readSystem(c, (base + 0x66) >>> 0, baseHi, 2);
  const byte = mapOff + (port >>> 3);
  if (byte + 1 > limit) c.fault(Vec.GP, 0);
  const bits = readSystem(c, (base + byte) >>> 0, baseHi, 2);
  const mask = ((1 << size) - 1) << (port & 7);
  if ((bits & mask) !== 0) c.fault(Vec.GP, 0);
}

function ioIn(c: Cpu, i: DecodedInsn, port: number, size: number): void {
  checkIo(c, port, size);
  if (c.nonRoot) ioIntercept(c, i, port, size, true, false);
  const v = c.io.read(port, size as IoSize);
  c.setReg(0, size, v >>> 0, 0);
}

function ioOut(c: Cpu, i: DecodedInsn, port: number, size: number): void {
  checkIo(c, port, size);
  if (c.nonRoot) ioIntercept(c, i, port, size, false, false);
  c.io.write(port, size as IoSize, c.getReg(0, size));
}

function syscall(c: Cpu): void {
  const s = c.s;
  if ((s[EFER] & EFER_SCE) === 0 || !c.long64) c.fault(Vec.UD); // Intel: SYSCALL only in 64-bit mode
  const flags = readFlags(s);
  c.setReg(1, 8, s[RIP], s[RIP + 1]);
  c.setReg(11, 8, flags & ~RF, 0);
  const sel = (s[STAR + 1] & 0xffff);
  loadFlat(c, SegReg.CS, sel & 0xfffc, true, true, 0);
  loadFlat(c, SegReg.SS, (sel + 8) & 0xfffc, false, false, 0);
  s[RIP] = s[LSTAR]; s[RIP + 1] = s[LSTAR + 1];
  s[RFLAGS] = (flags & ~s[FMASK] & ~RF) | 2; s[CC_OP] = CcOp.Eager;
  c.updateMode();
  void CSTAR;
}

function sysret(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  if ((s[EFER] & EFER_SCE) === 0 || !c.long64) c.fault(Vec.UD);
  if (c.cpl !== 0) c.fault(Vec.GP, 0);
  const base = s[STAR + 1] >>> 16;
  const to64 = i.osz === 8;
  const rcx = c.getReg(1, 8), rcxHi = c.hi;
  if (to64 && !isCanonical(rcxHi)) c.fault(Vec.GP, 0);
  const r11 = c.getReg(11, 4);
  loadFlat(c, SegReg.CS, ((to64 ? base + 16 : base) & 0xfffc) | 3, true, to64, 3);
  loadFlat(c, SegReg.SS, ((base + 8) & 0xfffc) | 3, false, false, 3);
  s[RIP] = rcx; s[RIP + 1] = to64 ? rcxHi : 0;
  s[RFLAGS] = (r11 & 0x3c7fd7) | 2; s[CC_OP] = CcOp.Eager;
  c.updateMode();
}

function sysenter(c: Cpu): void {
  const s = c.s;
  const cs = s[SYSENTER_CS] & 0xfffc;
  if (!c.protectedMode && (s[RFLAGS] & VM) === 0) c.fault(Vec.GP, 0);
  if (cs === 0) c.fault(Vec.GP, 0);
  const long = (s[EFER] & EFER_LMA) !== 0;
  loadFlat(c, SegReg.CS, cs, true, long, 0);
  loadFlat(c, SegReg.SS, cs + 8, false, false, 0);
  s[RFLAGS] = readFlags(s) & ~(VM | IF | RF); s[CC_OP] = CcOp.Eager;
  s[RIP] = s[SYSENTER_EIP]; s[RIP + 1] = long ? s[SYSENTER_EIP + 1] : 0;
  s[GPR + 8] = s[SYSENTER_ESP]; s[GPR + 9] = long ? s[SYSENTER_ESP + 1] : 0;
  c.updateMode();
}

function sysexit(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  const cs = s[SYSENTER_CS] & 0xfffc;
  if (!c.protectedMode || cs === 0) c.fault(Vec.GP, 0);
  const to64 = i.osz === 8;
  const rdx = c.getReg(2, 8), rdxHi = c.hi, rcx = c.getReg(1, 8), rcxHi = c.hi;
  if (to64 && (!isCanonical(rdxHi) || !isCanonical(rcxHi))) c.fault(Vec.GP, 0);
  loadFlat(c, SegReg.CS, ((to64 ? cs + 32 : cs + 16) & 0xfffc) | 3, true, to64, 3);
  loadFlat(c, SegReg.SS, ((to64 ? cs + 40 : cs + 24) & 0xfffc) | 3, false, false, 3);
  s[RIP] = rdx; s[RIP + 1] = to64 ? rdxHi : 0;
  s[GPR + 8] = rcx; s[GPR + 9] = to64 ? rcxHi : 0;
  c.updateMode();
}

function fsgsbase(c: Cpu, i: DecodedInsn, seg: number, write: boolean): void {
  const s = c.s;
  if ((s[CR4] & CR4_FSGSBASE) === 0) c.fault(Vec.UD);
  const b = segOff(seg, 0);
  if (write) {
    const lo = c.getReg(i.rm, i.osz === 8 ? 8 : 4), hi = i.osz === 8 ? c.hi : 0;
    if (!isCanonical(hi)) c.fault(Vec.GP, 0);
    s[b + SEG_BASE_LO] = lo; s[b + SEG_BASE_HI] = hi;
  } else c.setReg(i.rm, i.osz === 8 ? 8 : 4, s[b + SEG_BASE_LO], s[b + SEG_BASE_HI]);
}

// ---- BCD (invalid in 64-bit mode; the decoder enforces that) ----------

function daaDas(c: Cpu, sub: boolean): void {
  const s = c.s;
  const f = readFlags(s);
  const al = c.getReg(0, 1);
  let cf = 0, af = 0, v = al;
  if ((al & 0xf) > 9 || (f & AF) !== 0) { v = sub ? v - 6 : v + 6; af = AF; cf = (f & CF) | (sub ? (al < 6 ? 1 : 0) : (v > 0xff ? 1 : 0)); }
  if (al > 0x99 || (f & CF) !== 0) { v = sub ? v - 0x60 : v + 0x60; cf = CF; }
  v &= 0xff;
  c.setReg(0, 1, v, 0);
  s[RFLAGS] = (f & ~(CF | AF | ZF | SF | PF | OF)) | cf | af | (v === 0 ? ZF : 0) | (v & 0x80) | PARITY[v];
  s[CC_OP] = CcOp.Eager;
}

function aaaAas(c: Cpu, sub: boolean): void {
  const s = c.s;
  const f = readFlags(s);
  let ax = c.getReg(0, 2);
  let flags = f & ~(CF | AF);
  if ((ax & 0xf) > 9 || (f & AF) !== 0) {
    ax = sub ? ((ax - 6) & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8) : (ax + 0x106) & 0xffff;
    flags |= CF | AF;
  }
  c.setReg(0, 2, ax & 0xff0f, 0);
  s[RFLAGS] = flags; s[CC_OP] = CcOp.Eager;
}

export function registerMisc(h: HandlerTable): void {
  h.CLC = (c) => setFlag(c, CF, false);
  h.STC = (c) => setFlag(c, CF, true);
  h.CMC = (c) => { const s = c.s; flushFlags(s); s[RFLAGS] ^= CF; };
  h.CLD = (c) => { c.s[RFLAGS] &= ~DF; };
  h.STD = (c) => { c.s[RFLAGS] |= DF; };
  h.CLI = (c) => {
    const s = c.s;
    if ((c.protectedMode || (s[RFLAGS] & VM) !== 0) && c.cpl > ((s[RFLAGS] & IOPL) >>> 12)) c.fault(Vec.GP, 0);
    s[RFLAGS] &= ~IF;
  };
  h.STI = (c) => {
    const s = c.s;
    if ((c.protectedMode || (s[RFLAGS] & VM) !== 0) && c.cpl > ((s[RFLAGS] & IOPL) >>> 12)) c.fault(Vec.GP, 0);
    if ((s[RFLAGS] & IF) === 0) s[SHADOW] = 1; // interrupts stay blocked until after the next instruction
    s[RFLAGS] |= IF;
  };
  h.HLT = (c) => { c.s[HALTED] = 1; };
  h.CPUID = (c) => {
    c.cpuid.query(c.getReg(0, 4), c.getReg(1, 4), c.s[CR4]);
    c.setReg(0, 4, cpuidOut[0], 0); c.setReg(3, 4, cpuidOut[1], 0);
    c.setReg(1, 4, cpuidOut[2], 0); c.setReg(2, 4, cpuidOut[3], 0);
  };
  h.RDTSC = (c) => {
    if ((c.s[CR4] & CR4_TSD) !== 0 && c.cpl !== 0) c.fault(Vec.GP, 0);
    readTsc(c);
    c.setReg(0, 4, r64[0], 0); c.setReg(2, 4, r64[1], 0);
  };
  h.RDTSCP = (c) => {
    if (!c.cpuid.has('RDTSCP')) c.fault(Vec.UD);
    if ((c.s[CR4] & CR4_TSD) !== 0 && c.cpl !== 0) c.fault(Vec.GP, 0);
    readTsc(c);
    c.setReg(0, 4, r64[0], 0); c.setReg(2, 4, r64[1], 0); c.setReg(1, 4, c.s[TSC_AUX], 0);
  };
  h.RDMSR = (c) => {
    if (!readMsr(c, c.getReg(1, 4))) c.fault(Vec.GP, 0);
    c.setReg(0, 4, r64[0], 0); c.setReg(2, 4, r64[1], 0);
  };
  h.WRMSR = (c) => writeMsr(c, c.getReg(1, 4), c.getReg(0, 4), c.getReg(2, 4));
  h.IN_ALIb = (c, i) => ioIn(c, i, i.imm & 0xff, 1);
  h.IN_eAXIb = (c, i) => ioIn(c, i, i.imm & 0xff, i.osz === 2 ? 2 : 4);
  h.IN_ALDX = (c, i) => ioIn(c, i, c.getReg(2, 2), 1);
  h.IN_eAXDX = (c, i) => ioIn(c, i, c.getReg(2, 2), i.osz === 2 ? 2 : 4);
  h.OUT_IbAL = (c, i) => ioOut(c, i, i.imm & 0xff, 1);
  h.OUT_IbeAX = (c, i) => ioOut(c, i, i.imm & 0xff, i.osz === 2 ? 2 : 4);
  h.OUT_DXAL = (c, i) => ioOut(c, i, c.getReg(2, 2), 1);
  h.OUT_DXeAX = (c, i) => ioOut(c, i, c.getReg(2, 2), i.osz === 2 ? 2 : 4);
  h.SYSCALL = syscall;
  h.SYSRET = sysret;
  h.SYSENTER = sysenter;
  h.SYSEXIT = sysexit;
  h.SWAPGS = (c) => {
    if (c.cpl !== 0) c.fault(Vec.GP, 0);
    const s = c.s, b = segOff(SegReg.GS, SEG_BASE_LO);
    const lo = s[b], hi = s[b + 1];
    s[b] = s[KERNEL_GS_BASE]; s[b + 1] = s[KERNEL_GS_BASE + 1];
    s[KERNEL_GS_BASE] = lo; s[KERNEL_GS_BASE + 1] = hi;
  };
  h.RDFSBASE_Ry = (c, i) => fsgsbase(c, i, SegReg.FS, false);
  h.RDGSBASE_Ry = (c, i) => fsgsbase(c, i, SegReg.GS, false);
  h.WRFSBASE_Ry = (c, i) => fsgsbase(c, i, SegReg.FS, true);
  h.WRGSBASE_Ry = (c, i) => fsgsbase(c, i, SegReg.GS, true);
  h.CLAC = (c) => { if (!c.cpuid.has('SMAP') || c.cpl !== 0) c.fault(Vec.UD); c.s[RFLAGS] &= ~AC; };
  h.STAC = (c) => { if (!c.cpuid.has('SMAP') || c.cpl !== 0) c.fault(Vec.UD); c.s[RFLAGS] |= AC; };
  h.RDPMC = (c) => {
    // No performance counters are advertised (no CPUID leaf 0AH): every counter index is invalid.
    if ((c.s[CR4] & (1 << 8)) === 0 && c.cpl !== 0) c.fault(Vec.GP, 0);
    c.fault(Vec.GP, 0);
  };
  h.LFENCE = () => {};
  h.MFENCE = () => {};
  h.SFENCE = () => {};
  h.CLFLUSH_Mb = (c, i) => { readEaPlus(c, i, 0, 1); };
  h.UD2 = (c) => c.fault(Vec.UD);
  h.UD0_GvEv = (c) => c.fault(Vec.UD);
  h.UD1_GvEv = (c) => c.fault(Vec.UD);
  h.DAA = (c) => daaDas(c, false);
  h.DAS = (c) => daaDas(c, true);
  h.AAA = (c) => aaaAas(c, false);
  h.AAS = (c) => aaaAas(c, true);
  h.AAM_Ib = (c, i) => {
    const base = i.imm & 0xff;
    if (base === 0) c.fault(Vec.DE);
    const al = c.getReg(0, 1);
    const r = al % base;
    c.setReg(0, 2, (Math.floor(al / base) << 8) | r, 0);
    setCc(c.s, CcOp.Logic, 1, r, 0, 0, 0);
  };
  h.AAD_Ib = (c, i) => {
    const ax = c.getReg(0, 2);
    const r = ((ax & 0xff) + (ax >> 8) * (i.imm & 0xff)) & 0xff;
    c.setReg(0, 2, r, 0);
    setCc(c.s, CcOp.Logic, 1, r, 0, 0, 0);
  };
  h.SALC = (c) => c.setReg(0, 1, (readFlags(c.s) & CF) !== 0 ? 0xff : 0, 0);
  h.BOUND_GvMa = (c, i) => {
    const size = i.osz;
    const idx = c.getReg(i.reg, size);
    const lo = readEaPlus(c, i, 0, size), hi = readEaPlus(c, i, size, size);
    const sx = (v: number): number => (size === 2 ? (v << 16) >> 16 : v | 0);
    if (sx(idx) < sx(lo) || sx(idx) > sx(hi)) c.fault(Vec.BR);
  };

}
