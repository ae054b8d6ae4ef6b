/** Opcode-extension groups (Intel SDM Vol. 2 Table A-6), as data. */
import { Attr as A, INVALID as X, grp, grpMod, op, pfx, type Spec } from '../table.ts';

const L = A.Lock;
const ALU = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'];
const grp1 = (e: string, i: string, attrs = 0): Spec =>
  grp(ALU.map((m) => op(m, `${e},${i}`, (m === 'CMP' ? 0 : L) | attrs)));

export const GRP1_80 = grp1('Eb', 'Ib');
export const GRP1_81 = grp1('Ev', 'Iz');
/** 82 is an alias of 80, invalid in 64-bit mode. */
export const GRP1_82 = grp1('Eb', 'Ib', A.I64);
export const GRP1_83 = grp1('Ev', 'Ib');
export const GRP1A = grp([op('POP', 'Ev', A.D64), X, X, X, X, X, X, X]);

/** Shift group; SAL (/6) is an undocumented alias of SHL that executes as SHL. */
export function GRP2(e: string, count: string): Spec {
  return grp(['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SHL', 'SAR'].map((m) => op(m, `${e},${count}`)));
}
export const GRP3_F6 = grp([op('TEST', 'Eb,Ib'), op('TEST', 'Eb,Ib'), op('NOT', 'Eb', L), op('NEG', 'Eb', L),
  op('MUL', 'Eb'), op('IMUL', 'Eb'), op('DIV', 'Eb'), op('IDIV', 'Eb')]);
export const GRP3_F7 = grp([op('TEST', 'Ev,Iz'), op('TEST', 'Ev,Iz'), op('NOT', 'Ev', L), op('NEG', 'Ev', L),
  op('MUL', 'Ev'), op('IMUL', 'Ev'), op('DIV', 'Ev'), op('IDIV', 'Ev')]);
export const GRP4 = grp([op('INC', 'Eb', L), op('DEC', 'Eb', L), X, X, X, X, X, X]);
export const GRP5 = grp([op('INC', 'Ev', L), op('DEC', 'Ev', L), op('CALL', 'Ev', A.F64 | A.Branch),
  op('CALLF', 'Mp', A.MemOnly | A.Branch), op('JMP', 'Ev', A.F64 | A.Branch), op('JMPF', 'Mp', A.MemOnly | A.Branch),
  op('PUSH', 'Ev', A.D64), X]);
/** C6/C7: MOV /0; XABORT/XBEGIN (RTM) at reg=7 are not advertised, so #UD. */
export const GRP11_C6 = grp([op('MOV', 'Eb,Ib'), X, X, X, X, X, X, X]);
export const GRP11_C7 = grp([op('MOV', 'Ev,Iz'), X, X, X, X, X, X, X]);

export { X87 } from './x87.ts';

const P = A.Prot;
export const GRP6 = grp([op('SLDT', 'Ew', P), op('STR', 'Ew', P), op('LLDT', 'Ew', P | A.Cpl0), op('LTR', 'Ew', P | A.Cpl0),
  op('VERR', 'Ew', P), op('VERW', 'Ew', P), X, X]);

/** 0F 01 register forms take no 66/F2/F3 prefix (iced-x86 and XED agree; F2/F3 select other instructions). */
const nfx = (r: Spec): Spec => pfx(r, X, X, X);
const VMX = (m: string, attrs = 0): Spec => nfx(op(m, '', attrs));
export const GRP7 = grpMod(
  [op('SGDT', 'Ms'), op('SIDT', 'Ms'), op('LGDT', 'Ms', A.Cpl0), op('LIDT', 'Ms', A.Cpl0),
    op('SMSW', 'Ew'), X, op('LMSW', 'Ew', A.Cpl0), op('INVLPG', 'Mb', A.Cpl0)],
  [
    [X, VMX('VMCALL'), VMX('VMLAUNCH'), VMX('VMRESUME'), VMX('VMXOFF'), X, X, X],
    [nfx(op('MONITOR')), nfx(op('MWAIT')), pfx(op('CLAC'), X, X, X), pfx(op('STAC'), X, X, X), X, X, X, X],
    [pfx(op('XGETBV'), X, X, X), pfx(op('XSETBV'), X, X, X), X, X, pfx(op('VMFUNC'), X, X, X), X, X, X],
    [X, X, X, X, X, X, X, X],
    op('SMSW', 'Ew'),
    [X, X, X, X, X, X, pfx(op('RDPKRU'), X, X, X), pfx(op('WRPKRU'), X, X, X)],
    op('LMSW', 'Ew', A.Cpl0),
    [op('SWAPGS', '', A.O64), op('RDTSCP'), X, X, X, X, X, X],
  ]);

