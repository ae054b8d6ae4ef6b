import type { OpEntry } from './table.ts';

/** Which repeat prefix applies to a string instruction. */
export const enum Rep { None = 0, F3 = 1, F2 = 2 }

/**
 * One decoded instruction. Fixed numeric fields so that instances stay
 * monomorphic; the decoder overwrites every field on each decode.
 */
export class DecodedInsn {
  entry: OpEntry | null = null;
  /** Length in bytes (1..15). */
  len = 0;
  /** Operand size in bytes for 'v' operands: 2, 4 or 8. */
  osz = 4;
  /** Address size in bytes: 2, 4 or 8. */
  asz = 4;
  /** Effective segment of the memory operand (SegReg), after overrides. */
  seg = 3;
  /** A segment-override prefix was present (and honoured). */
  segOverride = false;
  /** Last of F2/F3 when not consumed as a mandatory prefix. */
  rep = Rep.None;
  lock = false;
  /** 66 prefix present. */
  p66 = false;
  /** REX byte (0x40-0x4F) or 0 when absent. */
  rex = 0;
  /** Opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A. */
  map = 0;
  /** The opcode byte within its map. */
  opc = 0;
  /** ModRM fields; reg and rm include REX.R / REX.B. */
  modrm = -1;
  mod = 0;
  reg = 0;
  rm = 0;
  /** Memory operand: base and index register (-1 none), scale shift, displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  ripRel = false;
  /** First immediate: lo word (8/16/32-bit immediates are sign-extended to 32 except Iw) and hi word. */
  imm = 0;
  immHi = 0;
  /** Second immediate (ENTER's Ib, far pointer selector). */
  imm2 = 0;
}
