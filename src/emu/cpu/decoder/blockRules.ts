/**
 * Which decoded instructions may run inside a decoded block (blockCache.ts).
 *
 * A block runs its instructions back to back with no per-instruction check of
 * the fetch translation, CS, the mode, CPL, TF, the interrupt shadow or pending
 * interrupts. That is exact only if no instruction in the middle of a block can
 * change any of those, or RIP. So the rule is a whitelist by handler name:
 * - `Inner`: may sit anywhere in a block. It changes only general registers,
 *   arithmetic flags, DF, and memory (a write to a code page or to MMIO ends the
 *   block through Cpu.blockBreak). Faults are fine: they throw.
 * - `Last`: may end a block: near branches (they set RIP) and REP string
 *   instructions (they leave RIP on themselves between chunks).
 * Anything else (mode, segment, CR/DR/MSR, I/O, IF/TF changes, HLT, software
 * interrupts, instructions VMX may intercept, rows added later) is `Never`: it
 * runs through the per-instruction path, exactly as before blocks existed. Add
 * a row here only after checking the handler against the rule above.
 */
import { Attr, type OpEntry } from './table.ts';
import { Rep, type DecodedInsn } from './decodedInsn.ts';

export const enum BlockRole { Never = 0, Inner = 1, Last = 2 }

const ALU = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'];
const CC = ['O', 'NO', 'B', 'NB', 'Z', 'NZ', 'BE', 'NBE', 'S', 'NS', 'P', 'NP', 'L', 'NL', 'LE', 'NLE'];
const SHIFTS = ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SAR'];

const INNER = new Set<string>([
  ...ALU.flatMap((m) => ['EbGb', 'EvGv', 'GbEb', 'GvEv', 'ALIb', 'rAXIz', 'EbIb', 'EvIz', 'EvIb'].map((o) => `${m}_${o}`)),
  ...SHIFTS.flatMap((m) => ['EbIb', 'EvIb', 'Eb1', 'Ev1', 'EbCL', 'EvCL'].map((o) => `${m}_${o}`)),
  ...CC.flatMap((c) => [`CMOV${c}_GvEv`, `SET${c}_Eb`]),
  'TEST_EbGb', 'TEST_EvGv', 'TEST_ALIb', 'TEST_rAXIz', 'TEST_EbIb', 'TEST_EvIz',
  'INC_Zv', 'DEC_Zv', 'INC_Eb', 'DEC_Eb', 'INC_Ev', 'DEC_Ev', 'NOT_Eb', 'NOT_Ev', 'NEG_Eb', 'NEG_Ev',
  'MUL_Eb', 'IMUL_Eb', 'DIV_Eb', 'IDIV_Eb', 'MUL_Ev', 'IMUL_Ev', 'DIV_Ev', 'IDIV_Ev',
  'IMUL_GvEv', 'IMUL_GvEvIz', 'IMUL_GvEvIb',
  'SHLD_EvGvIb', 'SHLD_EvGvCL', 'SHRD_EvGvIb', 'SHRD_EvGvCL',
  'MOV_EbGb', 'MOV_EvGv', 'MOV_GbEb', 'MOV_GvEv', 'MOV_ALOb', 'MOV_rAXOv', 'MOV_ObAL', 'MOV_OvrAX',
  'MOV_ZbIb', 'MOV_ZvIv', 'MOV_EbIb', 'MOV_EvIz', 'LEA_GvM', 'MOVZX_GvEb', 'MOVZX_GvEw', 'MOVSX_GvEb',
  'MOVSX_GvEw', 'MOVSXD_GvEd', 'XCHG_EbGb', 'XCHG_EvGv', 'XCHG_ZvrAX', 'CBW', 'CWD', 'XLAT',
  'PUSH_Zv', 'POP_Zv', 'PUSH_Iz', 'PUSH_Ib', 'PUSH_Ev', 'POP_Ev', 'PUSHA', 'POPA', 'ENTER_IwIb', 'LEAVE',
  'BT_EvGv', 'BTS_EvGv', 'BTR_EvGv', 'BTC_EvGv', 'BT_EvIb', 'BTS_EvIb', 'BTR_EvIb', 'BTC_EvIb',
  'BSF_GvEv', 'BSR_GvEv', 'TZCNT_GvEv', 'LZCNT_GvEv', 'POPCNT_GvEv', 'BSWAP_Zv', 'MOVBE_GvMv', 'MOVBE_MvGv',
  'XADD_EbGb', 'XADD_EvGv', 'CMPXCHG_EbGb', 'CMPXCHG_EvGv', 'CMPXCHG8B_Mq',
  'CLC', 'STC', 'CMC', 'CLD', 'STD', 'SAHF', 'LAHF', 'DAA', 'DAS', 'AAA', 'AAS', 'AAM_Ib', 'AAD_Ib', 'SALC',
  'NOP_Ev', 'PREFETCH_Mb', 'PREFETCHW_Mb', 'LFENCE', 'SFENCE', 'MFENCE',
]);

const STRINGS = new Set<string>([
  'MOVS_YbXb', 'MOVS_YvXv', 'CMPS_XbYb', 'CMPS_XvYv', 'SCAS_ALYb', 'SCAS_rAXYv',
  'LODS_ALXb', 'LODS_rAXXv', 'STOS_YbAL', 'STOS_YvrAX',
]);

const LAST = new Set<string>([
  ...CC.flatMap((c) => [`J${c}_Jb`, `J${c}_Jz`]),
  'JMP_Jb', 'JMP_Jz', 'JMP_Ev', 'CALL_Jz', 'CALL_Ev', 'RETN', 'RETN_Iw',
  'LOOP_Jb', 'LOOPE_Jb', 'LOOPNE_Jb', 'JCXZ_Jb',
]);

/** The role of a freshly decoded instruction in a block. */
export function blockRole(i: DecodedInsn): BlockRole {
  const e: OpEntry | null = i.entry;
  if (e === null || e.handler === null || (e.attrs & (Attr.Prot | Attr.Cpl0 | Attr.Invalid)) !== 0) return BlockRole.Never;
  const name = e.name;
  // F3 90 is PAUSE (a VMX exit condition), not NOP.
  if (name === 'NOP') return i.rep === Rep.None ? BlockRole.Inner : BlockRole.Never;
  if (STRINGS.has(name)) return i.rep === Rep.None ? BlockRole.Inner : BlockRole.Last;
  if (INNER.has(name)) return BlockRole.Inner;
  if (LAST.has(name)) return BlockRole.Last;
  return BlockRole.Never;
}
