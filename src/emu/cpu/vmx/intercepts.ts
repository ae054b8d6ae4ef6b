/**
 * VMX non-root operation: which instructions exit (SDM Vol. 3 26.1), checked
 * by Cpu.step before the handler runs (after the #UD and CPL checks that take
 * priority over VM exits, SDM 26.1.1). I/O and CR reads have their own hooks
 * because their permission checks or results sit inside the handlers.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import type { OpEntry } from '../decoder/table.ts';
import { CR4_PCE, CR4_TSD, Vec } from '../arch.ts';
import { Rep } from '../decoder/decodedInsn.ts';
import { CR0, CR4 } from '../state/layout.ts';
import { PROC, PROC2 } from './controls.ts';
import { EXIT_REASON as R } from './exitReasons.ts';
import { vmExit } from './exit.ts';
import { crAccessExit, movDrExit } from './crAccess.ts';
import { msrExits } from './ioMsrExits.ts';
import { operandLinear } from '../exec/operands.ts';
import * as F from './slots.ts';

const enum K {
  None, Cpuid, Invd, Xsetbv, Hlt, Invlpg, Rdtsc, Rdtscp, Rdpmc, MovToCr, MovFromCr, MovDr, Clts, Lmsw,
  Rdmsr, Wrmsr, Mwait, Monitor, Nop, Wbinvd, Invpcid,
}
const KINDS: Record<string, K> = {
  CPUID: K.Cpuid, INVD: K.Invd, XSETBV: K.Xsetbv, HLT: K.Hlt, INVLPG_Mb: K.Invlpg, RDTSC: K.Rdtsc, RDTSCP: K.Rdtscp,
  RDPMC: K.Rdpmc, MOV_CdRd: K.MovToCr, MOV_RdCd: K.MovFromCr, MOV_DdRd: K.MovDr, MOV_RdDd: K.MovDr, CLTS: K.Clts,
  LMSW_Ew: K.Lmsw, RDMSR: K.Rdmsr, WRMSR: K.Wrmsr, MWAIT: K.Mwait, MONITOR: K.Monitor, NOP: K.Nop, WBINVD: K.Wbinvd,
  INVPCID_GyMdq: K.Invpcid,
};
const kindOf = new Map<OpEntry, K>();

/** Length-only instruction exit: sets VM_EXIT_INSTRUCTION_LEN and exits. @faults */
export function insnExit(c: Cpu, i: DecodedInsn, reason: number, qLo = 0, qHi = 0, info = 0): never {
  const v = c.vmx.cache;
  v.set(F.VM_EXIT_INSTRUCTION_LEN, i.len);
  v.set(F.VMX_INSTRUCTION_INFO, info);
  v.set(F.VM_EXIT_INTR_INFO, 0);
  v.set(F.IDT_VECTORING_INFO_FIELD, 0);
  return vmExit(c, reason, qLo, qHi);
}

