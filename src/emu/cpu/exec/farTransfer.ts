/**
 * Far control transfers: JMP/CALL far (direct and through call gates),
 * RET far and IRET, in real, protected and IA-32e modes (SDM Vol. 2 JMP,
 * CALL, RET, IRET pseudocode; Vol. 3 5.8). Task switches are reported as
 * unimplemented.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import {
  AR_DB, AR_L, AR_P, AR_S, AR_UNUSABLE, EFER_LMA, IF, IOPL, NT, RF, SegReg, TYPE_C, TYPE_CODE, TYPE_W, VIF, VIP, VM, Vec,
  AC, ID, ARITH_FLAGS, TF, DF,
} from '../arch.ts';
import { CcOp, readFlags } from '../flags.ts';
import { CC_OP, EFER, GPR, RFLAGS, RIP, SEG_AR, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, segOff } from '../state/layout.ts';
import { isCanonical, readSystem, writeLinear } from '../memory.ts';
import {
  arDpl, desc, descAr, descBase, descLimit, loadCacheFromDesc, loadNull, loadSegReal, nullifyDataSegs, readDescriptor, setAccessed,
} from '../segments.ts';
import { adjustSp, peekStack, push, readEaPlus, stackSize } from './operands.ts';
import type { HandlerTable } from './handlerTypes.ts';

/** Saved code descriptor while other descriptors are read. */
const csDesc = new Uint32Array(4);

function saveCsDesc(): void { csDesc.set(desc); }
function restoreCsDesc(): void { desc.set(csDesc); }

/** Checks the target offset against the new code segment (limit, or canonical for 64-bit code). */
function checkOffset(c: Cpu, lo: number, hi: number, ar: number, limit: number): void {
  if ((c.s[EFER] & EFER_LMA) !== 0 && (ar & AR_L) !== 0) { if (!isCanonical(hi)) c.fault(Vec.GP, 0); }
  else if ((lo >>> 0) > limit) c.fault(Vec.GP, 0);
}

/** Commits a far transfer to code descriptor desc[] at privilege `cpl`. */
function commitCs(c: Cpu, sel: number, cpl: number, lo: number, hi: number): void {
  setAccessed(c, sel);
  loadCacheFromDesc(c, SegReg.CS, (sel & 0xfffc) | cpl);
  const s = c.s;
  s[RIP] = lo; s[RIP + 1] = (s[EFER] & EFER_LMA) !== 0 && (descAr(desc[1]) & AR_L) !== 0 ? hi : 0;
  c.updateMode();
}

function realFar(c: Cpu, sel: number, off: number, osz: number): void {
  const s = c.s;
  const t = osz === 2 ? off & 0xffff : off >>> 0;
  if (t > s[segOff(SegReg.CS, SEG_LIMIT)]) c.fault(Vec.GP, 0);
  loadSegReal(c, SegReg.CS, sel, (s[RFLAGS] & VM) !== 0);
  s[RIP] = t; s[RIP + 1] = 0;
  c.updateMode();
}

/**
 * Validates the far JMP/CALL target `sel`; leaves the code descriptor in
 * desc[] and returns the target offset's source: 'direct' or a call gate.
 */
