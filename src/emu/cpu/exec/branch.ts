/** Near control transfer: Jcc, JMP, CALL, RET, LOOP/LOOPcc, JrCXZ; software interrupts INT n/INT3/INTO/INT1. */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { IOPL, OF, SegReg, VM, Vec } from '../arch.ts';
import { readFlags, testCc } from '../flags.ts';
import { GPR, RIP, SEG_LIMIT, segOff } from '../state/layout.ts';
import { isCanonical } from '../memory.ts';
import { adjustSp, peekStack, push, readE } from './operands.ts';
import { deliverEvent, EventKind } from '../interrupts.ts';
import type { HandlerTable } from './handlerTypes.ts';

/** Sets RIP to an absolute target of operand size `osz`, with the CS limit / canonical check. @faults #GP(0) */
export function jumpTo(c: Cpu, lo: number, hi: number, osz: number): void {
  const s = c.s;
  if (c.long64 && osz === 8) {
    if (!isCanonical(hi)) c.fault(Vec.GP, 0);
    s[RIP] = lo; s[RIP + 1] = hi;
    return;
  }
  const t = osz === 2 ? lo & 0xffff : lo >>> 0;
  if (!c.long64 && t > s[segOff(SegReg.CS, SEG_LIMIT)]) c.fault(Vec.GP, 0);
  s[RIP] = t; s[RIP + 1] = 0;
}

/** RIP += displacement (already sign-extended), in the operand size. @faults */
export function jumpRel(c: Cpu, i: DecodedInsn, disp: number): void {
  const s = c.s;
  const lo = s[RIP] + disp;
  if (i.osz === 8) {
    const hi = (s[RIP + 1] + (lo > 0xffffffff ? 1 : lo < 0 ? -1 : 0)) >>> 0;
    jumpTo(c, lo >>> 0, hi, 8);
  } else jumpTo(c, lo, 0, i.osz);
}

/** Count register of LOOP/JrCXZ by address size. */
function countReg(c: Cpu, asz: number): number {
  const v = c.getReg(1, asz);
  return asz === 8 ? v | c.hi : v;
}

function decCount(c: Cpu, asz: number): boolean {
  const s = c.s;
  if (asz === 8) {
    const lo = s[GPR + 2], hi = s[GPR + 3];
    const nl = lo - 1;
    s[GPR + 2] = nl; s[GPR + 3] = lo === 0 ? hi - 1 : hi;
    return s[GPR + 2] !== 0 || s[GPR + 3] !== 0;
  }
  const v = (c.getReg(1, asz) - 1) >>> 0;
  c.setReg(1, asz, v, 0);
  return (asz === 2 ? v & 0xffff : v) !== 0;
}

export function softInt(c: Cpu, vec: number, kind: EventKind): void {
  const f = readFlags(c.s);
  // Virtual-8086 mode with IOPL < 3: INT n is IOPL-sensitive (SDM 20.2.7).
  if ((f & VM) !== 0 && (f & IOPL) !== IOPL && kind === EventKind.Software) c.fault(Vec.GP, 0);
  deliverEvent(c, vec, -1, kind);
}

export function registerBranch(h: HandlerTable): void {
  const CC = ['O', 'NO', 'B', 'NB', 'Z', 'NZ', 'BE', 'NBE', 'S', 'NS', 'P', 'NP', 'L', 'NL', 'LE', 'NLE'];
  CC.forEach((n, cc) => {
    const f = (c: Cpu, i: DecodedInsn): void => { if (testCc(c.s, cc)) jumpRel(c, i, i.imm); };
    h[`J${n}_Jb`] = f;
    h[`J${n}_Jz`] = f;
  });
  h.JMP_Jb = (c, i) => jumpRel(c, i, i.imm);
  h.JMP_Jz = (c, i) => jumpRel(c, i, i.imm);
  h.JMP_Ev = (c, i) => { const lo = readE(c, i, i.osz); jumpTo(c, lo, c.hi, i.osz); };
  h.CALL_Jz = (c, i) => {
    const s = c.s, retLo = s[RIP], retHi = s[RIP + 1];
    jumpRel(c, i, i.imm);
    const tLo = s[RIP], tHi = s[RIP + 1];
    s[RIP] = retLo; s[RIP + 1] = retHi;
    push(c, i.osz, retLo, retHi);
    s[RIP] = tLo; s[RIP + 1] = tHi;
  };
  h.CALL_Ev = (c, i) => {
    const s = c.s, retLo = s[RIP], retHi = s[RIP + 1];
    const lo = readE(c, i, i.osz), hi = c.hi;
    jumpTo(c, lo, hi, i.osz);
    const tLo = s[RIP], tHi = s[RIP + 1];
    s[RIP] = retLo; s[RIP + 1] = retHi;
    push(c, i.osz, retLo, retHi);
    s[RIP] = tLo; s[RIP + 1] = tHi;
  };
  h.RETN = (c, i) => { const lo = peekStack(c, 0, i.osz); jumpTo(c, lo, c.hi, i.osz); adjustSp(c, i.osz); };
  h.RETN_Iw = (c, i) => { const lo = peekStack(c, 0, i.osz); jumpTo(c, lo, c.hi, i.osz); adjustSp(c, i.osz + (i.imm & 0xffff)); };
  h.LOOP_Jb = (c, i) => { if (decCount(c, i.asz)) jumpRel(c, i, i.imm); };
  h.LOOPE_Jb = (c, i) => { if (decCount(c, i.asz) && testCc(c.s, 4)) jumpRel(c, i, i.imm); };
  h.LOOPNE_Jb = (c, i) => { if (decCount(c, i.asz) && testCc(c.s, 5)) jumpRel(c, i, i.imm); };
  h.JCXZ_Jb = (c, i) => { if (countReg(c, i.asz) === 0) jumpRel(c, i, i.imm); };
  h.INT_Ib = (c, i) => softInt(c, i.imm & 0xff, EventKind.Software);
  h.INT3 = (c) => softInt(c, Vec.BP, EventKind.Software);
  h.INTO = (c) => { if ((readFlags(c.s) & OF) !== 0) softInt(c, Vec.OF, EventKind.Software); };
  h.INT1 = (c) => deliverEvent(c, Vec.DB, -1, EventKind.PrivSoftware);
}
