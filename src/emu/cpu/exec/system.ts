/**
 * System instructions: MOV to/from CR0/2/3/4/8 and DR0-7 with their #GP
 * rules, LGDT/LIDT/SGDT/SIDT/LLDT/SLDT/LTR/STR, LMSW/SMSW/CLTS,
 * LAR/LSL/VERR/VERW/ARPL, INVLPG/INVPCID (SDM Vol. 2, Vol. 3 2.5 and 9.8.5).
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import {
  AR_L, AR_P, AR_S, AR_UNUSABLE, CR0_CD, CR0_ET, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR4_DE, CR4_PAE, CR4_PCIDE,
  EFER_LMA, EFER_LME, SegReg, CR4_VMXE, TYPE_C, TYPE_CODE, TYPE_R, TYPE_W, Vec, ZF, CR4_LA57,
} from '../arch.ts';
import { CcOp, flushFlags } from '../flags.ts';
import {
  CC_OP, CR0, CR2, CR3, CR4, CR8, DR, DR6, DR7, EFER, GDTR, IDTR, RFLAGS, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, segOff,
} from '../state/layout.ts';
import { isCanonical } from '../memory.ts';
import { arDpl, desc, descAr, descBase, descLimit, readDescriptor, setAccessed } from '../segments.ts';
import { operandLinear, readE, readEaPlus, writeE, writeEaPlus, writeG } from './operands.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { writeSystem } from '../memory.ts';
import { shadowedCr } from '../vmx/intercepts.ts';
import { checkGeneralDetect } from '../debugRegs.ts';
import { CR0_FIXED0, CR4_FIXED0 } from '../vmx/capabilities.ts';

/** CR4 bits this core accepts (others #GP): VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT, and as advertised VMXE FSGSBASE PCIDE OSXSAVE SMEP SMAP PKE. */
export function cr4Allowed(c: Cpu): number {
  let m = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400;
  if (c.cpuid.has('VMX')) m |= CR4_VMXE;
  if (c.cpuid.has('FSGSBASE')) m |= 1 << 16;
  if (c.cpuid.has('PCID')) m |= 1 << 17;
  if (c.cpuid.has('SMEP')) m |= 1 << 20;
  if (c.cpuid.has('SMAP')) m |= 1 << 21;
  if (c.cpuid.has('PKU')) m |= 1 << 22;
  if (c.cpuid.has('XSAVE')) m |= 1 << 18; // OSXSAVE
  return m;
}

/** Writes CR0 with the SDM 2.5 / 9.8.5 consistency checks. @faults #GP(0) */
export function writeCr0(c: Cpu, v: number, vHi: number): void {
  const s = c.s;
  if (vHi !== 0) c.fault(Vec.GP, 0);
  v = (v | CR0_ET) >>> 0;
  v &= 0xe005003f;
  if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) c.fault(Vec.GP, 0);
  // In VMX operation CR0.PE, NE and PG are fixed to 1 (IA32_VMX_CR0_FIXED0, SDM 24.8).
  if (c.vmx.on && (v & CR0_FIXED0) !== CR0_FIXED0) c.fault(Vec.GP, 0);
  if ((v & CR0_NW) !== 0 && (v & CR0_CD) === 0) c.fault(Vec.GP, 0);
  const old = s[CR0];
  let efer = s[EFER];
  if ((v & CR0_PG) !== 0 && (old & CR0_PG) === 0 && (efer & EFER_LME) !== 0) {
    // Activating IA-32e mode: PAE required, and CS.L must be 0.
    if ((s[CR4] & CR4_PAE) === 0 || (s[segOff(SegReg.CS, SEG_AR)] & AR_L) !== 0) c.fault(Vec.GP, 0);
    efer |= EFER_LMA;
  }
  if ((v & CR0_PG) === 0 && (old & CR0_PG) !== 0 && (efer & EFER_LMA) !== 0) {
    if (c.long64) c.fault(Vec.GP, 0);
    efer &= ~EFER_LMA;
  }
  c.fetchEpoch++;
  if (!c.mmu.setControl(v, s[CR3], s[CR3 + 1], s[CR4], efer)) c.fault(Vec.GP, 0);
  s[CR0] = v; s[EFER] = efer;
  c.updateMode();
}