function farJmpCall(c: Cpu, i: DecodedInsn, sel: number, offLo: number, offHi: number, isCall: boolean): void {
  const s = c.s;
  if (!c.protectedMode) {
    if (isCall) {
      const cs = s[segOff(SegReg.CS, SEG_SEL)], ip = s[RIP];
      const saved = s[GPR + 8];
      push(c, i.osz, cs, 0);
      try { push(c, i.osz, ip, 0); realFar(c, sel, offLo, i.osz); } catch (e) { s[GPR + 8] = saved; throw e; }
    } else realFar(c, sel, offLo, i.osz);
    return;
  }
  const cpl = c.cpl;
  if ((sel & 0xfffc) === 0) c.fault(Vec.GP, 0);
  if (!readDescriptor(c, sel, (s[EFER] & EFER_LMA) !== 0 ? 16 : 8)) {
    if (!readDescriptor(c, sel)) c.fault(Vec.GP, sel & 0xfffc);
  }
  const ar = descAr(desc[1]);
  const dpl = arDpl(ar), rpl = sel & 3;
  if ((ar & AR_S) !== 0) {
    if ((ar & TYPE_CODE) === 0) c.fault(Vec.GP, sel & 0xfffc);
    if ((ar & TYPE_C) !== 0 ? dpl > cpl : rpl > cpl || dpl !== cpl) c.fault(Vec.GP, sel & 0xfffc);
    if ((ar & AR_P) === 0) c.fault(Vec.NP, sel & 0xfffc);
    if ((ar & AR_L) !== 0 && (ar & AR_DB) !== 0 && (s[EFER] & EFER_LMA) !== 0) c.fault(Vec.GP, sel & 0xfffc);
    const lo = i.osz === 2 ? offLo & 0xffff : offLo >>> 0;
    const hi = i.osz === 8 ? offHi : 0;
    checkOffset(c, lo, hi, ar, descLimit(desc[0], desc[1]));
    if (isCall) {
      saveCsDesc();
      const retCs = s[segOff(SegReg.CS, SEG_SEL)], retLo = s[RIP], retHi = s[RIP + 1];
      const saved = s[GPR + 8], savedHi = s[GPR + 9];
      try { push(c, i.osz, retCs, 0); push(c, i.osz, retLo, retHi); }
      catch (e) { s[GPR + 8] = saved; s[GPR + 9] = savedHi; throw e; }
      restoreCsDesc();
    }
    commitCs(c, sel, cpl, lo, hi);
    return;
  }
  const type = ar & 0xf;
  const long = (s[EFER] & EFER_LMA) !== 0;
  if (type === 0x5 || type === 0x9 || type === 0x1) c.unimplemented(`far ${isCall ? 'CALL' : 'JMP'} through a task gate or TSS (hardware task switch)`);
  if (!(type === 0xc || (!long && type === 0x4))) c.fault(Vec.GP, sel & 0xfffc);
  callGate(c, i, sel, dpl, rpl, type, long, isCall);
}