/** Runs before the handler of every instruction in non-root operation. @faults (VM exit, #UD) */
export function interceptInsn(c: Cpu, i: DecodedInsn): void {
  const e = i.entry!;
  let k = kindOf.get(e);
  if (k === undefined) { k = KINDS[e.name] ?? K.None; kindOf.set(e, k); }
  if (k === K.None) return;
  const v = c.vmx.cache;
  const proc = v.lo(F.CPU_BASED_VM_EXEC_CONTROL);
  const proc2 = (proc & PROC.ACTIVATE_SECONDARY) !== 0 ? v.lo(F.SECONDARY_VM_EXEC_CONTROL) : 0;
  switch (k) {
    case K.Cpuid: insnExit(c, i, R.CPUID); break;
    case K.Invd: insnExit(c, i, R.INVD); break;
    case K.Xsetbv: if (c.cpl === 0 && (c.s[CR4] & (1 << 18)) !== 0) insnExit(c, i, R.XSETBV); break;
    case K.Hlt: if ((proc & PROC.HLT_EXITING) !== 0) insnExit(c, i, R.HLT); break;
    case K.Invlpg: if ((proc & PROC.INVLPG_EXITING) !== 0) insnExit(c, i, R.INVLPG, ...linearEa(c, i)); break;
    case K.Rdtsc:
      if ((c.s[CR4] & CR4_TSD) !== 0 && c.cpl !== 0) return; // the handler raises #GP first
      if ((proc & PROC.RDTSC_EXITING) !== 0) insnExit(c, i, R.RDTSC);
      break;
    case K.Rdtscp:
      if ((proc2 & PROC2.ENABLE_RDTSCP) === 0) c.fault(Vec.UD);
      if ((c.s[CR4] & CR4_TSD) !== 0 && c.cpl !== 0) return;
      if ((proc & PROC.RDTSC_EXITING) !== 0) insnExit(c, i, R.RDTSCP);
      break;
    case K.Rdpmc:
      if ((c.s[CR4] & CR4_PCE) === 0 && c.cpl !== 0) return;
      if ((proc & PROC.RDPMC_EXITING) !== 0) insnExit(c, i, R.RDPMC);
      break;
    case K.MovToCr: case K.MovFromCr: case K.Clts: case K.Lmsw: crAccessExit(c, i, proc); break;
    case K.MovDr: if ((proc & PROC.MOV_DR_EXITING) !== 0) movDrExit(c, i); break;
    case K.Rdmsr: if (msrExits(c, proc, false)) insnExit(c, i, R.MSR_READ); break;
    case K.Wrmsr: if (msrExits(c, proc, true)) insnExit(c, i, R.MSR_WRITE); break;
    case K.Mwait: if (c.cpuid.has('MONITOR') && (proc & PROC.MWAIT_EXITING) !== 0) insnExit(c, i, R.MWAIT_INSTRUCTION); break;
    case K.Monitor: if (c.cpuid.has('MONITOR') && (proc & PROC.MONITOR_EXITING) !== 0) insnExit(c, i, R.MONITOR_INSTRUCTION); break;
    case K.Nop: if (i.rep === Rep.F3 && (proc & PROC.PAUSE_EXITING) !== 0) insnExit(c, i, R.PAUSE_INSTRUCTION); break;
    case K.Wbinvd: if ((proc2 & PROC2.WBINVD_EXITING) !== 0) insnExit(c, i, R.WBINVD); break;
    case K.Invpcid:
      if ((proc2 & PROC2.ENABLE_INVPCID) === 0) c.fault(Vec.UD);
      if ((proc & PROC.INVLPG_EXITING) !== 0) insnExit(c, i, R.INVPCID, i.disp, i.disp >> 31, memOperandInfo(i));
      break;
    default:
  }
}

/** Linear address of the memory operand (segment base applied), for INVLPG's qualification. */
function linearEa(c: Cpu, i: DecodedInsn): [number, number] {
  eaOut[0] = operandLinear(c, i); eaOut[1] = c.laHi;
  return eaOut;
}
const eaOut: [number, number] = [0, 0];

/**
 * VM-exit instruction-information for a memory operand (SDM 28.2.5, Table 28-13/14):
 * scaling 1:0, address size 9:7, segment 17:15, index 21:18 (+22 invalid), base 26:23 (+27 invalid).
 */
export function memOperandInfo(i: DecodedInsn): number {
  const asz = i.asz === 2 ? 0 : i.asz === 4 ? 1 : 2;
  let info = (i.scale & 3) | (asz << 7) | ((i.seg & 7) << 15);
  info |= i.index >= 0 ? (i.index & 15) << 18 : 1 << 22;
  info |= i.base >= 0 && !i.ripRel ? (i.base & 15) << 23 : 1 << 27;
  return info >>> 0;
}

/** Guest-visible CR0/CR4: host-owned bits (mask 1) read from the read shadow (SDM 26.3). */
export function shadowedCr(c: Cpu, cr: number, value: number): number {
  const v = c.vmx.cache;
  const mask = cr === 0 ? v.lo(F.CR0_GUEST_HOST_MASK) : v.lo(F.CR4_GUEST_HOST_MASK);
  const shadow = cr === 0 ? v.lo(F.CR0_READ_SHADOW) : v.lo(F.CR4_READ_SHADOW);
  return ((value & ~mask) | (shadow & mask)) >>> 0;
}
void CR0;