export function writeCr4(c: Cpu, v: number, vHi: number): void {
  const s = c.s;
  if (vHi !== 0 || (v & ~cr4Allowed(c)) !== 0) c.fault(Vec.GP, 0);
  // CR4.VMXE cannot be cleared in VMX operation (IA32_VMX_CR4_FIXED0).
  if (c.vmx.on && (v & CR4_FIXED0) !== CR4_FIXED0) c.fault(Vec.GP, 0);
  const old = s[CR4];
  const lma = (s[EFER] & EFER_LMA) !== 0;
  if (lma && (v & CR4_PAE) === 0) c.fault(Vec.GP, 0);
  if (lma && ((old ^ v) & CR4_LA57) !== 0) c.fault(Vec.GP, 0);
  if ((v & CR4_PCIDE) !== 0 && (old & CR4_PCIDE) === 0 && (!lma || (s[CR3] & 0xfff) !== 0)) c.fault(Vec.GP, 0);
  c.fetchEpoch++;
  if (!c.mmu.setControl(s[CR0], s[CR3], s[CR3 + 1], v, s[EFER])) c.fault(Vec.GP, 0);
  s[CR4] = v;
}

function writeCr3(c: Cpu, lo: number, hi: number): void {
  const s = c.s;
  const physHi = (2 ** (c.model.maxPhysAddr - 32)) - 1;
  const pcide = (s[CR4] & CR4_PCIDE) !== 0;
  // Bits above MAXPHYADDR are reserved (bit 63 is the PCID no-flush hint).
  if ((s[EFER] & EFER_LMA) !== 0 && ((hi & 0x7fffffff) & ~physHi) !== 0) c.fault(Vec.GP, 0);
  c.fetchEpoch++;
  if (!c.mmu.writeCr3(lo, hi)) c.fault(Vec.GP, 0);
  s[CR3] = lo; s[CR3 + 1] = (s[EFER] & EFER_LMA) !== 0 ? hi & 0x7fffffff : 0;
  void pcide;
}

function movToCr(c: Cpu, i: DecodedInsn): void {
  const size = c.long64 ? 8 : 4;
  const lo = c.getReg(i.rm, size), hi = size === 8 ? c.hi : 0;
  const s = c.s;
  switch (i.reg) {
    case 0: writeCr0(c, lo, hi); return;
    case 2: s[CR2] = lo; s[CR2 + 1] = hi; return;
    case 3: writeCr3(c, lo, hi); return;
    case 4: writeCr4(c, lo, hi); return;
    default: // CR8: TPR bits 3:0
      if ((lo & ~0xf) !== 0 || hi !== 0) c.fault(Vec.GP, 0);
      s[CR8] = lo;
  }
}

function movFromCr(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  const size = c.long64 ? 8 : 4;
  let lo: number, hi = 0;
  switch (i.reg) {
    case 0: lo = c.nonRoot ? shadowedCr(c, 0, s[CR0]) : s[CR0]; break;
    case 2: lo = s[CR2]; hi = s[CR2 + 1]; break;
    case 3: lo = s[CR3]; hi = s[CR3 + 1]; break;
    case 4: lo = c.nonRoot ? shadowedCr(c, 4, s[CR4]) : s[CR4]; break;
    default: lo = s[CR8];
  }
  c.setReg(i.rm, size, lo, hi);
}

function drIndex(c: Cpu, r: number): number {
  if (r === 4 || r === 5) {
    if ((c.s[CR4] & CR4_DE) !== 0) c.fault(Vec.UD);
    return r + 2;
  }
  return r;
}

function movToDr(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  checkGeneralDetect(c);
  const size = c.long64 ? 8 : 4;
  const lo = c.getReg(i.rm, size), hi = size === 8 ? c.hi : 0;
  const r = drIndex(c, i.reg);
  if (r < 4) { s[DR + r * 2] = lo; s[DR + r * 2 + 1] = hi; return; }
  if (hi !== 0) c.fault(Vec.GP, 0);
  if (r === 6) s[DR6] = (lo | 0xfffe0ff0) & ~0x1000;
  else s[DR7] = (lo | 0x400) & ~0xd000;
}

function movFromDr(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  checkGeneralDetect(c);
  const r = drIndex(c, i.reg);
  const size = c.long64 ? 8 : 4;
  if (r < 4) c.setReg(i.rm, size, s[DR + r * 2], s[DR + r * 2 + 1]);
  else c.setReg(i.rm, size, r === 6 ? s[DR6] : s[DR7], 0);
}

function lgdtLidt(c: Cpu, i: DecodedInsn, base: number): void {
  const limit = readEaPlus(c, i, 0, 2);
  let lo = readEaPlus(c, i, 2, 4), hi = 0;
  if (c.long64) { hi = readEaPlus(c, i, 6, 4); if (!isCanonical(hi)) c.fault(Vec.GP, 0); }
  else if (i.osz === 2) lo &= 0xffffff;
  const s = c.s;
  s[base] = lo; s[base + 1] = hi; s[base + 2] = limit;
}

