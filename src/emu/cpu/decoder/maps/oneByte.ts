/** The one-byte opcode map (Intel SDM Vol. 2 Appendix A, Table A-2), as data. */
import { Attr as A, INVALID as X, byMode, op, type Spec } from '../table.ts';
import { GRP1_80, GRP1_81, GRP1_82, GRP1_83, GRP1A, GRP2, GRP3_F6, GRP3_F7, GRP4, GRP5, GRP11_C6, GRP11_C7, X87 } from './groups.ts';

const L = A.Lock;
const BR = A.Branch;

/** The eight ALU rows (ADD, OR, ...) at 00-05, 08-0D, ... */
function alu(m: string, lock: boolean): Spec[] {
  const l = lock ? L : 0;
  return [op(m, 'Eb,Gb', l), op(m, 'Ev,Gv', l), op(m, 'Gb,Eb'), op(m, 'Gv,Ev'), op(m, 'AL,Ib'), op(m, 'rAX,Iz')];
}
const eight = (s: Spec): Spec[] => Array<Spec>(8).fill(s);
const JCC = ['JO', 'JNO', 'JB', 'JNB', 'JZ', 'JNZ', 'JBE', 'JNBE', 'JS', 'JNS', 'JP', 'JNP', 'JL', 'JNL', 'JLE', 'JNLE'];

/** Prefix bytes: the decoder consumes them before looking here. */
const PREFIX = X;

