/**
 * Interrupt and exception delivery (SDM Vol. 3 chapter 6): the real-mode IVT,
 * protected-mode 16/32-bit interrupt and trap gates with the privilege-change
 * stack switch through the TSS, and the 64-bit IDT with IST. Task gates are
 * reported as unimplemented. Faults during delivery propagate to
 * Cpu.deliverWithNesting, which applies the double-fault rules.
 */
import type { Cpu } from './cpu.ts';
import {
  AC, AR_L, AR_DB, AR_P, AR_S, AR_UNUSABLE, CR0_PE, EFER_LMA, IF, NT, RF, SegReg, TF, TYPE_C, TYPE_CODE, TYPE_W, VM, Vec,
} from './arch.ts';
import { NO_ERR, hasErrorCode } from './fault.ts';
import { CC_OP, CR0, EFER, GPR, HALTED, IDTR, RFLAGS, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, segOff } from './state/layout.ts';
import { readFlags } from './flags.ts';
import { isCanonical, readSystem, writeLinear } from './memory.ts';
import { arDpl, desc, descAr, loadCacheFromDesc, loadSegReal, readDescriptor, setAccessed } from './segments.ts';
import { CcOp } from './flags.ts';

export const enum EventKind {
  /** Processor-detected exception: EXT=1 in error codes, no gate DPL check. */
  Exception = 0,
  /** External interrupt (INTR): EXT=1. */
  External = 1,
  /** INT n, INT3, INTO: gate DPL is checked against CPL; EXT=0. */
  Software = 2,
  /** INT1 (ICEBP): no DPL check, EXT=0. */
  PrivSoftware = 3,
}

/** Writes a value to the stack being built (not yet loaded in SS): the linear address is given. */
function pushAt(c: Cpu, laLo: number, laHi: number, size: number, lo: number, hi: number): void {
  writeLinear(c, laLo >>> 0, laHi >>> 0, size, lo, hi);
}

/** Delivers vector `vec`; RIP must already hold the return address. @faults */
export function deliverEvent(c: Cpu, vec: number, err: number, kind: EventKind): void {
  const s = c.s;
  s[HALTED] = 0;
  if (kind === EventKind.Exception && !hasErrorCode(vec)) err = NO_ERR;
  if (kind !== EventKind.Exception) err = NO_ERR;
  if ((s[CR0] & CR0_PE) === 0) { realMode(c, vec); return; }
  if ((s[RFLAGS] & VM) !== 0) c.unimplemented(`interrupt delivery from virtual-8086 mode (vector ${vec})`);
  if ((s[EFER] & EFER_LMA) !== 0) longMode(c, vec, err, kind);
  else protMode(c, vec, err, kind);
}

function realMode(c: Cpu, vec: number): void {
  const s = c.s;
  if (vec * 4 + 3 > s[IDTR + 2]) c.fault(Vec.GP, 0);
  const ent = readSystem(c, (s[IDTR] + vec * 4) >>> 0, 0, 4);
  const flags = readFlags(s);
  const sp = s[GPR + 8];
  const ssBase = s[segOff(SegReg.SS, SEG_BASE_LO)];
  const sp1 = (sp - 2) & 0xffff, sp2 = (sp - 4) & 0xffff, sp3 = (sp - 6) & 0xffff;
  pushAt(c, ssBase + sp1, 0, 2, flags, 0);
  pushAt(c, ssBase + sp2, 0, 2, s[segOff(SegReg.CS, SEG_SEL)], 0);
  pushAt(c, ssBase + sp3, 0, 2, s[RIP], 0);
  s[GPR + 8] = (sp & 0xffff0000) | sp3;
  s[RFLAGS] = flags & ~(IF | TF | AC | RF); s[CC_OP] = CcOp.Eager;
  loadSegReal(c, SegReg.CS, ent >>> 16, false);
  s[RIP] = ent & 0xffff; s[RIP + 1] = 0;
  c.updateMode();
}

