/** Stack instructions: PUSH/POP (registers, memory, immediates, segment registers), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE. */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { AC, ID, IF, IOPL, NT, RF, SegReg, VIF, VIP, VM, Vec, ARITH_FLAGS, DF, TF } from '../arch.ts';
import { CcOp, readFlags } from '../flags.ts';
import { CC_OP, GPR, RFLAGS, SEG_SEL, segOff } from '../state/layout.ts';
import { readMem, writeMem } from '../memory.ts';
import { adjustSp, computeEa, peekStack, pop, push, readE, stackSize } from './operands.ts';
import { movToSreg } from './dataXfer.ts';
import type { HandlerTable } from './handlerTypes.ts';

/**
 * Writes EFLAGS from POPF/IRET-style sources under the privilege rules:
 * IOPL changes only at CPL 0, IF only when CPL <= IOPL; VM/VIF/VIP never here.
 */
export function writeFlagsChecked(c: Cpu, v: number, size: number): void {
  const s = c.s;
  const old = readFlags(s);
  let mask = ARITH_FLAGS | TF | DF | NT | AC | ID | IF | IOPL;
  const iopl = (old & IOPL) >>> 12;
  if (c.protectedMode || (old & VM) !== 0) {
    if (c.cpl > 0) mask &= ~IOPL;
    if (c.cpl > iopl) mask &= ~IF;
  }
  if (size === 2) mask &= 0xffff;
  s[RFLAGS] = (((old & ~mask) | (v & mask)) & ~RF & ~(VIF | VIP | VM)) | (old & (VM | VIF | VIP)) | 2;
  s[CC_OP] = CcOp.Eager;
}

function pushSeg(c: Cpu, i: DecodedInsn, seg: number): void {
  push(c, i.osz, c.s[segOff(seg, SEG_SEL)] & 0xffff, 0);
}

function popSeg(c: Cpu, i: DecodedInsn, seg: number): void {
  const sel = peekStack(c, 0, 2);
  movToSreg(c, seg, sel);
  adjustSp(c, i.osz);
}

