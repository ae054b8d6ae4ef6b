/**
 * Opcode-table rows in SDM Appendix A notation, and the compiled entries the
 * decoder walks. A row names the mnemonic and operands in SDM letters
 * ('Ev,Gv', 'Zv,Iv', 'rAX,Iz'); its handler is looked up by the derived name
 * MNEMONIC_Operands (ADD_EvGv). Rows without a handler decode (so lengths and
 * validity are right) and report "unimplemented instruction" when executed.
 */

/** Row attributes (SDM Appendix A superscripts and our own checks). */
export const enum Attr {
  None = 0,
  /** LOCK prefix allowed (memory destination only). */
  Lock = 1 << 0,
  /** Invalid in 64-bit mode (#UD). */
  I64 = 1 << 1,
  /** Valid only in 64-bit mode. */
  O64 = 1 << 2,
  /** Operand size defaults to 64 bits in 64-bit mode (66 gives 16). */
  D64 = 1 << 3,
  /** Operand size forced to 64 bits in 64-bit mode (Intel ignores 66 on near branches). */
  F64 = 1 << 4,
  /** Requires CPL 0 (#GP(0) otherwise). */
  Cpl0 = 1 << 5,
  /** Protected mode only (#UD in real and virtual-8086 mode). */
  Prot = 1 << 6,
  /** Ends a decoded block (branches, mode changes). */
  Branch = 1 << 7,
  /** Memory-only operand: mod=3 is #UD. */
  MemOnly = 1 << 8,
  /** The ModRM byte is always treated as a register operand (MOV CR/DR). */
  RegOnly = 1 << 9,
  /** Invalid encoding (#UD). */
  Invalid = 1 << 10,
  /** The F3 prefix is a REP for this row (string instructions). */
  Rep = 1 << 11,
  /** Register-only operand (U, N letters): mod != 3 is #UD. */
  RegForm = 1 << 12,
  /** ModRM.reg names a segment register: 6 and 7 are #UD (and CS as a destination). */
  Sreg = 1 << 13,
  /** ModRM.reg (with REX.R) names a control register: only CR0, CR2-CR4, CR8 exist. */
  Creg = 1 << 14,
  /** ModRM.reg names a debug register: DR8-DR15 are #UD. */
  Dreg = 1 << 15,
}

/** Immediate kinds, in decode order. */
export const enum Imm { None = 0, B, W, Z, V, D, O, Ap }

export type Handler = (c: never, i: never) => void;

export interface Row {
  readonly kind: 'op';
  readonly mnemonic: string;
  readonly operands: string;
  readonly attrs: number;
}
export interface GroupRow {
  readonly kind: 'grp';
  /** Eight rows by ModRM.reg for memory forms (mod != 3)... */
  readonly mem: readonly Spec[];
  /** ...and for register forms (mod = 3); an inner array of 8 is indexed by ModRM.rm. */
  readonly reg: readonly (Spec | readonly Spec[])[];
}
export interface PrefixRow {
  readonly kind: 'pfx';
  /** Column by mandatory prefix: none, 66, F3, F2 (SDM Table A-4 style). */
  readonly cols: readonly [Spec, Spec, Spec, Spec];
}
export interface ModeRow {
  readonly kind: 'mode';
  /** Row outside 64-bit mode, and in 64-bit mode (63: ARPL / MOVSXD). */
  readonly legacy: Spec;
  readonly long64: Spec;
}
export type Spec = Row | GroupRow | PrefixRow | ModeRow | null;

export function op(mnemonic: string, operands = '', attrs: number = Attr.None): Row {
  return { kind: 'op', mnemonic, operands, attrs };
}
/** A group indexed by ModRM.reg, the same for memory and register forms. */
export function grp(rows: readonly Spec[]): GroupRow {
  return { kind: 'grp', mem: rows, reg: rows };
}
/** A group with different memory and register forms. */
export function grpMod(mem: readonly Spec[], reg: readonly (Spec | readonly Spec[])[]): GroupRow {
  return { kind: 'grp', mem, reg };
}
export function pfx(none: Spec, p66: Spec, pF3: Spec, pF2: Spec): PrefixRow {
  return { kind: 'pfx', cols: [none, p66, pF3, pF2] };
}
export function byMode(legacy: Spec, long64: Spec): ModeRow {
  return { kind: 'mode', legacy, long64 };
}
export const INVALID: Row = op('(bad)', '', Attr.Invalid);

/** A compiled table entry. */
export class OpEntry {
  /** Index into the handler table. */
  id = 0;
  /** Derived handler name, e.g. ADD_EvGv. */
  name: string;
  handler: ((c: any, i: any) => void) | null = null;
  modrm: boolean;
  imm1: Imm;
  imm2: Imm;
  /** Row attributes plus those implied by the operand letters. */
  readonly attrs: number;
  constructor(readonly mnemonic: string, readonly operands: string, attrs: number) {
    this.name = operands ? `${mnemonic}_${operands.replace(/,/g, '')}` : mnemonic;
    const ops = operands ? operands.split(',') : [];
    this.modrm = ops.some((o) => /^[EGMRCDSNPQUVW]([a-z0-9]|$)/.test(o));
    const imms = ops.filter((o) => /^(I[bwzvd]|J[bz]|O[bv]|Ap)$/.test(o)).map(immKind);
    this.imm1 = imms[0] ?? Imm.None;
    this.imm2 = imms[1] ?? Imm.None;
    if (ops.some((o) => /^M/.test(o))) attrs |= Attr.MemOnly;
    if (ops.some((o) => /^[UN]/.test(o))) attrs |= Attr.RegForm;
    this.attrs = attrs;
  }
}

function immKind(o: string): Imm {
  switch (o) {
    case 'Ib': case 'Jb': return Imm.B;
    case 'Iw': return Imm.W;
    case 'Iz': case 'Jz': return Imm.Z;
    case 'Iv': return Imm.V;
    case 'Id': return Imm.D;
    case 'Ap': return Imm.Ap;
    default:
      if (o[0] === 'O') return Imm.O;
      throw new Error(`unknown immediate operand ${o}`);
  }
}

/** A compiled node: an entry, or a group/prefix split. */
export type Node = OpEntry | GroupNode | PrefixNode | ModeNode | null;
export class ModeNode {
  constructor(readonly legacy: Node, readonly long64: Node) {}
}
export class GroupNode {
  constructor(readonly mem: Node[], readonly reg: (Node | Node[])[]) {}
}
export class PrefixNode {
  constructor(readonly cols: Node[]) {}
}

/** All compiled entries, by id (the handler table is parallel to this). */
export const ENTRIES: OpEntry[] = [];

export function compile(spec: Spec): Node {
  if (spec === null) return null;
  switch (spec.kind) {
    case 'op': {
      const e = new OpEntry(spec.mnemonic, spec.operands, spec.attrs);
      e.id = ENTRIES.length;
      ENTRIES.push(e);
      return e;
    }
    case 'grp':
      return new GroupNode(spec.mem.map(compile),
        spec.reg.map((r) => (Array.isArray(r) ? (r as Spec[]).map(compile) : compile(r as Spec))));
    case 'pfx':
      return new PrefixNode(spec.cols.map(compile));
    case 'mode':
      return new ModeNode(compile(spec.legacy), compile(spec.long64));
  }
}

export function compileMap(rows: readonly Spec[]): Node[] {
  if (rows.length !== 256) throw new Error(`opcode map has ${rows.length} rows, not 256`);
  return rows.map(compile);
}