/** Reads the IDT gate for `vec` into desc[]; returns the error code to use for gate faults. */
function readGate(c: Cpu, vec: number, bytes: number, ext: number): void {
  const s = c.s;
  const idtErr = vec * 8 + 2 + ext;
  if (vec * bytes + bytes - 1 > s[IDTR + 2]) c.fault(Vec.GP, idtErr);
  const base = s[IDTR], baseHi = s[IDTR + 1];
  for (let k = 0; k < bytes / 4; k++) {
    const l = base + vec * bytes + k * 4;
    desc[k] = readSystem(c, l >>> 0, bytes === 16 ? (baseHi + (l > 0xffffffff ? 1 : 0)) >>> 0 : 0, 4);
  }
}

/** Validates the gate's target code segment; desc[] then holds the code descriptor. Returns its DPL. */
function checkTargetCs(c: Cpu, sel: number, ext: number): number {
  if ((sel & 0xfffc) === 0) c.fault(Vec.GP, ext);
  if (!readDescriptor(c, sel)) c.fault(Vec.GP, (sel & 0xfffc) + ext);
  const ar = descAr(desc[1]);
  const dpl = arDpl(ar);
  if ((ar & (AR_S | TYPE_CODE)) !== (AR_S | TYPE_CODE) || dpl > c.cpl) c.fault(Vec.GP, (sel & 0xfffc) + ext);
  if ((ar & AR_P) === 0) c.fault(Vec.NP, (sel & 0xfffc) + ext);
  return dpl;
}