export const ONE_BYTE: readonly Spec[] = [
  /* 00 */ ...alu('ADD', true), op('PUSH', 'ES', A.I64), op('POP', 'ES', A.I64),
  /* 08 */ ...alu('OR', true), op('PUSH', 'CS', A.I64), X /* 0F escape */,
  /* 10 */ ...alu('ADC', true), op('PUSH', 'SS', A.I64), op('POP', 'SS', A.I64),
  /* 18 */ ...alu('SBB', true), op('PUSH', 'DS', A.I64), op('POP', 'DS', A.I64),
  /* 20 */ ...alu('AND', true), PREFIX, op('DAA', '', A.I64),
  /* 28 */ ...alu('SUB', true), PREFIX, op('DAS', '', A.I64),
  /* 30 */ ...alu('XOR', true), PREFIX, op('AAA', '', A.I64),
  /* 38 */ ...alu('CMP', false), PREFIX, op('AAS', '', A.I64),
  /* 40 */ ...eight(op('INC', 'Zv', A.I64)),
  /* 48 */ ...eight(op('DEC', 'Zv', A.I64)),
  /* 50 */ ...eight(op('PUSH', 'Zv', A.D64)),
  /* 58 */ ...eight(op('POP', 'Zv', A.D64)),
  /* 60 */ op('PUSHA', '', A.I64), op('POPA', '', A.I64), op('BOUND', 'Gv,Ma', A.I64 | A.MemOnly),
  /* 63 */ byMode(op('ARPL', 'Ew,Gw', A.Prot), op('MOVSXD', 'Gv,Ed')), PREFIX, PREFIX, PREFIX, PREFIX,
  /* 68 */ op('PUSH', 'Iz', A.D64), op('IMUL', 'Gv,Ev,Iz'), op('PUSH', 'Ib', A.D64), op('IMUL', 'Gv,Ev,Ib'),
  /* 6C */ op('INS', 'Yb,DX', A.Rep), op('INS', 'Yz,DX', A.Rep), op('OUTS', 'DX,Xb', A.Rep), op('OUTS', 'DX,Xz', A.Rep),
  /* 70 */ ...JCC.map((m) => op(m, 'Jb', A.F64 | BR)),
  /* 80 */ GRP1_80, GRP1_81, GRP1_82, GRP1_83,
  /* 84 */ op('TEST', 'Eb,Gb'), op('TEST', 'Ev,Gv'), op('XCHG', 'Eb,Gb', L), op('XCHG', 'Ev,Gv', L),
  /* 88 */ op('MOV', 'Eb,Gb'), op('MOV', 'Ev,Gv'), op('MOV', 'Gb,Eb'), op('MOV', 'Gv,Ev'),
  /* 8C */ op('MOV', 'Ev,Sw', A.Sreg), op('LEA', 'Gv,M', A.MemOnly), op('MOV', 'Sw,Ew', A.Sreg), GRP1A,
  /* 90 */ op('NOP'), ...Array<Spec>(7).fill(op('XCHG', 'Zv,rAX')),
  /* 98 */ op('CBW'), op('CWD'), op('CALLF', 'Ap', A.I64 | BR), op('FWAIT'),
  /* 9C */ op('PUSHF', '', A.D64), op('POPF', '', A.D64 | BR), op('SAHF'), op('LAHF'),
  /* A0 */ op('MOV', 'AL,Ob'), op('MOV', 'rAX,Ov'), op('MOV', 'Ob,AL'), op('MOV', 'Ov,rAX'),
  /* A4 */ op('MOVS', 'Yb,Xb', A.Rep), op('MOVS', 'Yv,Xv', A.Rep), op('CMPS', 'Xb,Yb'), op('CMPS', 'Xv,Yv'),
  /* A8 */ op('TEST', 'AL,Ib'), op('TEST', 'rAX,Iz'), op('STOS', 'Yb,AL', A.Rep), op('STOS', 'Yv,rAX', A.Rep),
  /* AC */ op('LODS', 'AL,Xb', A.Rep), op('LODS', 'rAX,Xv', A.Rep), op('SCAS', 'AL,Yb'), op('SCAS', 'rAX,Yv'),
  /* B0 */ ...eight(op('MOV', 'Zb,Ib')),
  /* B8 */ ...eight(op('MOV', 'Zv,Iv')),
  /* C0 */ GRP2('Eb', 'Ib'), GRP2('Ev', 'Ib'), op('RETN', 'Iw', A.F64 | BR), op('RETN', '', A.F64 | BR),
  /* C4 */ op('LES', 'Gz,Mp', A.I64 | A.MemOnly), op('LDS', 'Gz,Mp', A.I64 | A.MemOnly), GRP11_C6, GRP11_C7,
  /* C8 */ op('ENTER', 'Iw,Ib', A.D64), op('LEAVE', '', A.D64), op('RETF', 'Iw', BR), op('RETF', '', BR),
  /* CC */ op('INT3', '', BR), op('INT', 'Ib', BR), op('INTO', '', A.I64 | BR), op('IRET', '', BR),
  /* D0 */ GRP2('Eb', '1'), GRP2('Ev', '1'), GRP2('Eb', 'CL'), GRP2('Ev', 'CL'),
  /* D4 */ op('AAM', 'Ib', A.I64), op('AAD', 'Ib', A.I64), op('SALC', '', A.I64), op('XLAT'),
  /* D8 */ ...X87,
  /* E0 */ op('LOOPNE', 'Jb', A.F64 | BR), op('LOOPE', 'Jb', A.F64 | BR), op('LOOP', 'Jb', A.F64 | BR), op('JCXZ', 'Jb', A.F64 | BR),
  /* E4 */ op('IN', 'AL,Ib'), op('IN', 'eAX,Ib'), op('OUT', 'Ib,AL'), op('OUT', 'Ib,eAX'),
  /* E8 */ op('CALL', 'Jz', A.F64 | BR), op('JMP', 'Jz', A.F64 | BR), op('JMPF', 'Ap', A.I64 | BR), op('JMP', 'Jb', A.F64 | BR),
  /* EC */ op('IN', 'AL,DX'), op('IN', 'eAX,DX'), op('OUT', 'DX,AL'), op('OUT', 'DX,eAX'),
  /* F0 */ PREFIX, op('INT1', '', BR), PREFIX, PREFIX,
  /* F4 */ op('HLT', '', A.Cpl0 | BR), op('CMC'), GRP3_F6, GRP3_F7,
  /* F8 */ op('CLC'), op('STC'), op('CLI'), op('STI'),
  /* FC */ op('CLD'), op('STD'), GRP4, GRP5,
];
