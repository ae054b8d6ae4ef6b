/**
 * What every x87 instruction shares: the #NM and #MF checks done before it runs (SDM
 * Vol. 3 Table 2-2 and 6.15 "#MF"), the last-instruction pointers it leaves behind
 * (SDM Vol. 1 8.1.8, 8.1.9), and memory operands in the x87 formats. The handlers in
 * x87Arith.ts, x87Transfer.ts and x87Control.ts are wrapped with x87() when registered.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR0_EM, CR0_NE, CR0_TS, SegReg, Vec } from '../arch.ts';
import { CR0, MISC_ENABLE, SEG_SEL, segOff } from '../state/layout.ts';
import { DE, F80, FpEnv, fromF32, fromF64 } from '../fpu/index.ts';
import { probeWrite } from '../memory.ts';
import { readEaPlus, writeEaPlus } from './operands.ts';
import type { InsnHandler } from './handlerTypes.ts';

/** How the wrapper treats an instruction. */
export const enum X87Kind {
  /** Arithmetic, loads, stores...: waits for pending exceptions, records FOP/FIP/FDP. */
  Normal = 0,
  /** Control instruction (SDM Vol. 1 8.1.8: FLDCW, FLDENV, FRSTOR): waits, leaves FOP/FIP/FDP alone. */
  Control = 1,
  /** FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE: neither waits nor records. */
  NoWait = 2,
}

/**
 * #NM for an x87 escape: CR0.EM = 1 (no FPU: emulate) or CR0.TS = 1 (lazy context switch).
 * CR0.MP only matters for WAIT/FWAIT. @faults #NM
 */
export function checkX87Nm(c: Cpu): void {
  if ((c.s[CR0] & (CR0_EM | CR0_TS)) !== 0) c.fault(Vec.NM);
}

/**
 * A waiting x87 instruction found an unmasked exception pending (FSW.ES = 1). With
 * CR0.NE = 1 that is #MF, with RIP at the waiting instruction. With CR0.NE = 0 (the PC/AT
 * "DOS-compatible" mode, SDM Vol. 1 D.1) the processor would signal FERR# and freeze until
 * IGNNE# or an interrupt; we signal FERR# through c.onFerr (the machine may turn it into
 * IRQ13) and continue as if IGNNE# were asserted. @faults #MF
 */
export function pendingX87(c: Cpu): void {
  if ((c.s[CR0] & CR0_NE) !== 0) c.fault(Vec.MF);
  if (c.onFerr !== null) c.onFerr();
}

/** FOP: the low three bits of the first opcode byte and the ModR/M byte (SDM Vol. 1 8.1.9). */
export function fopOf(i: DecodedInsn): number {
  return ((i.opc & 7) << 8) | (i.modrm & 0xff);
}

/** IA32_MISC_ENABLE bit 2: FOP code compatibility mode (SDM Vol. 1 8.1.9.1). */
const MISC_FOP_COMPAT = 1 << 2;

/**
 * Records FOP, FCS:FIP and, for memory forms, FDS:FDP. Offsets, not linear addresses:
 * the real-mode images compute (selector << 4) + offset themselves. FOP follows the
 * default (non-compatibility) FOP mode of Pentium 4 and later (SDM Vol. 1 8.1.9.1): it is
 * kept only for an instruction that raised an unmasked exception, else stored as 0, unless
 * IA32_MISC_ENABLE[2] selects the compatibility mode where every instruction records it.
 */
export function recordPointers(c: Cpu, i: DecodedInsn): void {
  const s = c.s, f = c.fpu;
  const unmasked = (f.env.flags & 0x3f & ~f.fcw) !== 0;
  const fop = unmasked || (s[MISC_ENABLE] & MISC_FOP_COMPAT) !== 0 ? fopOf(i) : 0;
  f.setLastInstruction(fop, c.startLo, c.long64 ? c.startHi : 0, s[segOff(SegReg.CS, SEG_SEL)]);
  if (i.mod !== 3) c.fpu.setLastData(c.eaLo, i.asz === 8 ? c.eaHi : 0, s[segOff(i.seg, SEG_SEL)]);
}

/** Wraps an x87 handler with the checks and bookkeeping its kind calls for. */
export function x87(body: InsnHandler, kind: X87Kind = X87Kind.Normal): InsnHandler {
  if (kind === X87Kind.NoWait) return (c, i) => { checkX87Nm(c); body(c, i); };
  if (kind === X87Kind.Control) {
    return (c, i) => {
      checkX87Nm(c);
      if (c.fpu.pendingUnmasked) pendingX87(c);
      body(c, i);
    };
  }
  return (c, i) => {
    checkX87Nm(c);
    if (c.fpu.pendingUnmasked) pendingX87(c);
    c.fpu.env.flags = 0; // handlers that never call begin() raise nothing
    body(c, i);
    recordPointers(c, i);
  };
}

/** Register operand ST(i) of a register form: ModR/M.rm without REX.B (REX does not extend x87). */
export const sti = (i: DecodedInsn): number => i.modrm & 7;

// ---- memory operands -------------------------------------------------------------------

/** Reads the memory operand's 32-bit word at `delta`. @faults */
export const readMem32 = (c: Cpu, i: DecodedInsn, delta = 0): number => readEaPlus(c, i, delta, 4);

const maskedEnv = new FpEnv();

/**
 * A floating-point memory operand of an arithmetic or compare instruction, in register
 * format, raising what the operand itself raises: DE for a denormal (the operation then
 * stops if DE is unmasked). An SNaN stays signalling so the operation raises IE and
 * propagates it by the NaN rules (SDM Vol. 1 Table 4-7). Returns false to abort.
 */
export function floatOperand(env: FpEnv, lo: number, hi: number, double: boolean, out: F80): boolean {
  maskedEnv.begin(0x3f);
  if (double) fromF64(maskedEnv, lo, hi, out); else fromF32(maskedEnv, lo, out);
  const snan = double
    ? (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0 && (hi & 0x80000) === 0
    : (lo & 0x7f800000) === 0x7f800000 && (lo & 0x7fffff) !== 0 && (lo & 0x400000) === 0;
  if (snan) out.hi = (out.hi & ~0x40000000) >>> 0;
  if ((maskedEnv.flags & DE) !== 0) {
    env.flags |= DE;
    if (env.unmasked(DE)) return false;
  }
  return true;
}

/** Writes `n` bytes from `buf` to the memory operand, all or nothing (probed first). @faults */
export function writeImage(c: Cpu, i: DecodedInsn, buf: Uint8Array, n: number): void {
  probeWrite(c, i.seg, c.eaLo, c.eaHi, n);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    writeEaPlus(c, i, k, 4, (buf[k]! | (buf[k + 1]! << 8) | (buf[k + 2]! << 16) | (buf[k + 3]! << 24)) >>> 0, 0);
  }
  for (; k < n; k++) writeEaPlus(c, i, k, 1, buf[k]!, 0);
}

/** Reads `n` bytes of the memory operand into `buf`. @faults */
export function readImage(c: Cpu, i: DecodedInsn, buf: Uint8Array, n: number): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const v = readEaPlus(c, i, k, 4);
    buf[k] = v & 0xff; buf[k + 1] = (v >>> 8) & 0xff; buf[k + 2] = (v >>> 16) & 0xff; buf[k + 3] = v >>> 24;
  }
  for (; k < n; k++) buf[k] = readEaPlus(c, i, k, 1);
}