function protMode(c: Cpu, vec: number, err: number, kind: EventKind): void {
  const s = c.s;
  const ext = kind === EventKind.Exception || kind === EventKind.External ? 1 : 0;
  readGate(c, vec, 8, ext);
  const g0 = desc[0], g1 = desc[1];
  const type = (g1 >>> 8) & 0x1f;
  if (type === 0x05) c.unimplemented(`task gate in the IDT (vector ${vec})`);
  if (type !== 0x06 && type !== 0x07 && type !== 0x0e && type !== 0x0f) c.fault(Vec.GP, vec * 8 + 2 + ext);
  if (kind === EventKind.Software && ((g1 >>> 13) & 3) < c.cpl) c.fault(Vec.GP, vec * 8 + 2);
  if ((g1 & 0x8000) === 0) c.fault(Vec.NP, vec * 8 + 2 + ext);
  const gate32 = (type & 8) !== 0;
  const trap = (type & 1) !== 0;
  const sel = g0 >>> 16;
  const offset = gate32 ? ((g0 & 0xffff) | (g1 & 0xffff0000)) >>> 0 : g0 & 0xffff;
  const dpl = checkTargetCs(c, sel, ext);
  const csLo = desc[0], csHi = desc[1];
  const ar = descAr(csHi);
  const conforming = (ar & TYPE_C) !== 0;
  const size = gate32 ? 4 : 2;
  const flags = readFlags(s);
  const oldCs = s[segOff(SegReg.CS, SEG_SEL)], oldEip = s[RIP];
  let ssBase: number, sp: number, spMask: number;
  let newSs = -1;
  let newSsLo = 0, newSsHi = 0;
  const oldSs = s[segOff(SegReg.SS, SEG_SEL)], oldEsp = s[GPR + 8];
  if (!conforming && dpl < c.cpl) {
    // Inner privilege: stack from the TSS (SDM 6.12.1).
    const tr = segOff(SegReg.TR, 0);
    const tssType = s[tr + SEG_AR] & 0xf;
    const tss32 = (tssType & 8) !== 0;
    const entOff = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    if (entOff + (tss32 ? 5 : 3) > s[tr + SEG_LIMIT]) c.fault(Vec.TS, (s[tr + SEG_SEL] & 0xfffc) + ext);
    const tssBase = s[tr + SEG_BASE_LO];
    const nsp = tss32 ? readSystem(c, tssBase + entOff, 0, 4) : readSystem(c, tssBase + entOff, 0, 2);
    const nss = readSystem(c, tssBase + entOff + size, 0, 2);
    if ((nss & 0xfffc) === 0) c.fault(Vec.TS, ext);
    if (!readDescriptor(c, nss)) c.fault(Vec.TS, (nss & 0xfffc) + ext);
    const sar = descAr(desc[1]);
    if ((nss & 3) !== dpl || arDpl(sar) !== dpl || (sar & (AR_S | TYPE_CODE | TYPE_W)) !== (AR_S | TYPE_W)) c.fault(Vec.TS, (nss & 0xfffc) + ext);
    if ((sar & AR_P) === 0) c.fault(Vec.SS, (nss & 0xfffc) + ext);
    newSs = nss; newSsLo = desc[0]; newSsHi = desc[1];
    ssBase = ((newSsLo >>> 16) | ((newSsHi & 0xff) << 16) | (newSsHi & 0xff000000)) >>> 0;
    spMask = (sar & AR_DB) !== 0 ? 0xffffffff : 0xffff;
    sp = nsp;
    // Push old SS:ESP on the new stack.
    const savedCpl = c.cpl;
    c.cpl = dpl; // accesses to the new stack are made at the new privilege level
    try {
      sp = (sp - size) & spMask; pushAt(c, ssBase + sp, 0, size, oldSs, 0);
      sp = (sp - size) & spMask; pushAt(c, ssBase + sp, 0, size, oldEsp, 0);
      sp = pushFrame(c, ssBase, sp, spMask, size, flags, oldCs, oldEip, err);
    } finally { c.cpl = savedCpl; }
  } else if (conforming || dpl === c.cpl) {
    ssBase = s[segOff(SegReg.SS, SEG_BASE_LO)];
    spMask = (s[segOff(SegReg.SS, SEG_AR)] & AR_DB) !== 0 ? 0xffffffff : 0xffff;
    sp = pushFrame(c, ssBase, oldEsp & spMask, spMask, size, flags, oldCs, oldEip, err);
  } else {
    c.fault(Vec.GP, (sel & 0xfffc) + ext);
  }
  // Commit.
  const newCpl = conforming ? c.cpl : dpl;
  if (newSs >= 0) {
    desc[0] = newSsLo; desc[1] = newSsHi;
    setAccessed(c, newSs);
    loadCacheFromDesc(c, SegReg.SS, newSs);
  }
  desc[0] = csLo; desc[1] = csHi;
  setAccessed(c, sel);
  loadCacheFromDesc(c, SegReg.CS, (sel & 0xfffc) | newCpl);
  s[GPR + 8] = spMask === 0xffff ? (s[GPR + 8] & 0xffff0000) | sp : sp;
  s[RIP] = offset; s[RIP + 1] = 0;
  s[RFLAGS] = flags & ~(TF | NT | RF | VM | (trap ? 0 : IF)); s[CC_OP] = CcOp.Eager;
  c.updateMode();
}

/** Pushes EFLAGS, CS, EIP and the error code; returns the new stack pointer. */
function pushFrame(c: Cpu, base: number, sp: number, mask: number, size: number, flags: number, cs: number, eip: number, err: number): number {
  sp = (sp - size) & mask; pushAt(c, base + sp, 0, size, flags, 0);
  sp = (sp - size) & mask; pushAt(c, base + sp, 0, size, cs, 0);
  sp = (sp - size) & mask; pushAt(c, base + sp, 0, size, eip, 0);
  if (err !== NO_ERR) { sp = (sp - size) & mask; pushAt(c, base + sp, 0, size, err, 0); }
  return sp >>> 0;
}