function callGate(c: Cpu, i: DecodedInsn, gateSel: number, gDpl: number, rpl: number, type: number, long: boolean, isCall: boolean): void {
  const s = c.s;
  const cpl = c.cpl;
  if (gDpl < cpl || gDpl < rpl) c.fault(Vec.GP, gateSel & 0xfffc);
  if ((desc[1] & 0x8000) === 0) c.fault(Vec.NP, gateSel & 0xfffc);
  const g0 = desc[0], g1 = desc[1], g2 = desc[2];
  const gate32 = type === 0xc;
  const target = g0 >>> 16;
  const offLo = gate32 ? ((g0 & 0xffff) | (g1 & 0xffff0000)) >>> 0 : g0 & 0xffff;
  const offHi = long ? g2 : 0;
  const paramCount = g1 & 0x1f;
  if ((target & 0xfffc) === 0) c.fault(Vec.GP, 0);
  if (!readDescriptor(c, target)) c.fault(Vec.GP, target & 0xfffc);
  const ar = descAr(desc[1]);
  const dpl = arDpl(ar);
  if ((ar & (AR_S | TYPE_CODE)) !== (AR_S | TYPE_CODE) || dpl > cpl) c.fault(Vec.GP, target & 0xfffc);
  if (!isCall && (ar & TYPE_C) === 0 && dpl !== cpl) c.fault(Vec.GP, target & 0xfffc);
  if ((ar & AR_P) === 0) c.fault(Vec.NP, target & 0xfffc);
  if (long && ((ar & AR_L) === 0 || (ar & AR_DB) !== 0)) c.fault(Vec.GP, target & 0xfffc);
  checkOffset(c, offLo, offHi, ar, descLimit(desc[0], desc[1]));
  if (!isCall) { commitCs(c, target, cpl, offLo, offHi); return; }
  const size = long ? 8 : gate32 ? 4 : 2;
  const retCs = s[segOff(SegReg.CS, SEG_SEL)], retLo = s[RIP], retHi = s[RIP + 1];
  if ((ar & TYPE_C) !== 0 || dpl === cpl) {
    saveCsDesc();
    const saved = s[GPR + 8], savedHi = s[GPR + 9];
    try { push(c, size, retCs, 0); push(c, size, retLo, retHi); }
    catch (e) { s[GPR + 8] = saved; s[GPR + 9] = savedHi; throw e; }
    restoreCsDesc();
    commitCs(c, target, cpl, offLo, offHi);
    return;
  }
  // More privileged: new stack from the TSS (SDM 5.8.5).
  saveCsDesc();
  const oldSs = s[segOff(SegReg.SS, SEG_SEL)], oldSpLo = s[GPR + 8], oldSpHi = s[GPR + 9];
  const tr = segOff(SegReg.TR, 0), tssBase = s[tr + SEG_BASE_LO];
  if (long) {
    const off = 4 + dpl * 8;
    let spLo = readSystem(c, tssBase + off, 0, 4), spHi = readSystem(c, tssBase + off + 4, 0, 4);
    if (!isCanonical(spHi)) c.fault(Vec.SS, 0);
    const vals = [oldSs, 0, oldSpLo, oldSpHi, retCs, 0, retLo, retHi];
    const saved = c.cpl; c.cpl = dpl;
    try {
      for (let k = 0; k < vals.length; k += 2) {
        const l = spLo - 8; spHi = l < 0 ? (spHi - 1) >>> 0 : spHi; spLo = l >>> 0;
        writeLinear(c, spLo, spHi, 8, vals[k], vals[k + 1]);
      }
    } finally { c.cpl = saved; }
    const b = segOff(SegReg.SS, 0);
    s[b + SEG_SEL] = dpl; s[b + SEG_AR] = AR_UNUSABLE | (dpl << 5);
    s[GPR + 8] = spLo; s[GPR + 9] = spHi;
    restoreCsDesc();
    commitCs(c, target, dpl, offLo, offHi);
    return;
  }
  const tss32 = (s[tr + SEG_AR] & 8) !== 0;
  const ent = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  if (ent + (tss32 ? 5 : 3) > s[tr + SEG_LIMIT]) c.fault(Vec.TS, s[tr + SEG_SEL] & 0xfffc);
  const nsp = readSystem(c, tssBase + ent, 0, tss32 ? 4 : 2);
  const nss = readSystem(c, tssBase + ent + (tss32 ? 4 : 2), 0, 2);
  if ((nss & 0xfffc) === 0) c.fault(Vec.TS, 0);
  if (!readDescriptor(c, nss)) c.fault(Vec.TS, nss & 0xfffc);
  const sar = descAr(desc[1]);
  if ((nss & 3) !== dpl || arDpl(sar) !== dpl || (sar & (AR_S | TYPE_CODE | TYPE_W)) !== (AR_S | TYPE_W)) c.fault(Vec.TS, nss & 0xfffc);
  if ((sar & AR_P) === 0) c.fault(Vec.SS, nss & 0xfffc);
  const ssLo = desc[0], ssHi = desc[1];
  const ssBase = descBase(ssLo, ssHi), mask = (sar & AR_DB) !== 0 ? 0xffffffff : 0xffff;
  // Parameters are copied from the old stack.
  const params: number[] = [];
  for (let k = paramCount - 1; k >= 0; k--) params.push(peekStack(c, k * size, size));
  let sp = nsp;
  const saved = c.cpl; c.cpl = dpl;
  try {
    const put = (v: number): void => { sp = (sp - size) & mask; writeLinear(c, (ssBase + sp) >>> 0, 0, size, v, 0); };
    put(oldSs); put(oldSpLo);
    for (const p of params) put(p);
    put(retCs); put(retLo);
  } finally { c.cpl = saved; }
  desc[0] = ssLo; desc[1] = ssHi;
  setAccessed(c, nss);
  loadCacheFromDesc(c, SegReg.SS, nss);
  s[GPR + 8] = mask === 0xffff ? (oldSpLo & 0xffff0000) | sp : sp >>> 0;
  restoreCsDesc();
  commitCs(c, target, dpl, offLo, 0);
}