/** 0F 0D / 0F 18: prefetch hints; 0F 19-1F: hint NOPs (reserved-NOP space). */
export const GRP_PREFETCHW = grpMod(Array<Spec>(8).fill(op('PREFETCHW', 'Mb')), Array<Spec>(8).fill(op('NOP', 'Ev')));
export const GRP16 = grpMod(Array<Spec>(8).fill(op('PREFETCH', 'Mb')), Array<Spec>(8).fill(op('NOP', 'Ev')));

/** 0F 71-73: MMX/SSE2 shifts by immediate (groups 12-14). */
const sh = (m: string, dq = false): Spec => pfx(dq ? X : op(m, 'Nq,Ib'), op(m, 'Ux,Ib'), X, X);
export const GRP12 = grp([X, X, sh('PSRLW'), X, sh('PSRAW'), X, sh('PSLLW'), X]);
export const GRP13 = grp([X, X, sh('PSRLD'), X, sh('PSRAD'), X, sh('PSLLD'), X]);
export const GRP14 = grp([X, X, sh('PSRLQ'), sh('PSRLDQ', true), X, X, sh('PSLLQ'), sh('PSLLDQ', true)]);

export const GRP8 = grp([X, X, X, X, op('BT', 'Ev,Ib'), op('BTS', 'Ev,Ib', L), op('BTR', 'Ev,Ib', L), op('BTC', 'Ev,Ib', L)]);

export const GRP9 = grpMod(
  [X, op('CMPXCHG8B', 'Mq', L), X, X, X, X,
    pfx(op('VMPTRLD', 'Mq'), op('VMCLEAR', 'Mq'), op('VMXON', 'Mq'), X),
    pfx(op('VMPTRST', 'Mq'), X, X, X)],
  [X, X, X, X, X, X, pfx(op('RDRAND', 'Rv'), op('RDRAND', 'Rv'), X, X), pfx(op('RDSEED', 'Rv'), op('RDSEED', 'Rv'), op('RDPID', 'Rd'), X)]);

/** SDM "NP": no 66/F2/F3 prefix allowed. */
const noRep = (s: Spec, p66: Spec = X): Spec => pfx(s, p66, X, X);
export const GRP15 = grpMod(
  [noRep(op('FXSAVE', 'M')), noRep(op('FXRSTOR', 'M')), noRep(op('LDMXCSR', 'Md'), X), noRep(op('STMXCSR', 'Md'), X),
    noRep(op('XSAVE', 'M'), X), noRep(op('XRSTOR', 'M'), X), noRep(op('XSAVEOPT', 'M'), op('CLWB', 'Mb')),
    noRep(op('CLFLUSH', 'Mb'), op('CLFLUSHOPT', 'Mb'))],
  [pfx(X, X, op('RDFSBASE', 'Ry', A.O64), X), pfx(X, X, op('RDGSBASE', 'Ry', A.O64), X),
    pfx(X, X, op('WRFSBASE', 'Ry', A.O64), X), pfx(X, X, op('WRGSBASE', 'Ry', A.O64), X),
    X, noRep(op('LFENCE')), noRep(op('MFENCE')), noRep(op('SFENCE'))]);