function longMode(c: Cpu, vec: number, err: number, kind: EventKind): void {
  const s = c.s;
  const ext = kind === EventKind.Exception || kind === EventKind.External ? 1 : 0;
  readGate(c, vec, 16, ext);
  const g0 = desc[0], g1 = desc[1], g2 = desc[2];
  const type = (g1 >>> 8) & 0x1f;
  if (type !== 0x0e && type !== 0x0f) c.fault(Vec.GP, vec * 8 + 2 + ext);
  if (kind === EventKind.Software && ((g1 >>> 13) & 3) < c.cpl) c.fault(Vec.GP, vec * 8 + 2);
  if ((g1 & 0x8000) === 0) c.fault(Vec.NP, vec * 8 + 2 + ext);
  const trap = (type & 1) !== 0;
  const sel = g0 >>> 16;
  const ripLo = ((g0 & 0xffff) | (g1 & 0xffff0000)) >>> 0, ripHi = g2;
  const ist = g1 & 7;
  const dpl = checkTargetCs(c, sel, ext);
  const csLo = desc[0], csHi = desc[1];
  const ar = descAr(csHi);
  if ((ar & AR_L) === 0 || (ar & AR_DB) !== 0) c.fault(Vec.GP, (sel & 0xfffc) + ext);
  if (!isCanonical(ripHi)) c.fault(Vec.GP, ext);
  const conforming = (ar & TYPE_C) !== 0;
  const newCpl = conforming ? c.cpl : dpl;
  const flags = readFlags(s);
  const oldSs = s[segOff(SegReg.SS, SEG_SEL)];
  const oldCs = s[segOff(SegReg.CS, SEG_SEL)];
  const rspK = GPR + 8;
  let spLo = s[rspK], spHi = s[rspK + 1];
  const oldSpLo = spLo, oldSpHi = spHi;
  if (newCpl < c.cpl || ist !== 0) {
    const tr = segOff(SegReg.TR, 0);
    const off = ist !== 0 ? 0x24 + (ist - 1) * 8 : 4 + newCpl * 8;
    if (off + 7 > s[tr + SEG_LIMIT]) c.fault(Vec.TS, (s[tr + SEG_SEL] & 0xfffc) + ext);
    const b = s[tr + SEG_BASE_LO] + off;
    const bh = (s[tr + SEG_BASE_HI] + (b > 0xffffffff ? 1 : 0)) >>> 0;
    spLo = readSystem(c, b >>> 0, bh, 4);
    spHi = readSystem(c, (b + 4) >>> 0, (b + 4) > 0xffffffff ? (s[tr + SEG_BASE_HI] + 1) >>> 0 : bh, 4);
    if (!isCanonical(spHi)) c.fault(Vec.SS, ext);
  }
  spLo = (spLo & ~0xf) >>> 0; // 16-byte alignment (SDM 6.14.2)
  const vals = [oldSs, 0, oldSpLo, oldSpHi, flags, 0, oldCs, 0, s[RIP], s[RIP + 1]];
  if (err !== NO_ERR) vals.push(err, 0);
  const savedCpl = c.cpl;
  c.cpl = newCpl;
  try {
    for (let k = 0; k < vals.length; k += 2) {
      const l = spLo - 8;
      spHi = l < 0 ? (spHi - 1) >>> 0 : spHi; spLo = l >>> 0;
      if (!isCanonical(spHi)) c.fault(Vec.SS, ext);
      writeLinear(c, spLo, spHi, 8, vals[k], vals[k + 1]);
    }
  } finally { c.cpl = savedCpl; }
  if (newCpl < c.cpl) {
    const b = segOff(SegReg.SS, 0);
    s[b + SEG_SEL] = newCpl; s[b + SEG_BASE_LO] = 0; s[b + SEG_BASE_HI] = 0; s[b + SEG_LIMIT] = 0;
    s[b + SEG_AR] = AR_UNUSABLE | (newCpl << 5);
  }
  desc[0] = csLo; desc[1] = csHi;
  setAccessed(c, sel);
  loadCacheFromDesc(c, SegReg.CS, (sel & 0xfffc) | newCpl);
  s[rspK] = spLo; s[rspK + 1] = spHi;
  s[RIP] = ripLo; s[RIP + 1] = ripHi;
  s[RFLAGS] = flags & ~(TF | NT | RF | VM | (trap ? 0 : IF)); s[CC_OP] = CcOp.Eager;
  c.updateMode();
}