export function registerStack(h: HandlerTable): void {
  h.PUSH_Zv = (c, i) => { const r = (i.opc & 7) | ((i.rex & 1) << 3); const v = c.getReg(r, i.osz); push(c, i.osz, v, c.hi); };
  h.POP_Zv = (c, i) => { const r = (i.opc & 7) | ((i.rex & 1) << 3); const v = pop(c, i.osz); c.setReg(r, i.osz, v, c.hi); };
  h.PUSH_Iz = (c, i) => push(c, i.osz, i.osz === 2 ? i.imm & 0xffff : i.imm >>> 0, i.imm >> 31);
  h.PUSH_Ib = (c, i) => push(c, i.osz, i.osz === 2 ? i.imm & 0xffff : i.imm >>> 0, i.imm >> 31);
  h.PUSH_Ev = (c, i) => { const v = readE(c, i, i.osz); push(c, i.osz, v, c.hi); };
  h.POP_Ev = (c, i) => {
    const v = peekStack(c, 0, i.osz), vHi = c.hi;
    if (i.mod === 3) { adjustSp(c, i.osz); c.setReg(i.rm, i.osz, v, vHi, i.rex); return; }
    // The address is computed with the incremented stack pointer (SDM POP).
    const s = c.s, spLo = s[GPR + 8], spHi = s[GPR + 9];
    adjustSp(c, i.osz);
    computeEa(c, i);
    s[GPR + 8] = spLo; s[GPR + 9] = spHi;
    writeMem(c, i.seg, c.eaLo, c.eaHi, i.osz, v, vHi);
    adjustSp(c, i.osz);
  };
  const SEGS: [string, number][] = [['ES', SegReg.ES], ['CS', SegReg.CS], ['SS', SegReg.SS], ['DS', SegReg.DS], ['FS', SegReg.FS], ['GS', SegReg.GS]];
  for (const [n, seg] of SEGS) {
    h[`PUSH_${n}`] = (c, i) => pushSeg(c, i, seg);
    if (seg !== SegReg.CS) h[`POP_${n}`] = (c, i) => popSeg(c, i, seg);
  }
  h.PUSHA = (c, i) => {
    const size = i.osz, sp = c.getReg(4, size);
    const vals = [c.getReg(0, size), c.getReg(1, size), c.getReg(2, size), c.getReg(3, size), sp, c.getReg(5, size), c.getReg(6, size), c.getReg(7, size)];
    const s = c.s, saved = s[GPR + 8];
    try { for (const v of vals) push(c, size, v, 0); } catch (e) { s[GPR + 8] = saved; throw e; }
  };
  h.POPA = (c, i) => {
    const size = i.osz;
    const vals: number[] = [];
    for (let k = 0; k < 8; k++) vals.push(peekStack(c, k * size, size));
    adjustSp(c, 8 * size);
    for (let k = 0; k < 8; k++) if (7 - k !== 4) c.setReg(7 - k, size, vals[k], 0);
  };
  h.PUSHF = (c, i) => {
    const f = readFlags(c.s);
    if ((f & VM) !== 0 && (f & IOPL) !== IOPL) c.fault(Vec.GP, 0);
    push(c, i.osz, f & (i.osz === 2 ? 0xffff : ~(VM | RF)) >>> 0, 0);
  };
  h.POPF = (c, i) => {
    const f = readFlags(c.s);
    if ((f & VM) !== 0 && (f & IOPL) !== IOPL) c.fault(Vec.GP, 0);
    const v = pop(c, i.osz);
    writeFlagsChecked(c, v, i.osz);
  };
  h.ENTER_IwIb = (c, i) => {
    const s = c.s, size = i.osz, ss = stackSize(c);
    const level = i.imm2 & 31;
    const savedSp = s[GPR + 8], savedSpHi = s[GPR + 9];
    try {
      const bp = c.getReg(5, size), bpHi = c.hi;
      push(c, size, bp, bpHi);
      const frame = c.getReg(4, ss), frameHi = c.hi;
      let bpCur = c.getReg(5, ss), bpCurHi = c.hi;
      for (let k = 1; k < level; k++) {
        // Copy the enclosing frame pointers.
        if (ss === 8) { const l = bpCur - size; bpCurHi = (bpCurHi - (l < 0 ? 1 : 0)) >>> 0; bpCur = l >>> 0; }
        else bpCur = ss === 4 ? (bpCur - size) >>> 0 : (bpCur - size) & 0xffff;
        const fp = (ss === 8 ? readFp(c, bpCur, bpCurHi, size) : readFp(c, bpCur, 0, size)), fpHi = c.hi;
        push(c, size, fp, fpHi);
      }
      if (level > 0) push(c, size, frame, frameHi);
      c.setReg(5, size === 8 ? 8 : size, frame, frameHi);
      adjustSp(c, -(i.imm & 0xffff));
      if (ss !== 8) c.getReg(4, ss);
    } catch (e) { s[GPR + 8] = savedSp; s[GPR + 9] = savedSpHi; throw e; }
  };
  h.LEAVE = (c, i) => {
    const s = c.s, ss = stackSize(c);
    const savedSp = s[GPR + 8], savedSpHi = s[GPR + 9];
    if (ss === 8) { s[GPR + 8] = s[GPR + 10]; s[GPR + 9] = s[GPR + 11]; }
    else if (ss === 4) s[GPR + 8] = s[GPR + 10];
    else s[GPR + 8] = (s[GPR + 8] & 0xffff0000) | (s[GPR + 10] & 0xffff);
    try {
      const v = pop(c, i.osz);
      c.setReg(5, i.osz, v, c.hi);
    } catch (e) { s[GPR + 8] = savedSp; s[GPR + 9] = savedSpHi; throw e; }
  };
}

function readFp(c: Cpu, lo: number, hi: number, size: number): number {
  // Reads through SS like a stack access.
  return peekAt(c, lo, hi, size);
}

function peekAt(c: Cpu, lo: number, hi: number, size: number): number {
  return readMem(c, SegReg.SS, lo, hi, size);
}