/** RETF / IRET return path shared part: validates the return CS in desc[] and returns its RPL. */
function checkReturnCs(c: Cpu, sel: number): number {
  const cpl = c.cpl, rpl = sel & 3;
  if ((sel & 0xfffc) === 0) c.fault(Vec.GP, 0);
  if (!readDescriptor(c, sel)) c.fault(Vec.GP, sel & 0xfffc);
  const ar = descAr(desc[1]);
  if ((ar & (AR_S | TYPE_CODE)) !== (AR_S | TYPE_CODE) || rpl < cpl) c.fault(Vec.GP, sel & 0xfffc);
  const dpl = arDpl(ar);
  if ((ar & TYPE_C) !== 0 ? dpl > rpl : dpl !== rpl) c.fault(Vec.GP, sel & 0xfffc);
  if ((ar & AR_P) === 0) c.fault(Vec.NP, sel & 0xfffc);
  if ((c.s[EFER] & EFER_LMA) !== 0 && (ar & AR_L) !== 0 && (ar & AR_DB) !== 0) c.fault(Vec.GP, sel & 0xfffc);
  return rpl;
}

/** Loads SS:RSP for a return to an outer privilege level `rpl`. */
function loadOuterStack(c: Cpu, ssSel: number, spLo: number, spHi: number, rpl: number, to64: boolean): void {
  const s = c.s;
  if ((ssSel & 0xfffc) === 0) {
    if (!(to64 && rpl !== 3)) c.fault(Vec.GP, 0);
    loadNull(c, SegReg.SS, ssSel);
    s[segOff(SegReg.SS, SEG_AR)] = AR_UNUSABLE | (rpl << 5);
  } else {
    saveCsDesc();
    if (!readDescriptor(c, ssSel)) c.fault(Vec.GP, ssSel & 0xfffc);
    const ar = descAr(desc[1]);
    if ((ssSel & 3) !== rpl || arDpl(ar) !== rpl || (ar & (AR_S | TYPE_CODE | TYPE_W)) !== (AR_S | TYPE_W)) c.fault(Vec.GP, ssSel & 0xfffc);
    if ((ar & AR_P) === 0) c.fault(Vec.SS, ssSel & 0xfffc);
    setAccessed(c, ssSel);
    loadCacheFromDesc(c, SegReg.SS, ssSel);
    restoreCsDesc();
  }
  if (to64) { s[GPR + 8] = spLo; s[GPR + 9] = spHi; }
  else if ((s[segOff(SegReg.SS, SEG_AR)] & AR_DB) !== 0) { s[GPR + 8] = spLo; s[GPR + 9] = 0; }
  else s[GPR + 8] = (s[GPR + 8] & 0xffff0000) | (spLo & 0xffff);
}

function retFar(c: Cpu, i: DecodedInsn, imm: number): void {
  const s = c.s, size = i.osz;
  const ipLo = peekStack(c, 0, size), ipHi = size === 8 ? c.hi : 0;
  const sel = peekStack(c, size, 2);
  if (!c.protectedMode) {
    realFar(c, sel, ipLo, size);
    adjustSp(c, 2 * size + imm);
    return;
  }
  const rpl = checkReturnCs(c, sel);
  const ar = descAr(desc[1]);
  const lo = size === 2 ? ipLo & 0xffff : ipLo;
  checkOffset(c, lo, ipHi, ar, descLimit(desc[0], desc[1]));
  const to64 = (s[EFER] & EFER_LMA) !== 0 && (ar & AR_L) !== 0;
  if (rpl === c.cpl) {
    commitCs(c, sel, rpl, lo, ipHi);
    adjustSp(c, 2 * size + imm);
    return;
  }
  const spLo = peekStack(c, 2 * size + imm, size), spHi = size === 8 ? c.hi : 0;
  const ssSel = peekStack(c, 3 * size + imm, 2);
  saveCsDesc();
  loadOuterStack(c, ssSel, spLo, spHi, rpl, to64);
  restoreCsDesc();
  commitCs(c, sel, rpl, lo, ipHi);
  adjustSp(c, imm);
  nullifyDataSegs(c, rpl);
}