function sgdtSidt(c: Cpu, i: DecodedInsn, base: number): void {
  const s = c.s;
  writeEaPlus(c, i, 0, 2, s[base + 2], 0);
  if (c.long64) writeEaPlus(c, i, 2, 8, s[base], s[base + 1]);
  else writeEaPlus(c, i, 2, 4, s[base], 0);
}

/** Stores a selector: 16 bits to memory, zero-extended to the operand size in a register. */
function storeSel(c: Cpu, i: DecodedInsn, sel: number): void {
  if (i.mod === 3) c.setReg(i.rm, i.osz, sel & 0xffff, 0);
  else writeE(c, i, 2, sel & 0xffff, 0);
}

/** Loads LDTR or TR from a GDT system descriptor (16 bytes in IA-32e mode). */
function loadSystemSeg(c: Cpu, sel: number, tr: boolean): void {
  const s = c.s;
  const seg = tr ? SegReg.TR : SegReg.LDTR;
  const b = segOff(seg, 0);
  if ((sel & 0xfffc) === 0) {
    if (tr) c.fault(Vec.GP, 0);
    s[b + SEG_SEL] = sel; s[b + SEG_AR] = AR_UNUSABLE;
    return;
  }
  if ((sel & 4) !== 0) c.fault(Vec.GP, sel & 0xfffc);
  const long = (s[EFER] & EFER_LMA) !== 0;
  if (!readDescriptor(c, sel, long ? 16 : 8)) c.fault(Vec.GP, sel & 0xfffc);
  const ar = descAr(desc[1]);
  const type = ar & 0x1f; // includes S
  const ok = tr ? (type === 0x9 || (!long && type === 0x1)) : type === 0x2;
  if (!ok) c.fault(Vec.GP, sel & 0xfffc);
  if ((ar & AR_P) === 0) c.fault(Vec.NP, sel & 0xfffc);
  if (long && !isCanonical(desc[2])) c.fault(Vec.GP, sel & 0xfffc);
  s[b + SEG_SEL] = sel;
  s[b + SEG_BASE_LO] = descBase(desc[0], desc[1]);
  s[b + SEG_BASE_HI] = long ? desc[2] : 0;
  s[b + SEG_LIMIT] = descLimit(desc[0], desc[1]);
  s[b + SEG_AR] = tr ? ar | 2 : ar; // LTR marks the TSS busy
  if (tr) {
    desc[1] |= 0x200;
    const la = s[GDTR] + (sel & 0xfff8) + 4;
    writeSystem(c, la >>> 0, long ? (s[GDTR + 1] + (la > 0xffffffff ? 1 : 0)) >>> 0 : 0, 4, desc[1]);
  }
}

function setZf(c: Cpu, z: boolean): void {
  const s = c.s;
  flushFlags(s);
  s[RFLAGS] = z ? s[RFLAGS] | ZF : s[RFLAGS] & ~ZF;
  s[CC_OP] = CcOp.Eager;
}

/**
 * LAR/LSL/VERR/VERW: reads the descriptor without faulting on selector
 * problems; returns its access rights or -1 when the instruction fails.
 */
function probeDesc(c: Cpu, sel: number, kind: 'lar' | 'lsl' | 'verr' | 'verw'): number {
  if ((sel & 0xfffc) === 0) return -1;
  if (!readDescriptor(c, sel)) return -1;
  const ar = descAr(desc[1]);
  const dpl = arDpl(ar), rpl = sel & 3, cpl = c.cpl;
  const conformingCode = (ar & (AR_S | TYPE_CODE | TYPE_C)) === (AR_S | TYPE_CODE | TYPE_C);
  if ((ar & AR_S) === 0) {
    const t = ar & 0xf;
    const long = (c.s[EFER] & EFER_LMA) !== 0;
    // System types valid for LAR (LSL excludes gates).
    const larOk = long ? [2, 9, 0xb, 0xc].includes(t) : [1, 2, 3, 4, 5, 9, 0xb, 0xc].includes(t);
    const lslOk = long ? [2, 9, 0xb].includes(t) : [1, 2, 3, 9, 0xb].includes(t);
    if (kind === 'lar' ? !larOk : kind === 'lsl' ? !lslOk : true) return -1;
  } else if (kind === 'verr' && (ar & (TYPE_CODE | TYPE_R)) === TYPE_CODE) return -1;
  else if (kind === 'verw' && (ar & (TYPE_CODE | TYPE_W)) !== TYPE_W) return -1;
  if (!conformingCode && (dpl < cpl || dpl < rpl)) return -1;
  return ar;
}