/** EFLAGS as IRET loads them: IOPL/VIF/VIP at CPL 0 only, IF when CPL <= IOPL. */
function iretFlags(c: Cpu, v: number, size: number, oldCpl: number): void {
  const s = c.s;
  const old = readFlags(s);
  let mask = ARITH_FLAGS | TF | DF | NT | AC | ID | IF | IOPL | RF | VIF | VIP;
  if (c.protectedMode || (old & VM) !== 0 || (s[EFER] & EFER_LMA) !== 0) {
    if (oldCpl > 0) mask &= ~(IOPL | VIF | VIP);
    if (oldCpl > ((old & IOPL) >>> 12)) mask &= ~IF;
  }
  if (size === 2) mask &= 0xffff;
  s[RFLAGS] = ((old & ~mask) | (v & mask) | 2) & ~VM;
  s[CC_OP] = CcOp.Eager;
}

function iret(c: Cpu, i: DecodedInsn): void {
  const s = c.s, size = i.osz;
  if (!c.protectedMode && (s[RFLAGS] & VM) === 0) {
    const ip = peekStack(c, 0, size), cs = peekStack(c, size, 2), fl = peekStack(c, 2 * size, size);
    realFar(c, cs, ip, size);
    adjustSp(c, 3 * size);
    iretFlags(c, fl, size, 0);
    return;
  }
  if ((s[RFLAGS] & VM) !== 0) c.unimplemented('IRET in virtual-8086 mode');
  const long = (s[EFER] & EFER_LMA) !== 0;
  if ((s[RFLAGS] & NT) !== 0) {
    if (long) c.fault(Vec.GP, 0);
    c.unimplemented('IRET with NT=1 (task return)');
  }
  const ipLo = peekStack(c, 0, size), ipHi = size === 8 ? c.hi : 0;
  const sel = peekStack(c, size, 2);
  const fl = peekStack(c, 2 * size, size);
  if ((fl & VM) !== 0 && c.cpl === 0 && !long) c.unimplemented('IRET to virtual-8086 mode');
  const oldCpl = c.cpl;
  const rpl = checkReturnCs(c, sel);
  const ar = descAr(desc[1]);
  const lo = size === 2 ? ipLo & 0xffff : ipLo;
  checkOffset(c, lo, ipHi, ar, descLimit(desc[0], desc[1]));
  const to64 = long && (ar & AR_L) !== 0;
  if (rpl === oldCpl && !c.long64) {
    commitCs(c, sel, rpl, lo, ipHi);
    adjustSp(c, 3 * size);
    iretFlags(c, fl, size, oldCpl);
    return;
  }
  // Outer level, or any IRET from 64-bit mode: SS:RSP come from the stack too.
  const spLo = peekStack(c, 3 * size, size), spHi = size === 8 ? c.hi : 0;
  const ssSel = peekStack(c, 4 * size, 2);
  saveCsDesc();
  loadOuterStack(c, ssSel, spLo, spHi, rpl, to64);
  restoreCsDesc();
  commitCs(c, sel, rpl, lo, ipHi);
  iretFlags(c, fl, size, oldCpl);
  if (rpl > oldCpl) nullifyDataSegs(c, rpl);
}

export function registerFar(h: HandlerTable): void {
  h.JMPF_Ap = (c, i) => farJmpCall(c, i, i.imm2, i.imm, 0, false);
  h.CALLF_Ap = (c, i) => farJmpCall(c, i, i.imm2, i.imm, 0, true);
  h.JMPF_Mp = (c, i) => { const lo = readEaPlus(c, i, 0, i.osz), hi = c.hi; farJmpCall(c, i, readEaPlus(c, i, i.osz, 2), lo, hi, false); };
  h.CALLF_Mp = (c, i) => { const lo = readEaPlus(c, i, 0, i.osz), hi = c.hi; farJmpCall(c, i, readEaPlus(c, i, i.osz, 2), lo, hi, true); };
  h.RETF = (c, i) => retFar(c, i, 0);
  h.RETF_Iw = (c, i) => retFar(c, i, i.imm & 0xffff);
  h.IRET = iret;
  void stackSize;
}