export function registerSystem(h: HandlerTable): void {
  h.MOV_CdRd = movToCr;
  h.MOV_RdCd = movFromCr;
  h.MOV_DdRd = movToDr;
  h.MOV_RdDd = movFromDr;
  h.LGDT_Ms = (c, i) => lgdtLidt(c, i, GDTR);
  h.LIDT_Ms = (c, i) => lgdtLidt(c, i, IDTR);
  h.SGDT_Ms = (c, i) => sgdtSidt(c, i, GDTR);
  h.SIDT_Ms = (c, i) => sgdtSidt(c, i, IDTR);
  h.SLDT_Ew = (c, i) => storeSel(c, i, c.s[segOff(SegReg.LDTR, SEG_SEL)]);
  h.STR_Ew = (c, i) => storeSel(c, i, c.s[segOff(SegReg.TR, SEG_SEL)]);
  h.LLDT_Ew = (c, i) => loadSystemSeg(c, readE(c, i, 2), false);
  h.LTR_Ew = (c, i) => loadSystemSeg(c, readE(c, i, 2), true);
  h.SMSW_Ew = (c, i) => {
    const v = c.nonRoot ? shadowedCr(c, 0, c.s[CR0]) : c.s[CR0];
    if (i.mod === 3) c.setReg(i.rm, i.osz, i.osz === 2 ? v & 0xffff : v, 0);
    else writeE(c, i, 2, v & 0xffff, 0);
  };
  h.LMSW_Ew = (c, i) => {
    const v = readE(c, i, 2);
    const old = c.s[CR0];
    // Loads PE, MP, EM, TS; PE cannot be cleared.
    writeCr0(c, (old & ~0xe) | (v & 0xf) | (old & CR0_PE), 0);
  };
  h.CLTS = (c) => { c.s[CR0] &= ~CR0_TS; };
  h.LAR_GvEw = (c, i) => {
    const ar = probeDesc(c, readE(c, i, 2), 'lar');
    if (ar >= 0) writeG(c, i, i.osz, (desc[1] & 0x00f0ff00) >>> 0, 0);
    setZf(c, ar >= 0);
  };
  h.LSL_GvEw = (c, i) => {
    const ar = probeDesc(c, readE(c, i, 2), 'lsl');
    if (ar >= 0) writeG(c, i, i.osz, descLimit(desc[0], desc[1]), 0);
    setZf(c, ar >= 0);
  };
  h.VERR_Ew = (c, i) => setZf(c, probeDesc(c, readE(c, i, 2), 'verr') >= 0);
  h.VERW_Ew = (c, i) => setZf(c, probeDesc(c, readE(c, i, 2), 'verw') >= 0);
  h.ARPL_EwGw = (c, i) => {
    const d = readE(c, i, 2), src = c.getReg(i.reg, 2);
    if ((d & 3) < (src & 3)) { writeE(c, i, 2, (d & ~3) | (src & 3), 0); setZf(c, true); }
    else setZf(c, false);
  };
  h.INVLPG_Mb = (c, i) => {
    // The operand is a linear address: segment base applies, no access is made.
    const lo = operandLinear(c, i);
    c.mmu.invlpg(lo, c.laHi);
  };
  h.INVPCID_GyMdq = (c, i) => {
    if (!c.cpuid.has('INVPCID')) c.fault(Vec.UD);
    const type = c.getReg(i.reg, c.long64 ? 8 : 4), typeHi = c.long64 ? c.hi : 0;
    const pcidLo = readEaPlus(c, i, 0, 4), pcidHi = readEaPlus(c, i, 4, 4);
    const laLo = readEaPlus(c, i, 8, 4), laHi = readEaPlus(c, i, 12, 4);
    if (typeHi !== 0 || type > 3) c.fault(Vec.GP, 0);
    if (pcidHi !== 0 || (pcidLo & ~0xfff) !== 0) c.fault(Vec.GP, 0);
    if (type === 0 && !isCanonical(laHi)) c.fault(Vec.GP, 0);
    if (type <= 1 && (c.s[CR4] & CR4_PCIDE) === 0 && pcidLo !== 0) c.fault(Vec.GP, 0);
    c.mmu.invpcid(type, pcidLo, laLo, laHi);
  };
  h.WBINVD = () => {};
  h.INVD = () => {};
  void setAccessed;
}
