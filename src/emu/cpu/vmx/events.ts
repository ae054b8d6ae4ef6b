/**
 * Events in non-root operation (SDM 26.2, 26.7.5, 28.2.2, 28.2.4):
 * exceptions against the exception bitmap (with PFEC mask/match for #PF),
 * triple fault, external-interrupt exiting (with acknowledge-on-exit) and
 * interrupt-window exiting, and the IDT-vectoring information of an event
 * whose delivery caused the exit.
 */
import type { Cpu } from '../cpu.ts';
import { IF, Vec } from '../arch.ts';
import { CR2, RFLAGS, RIP } from '../state/layout.ts';
import { EventKind } from '../interrupts.ts';
import { hasErrorCode, NO_ERR } from '../fault.ts';
import { EXIT, PIN, PROC } from './controls.ts';
import { EXIT_REASON as R } from './exitReasons.ts';
import { vmExit } from './exit.ts';
import * as F from './slots.ts';
import { clearMtf, mtfPending, preemptionExpired } from './timers.ts';

/** Interruption type (SDM Table 25-17) of an event of `kind` with vector `vec`. */
function interruptionType(vec: number, kind: number): number {
  switch (kind) {
    case EventKind.External: return 0;
    case EventKind.Software: return vec === Vec.BP || vec === Vec.OF ? 6 : 4;
    case EventKind.PrivSoftware: return 5;
    default: return vec === Vec.NMI ? 2 : 3;
  }
}

/** Interruption-information word: vector, type, error-code valid (bit 11), valid (bit 31). */
function info(vec: number, kind: number, err: number): number {
  const type = interruptionType(vec, kind);
  const errValid = type === 3 && err !== NO_ERR && hasErrorCode(vec);
  return (vec | (type << 8) | (errValid ? 1 << 11 : 0) | (1 << 31)) >>> 0;
}

/**
 * Exits if exception `vec` is intercepted; `vectoring` >= 0 is the event whose
 * delivery raised it. INT n (software interrupts) never consult the bitmap. @faults (VM exit)
 */
export function exceptionExit(c: Cpu, vec: number, err: number, kind: number, vectoring: number, vKind: number, vErr: number): void {
  if (kind === EventKind.External) return;
  if (kind === EventKind.Software && vec !== Vec.BP && vec !== Vec.OF) return;
  const v = c.vmx.cache;
  const bitmap = v.lo(F.EXCEPTION_BITMAP);
  let exits = ((bitmap >>> vec) & 1) !== 0;
  if (vec === Vec.PF) {
    // SDM 26.2: with bit 14 set, exit iff PFEC & mask == match; with it clear, iff they differ.
    const match = ((err & v.lo(F.PAGE_FAULT_ERROR_CODE_MASK)) >>> 0) === v.lo(F.PAGE_FAULT_ERROR_CODE_MATCH);
    exits = exits ? match : !match;
  }
  if (!exits) return;
  const s = c.s;
  let qLo = 0, qHi = 0;
  if (vec === Vec.PF && kind === EventKind.Exception) {
    // The qualification is the faulting linear address; CR2 is not written (SDM 28.1).
    qLo = s[CR2]; qHi = s[CR2 + 1];
    s[CR2] = c.savedCr2Lo; s[CR2 + 1] = c.savedCr2Hi;
  }
  const i = info(vec, kind, err);
  v.set(F.VM_EXIT_INTR_INFO, i);
  v.set(F.VM_EXIT_INTR_ERROR_CODE, (i & (1 << 11)) !== 0 ? err : 0);
  setVectoring(c, vectoring, vKind, vErr);
  // Software exceptions (INT3, INTO) report their instruction length; RIP is the instruction's.
  v.set(F.VM_EXIT_INSTRUCTION_LEN, kind === EventKind.Exception ? 0 : (s[RIP] - c.startLo) >>> 0);
  vmExit(c, R.EXCEPTION_NMI, qLo, qHi);
}

function setVectoring(c: Cpu, vec: number, kind: number, err: number): void {
  const v = c.vmx.cache;
  if (vec < 0) { v.set(F.IDT_VECTORING_INFO_FIELD, 0); return; }
  const i = info(vec, kind, err);
  v.set(F.IDT_VECTORING_INFO_FIELD, i);
  v.set(F.IDT_VECTORING_ERROR_CODE, (i & (1 << 11)) !== 0 ? err : 0);
}

/** A triple fault in non-root operation is a VM exit (reason 2), not a shutdown. @faults (VM exit) */
export function tripleFaultExit(c: Cpu): void {
  try {
    const v = c.vmx.cache;
    v.set(F.VM_EXIT_INTR_INFO, 0);
    v.set(F.IDT_VECTORING_INFO_FIELD, 0);
    vmExit(c, R.TRIPLE_FAULT);
  } catch (e) {
    if (c.excVec !== 0x100) throw e;
  }
}

/**
 * At an instruction boundary in non-root operation without STI/MOV SS
 * blocking: interrupt-window exiting (RFLAGS.IF=1), then external-interrupt
 * exiting, which RFLAGS.IF does not block. Returns true after taking a VM
 * exit (never: vmExit throws), false if nothing happened. @faults (VM exit)
 */
export function nonRootEvents(c: Cpu): boolean {
  const v = c.vmx.cache, s = c.s;
  const proc = v.lo(F.CPU_BASED_VM_EXEC_CONTROL);
  const boundary = (reason: number, intrInfo: number): never => {
    c.startLo = s[RIP]; c.startHi = s[RIP + 1];
    v.set(F.VM_EXIT_INTR_INFO, intrInfo);
    v.set(F.IDT_VECTORING_INFO_FIELD, 0);
    v.set(F.VM_EXIT_INSTRUCTION_LEN, 0);
    return vmExit(c, reason);
  };
  // Priority (SDM 26.7.2, 26.5.1, 26.7.5): MTF, then preemption timer, interrupt window, external interrupts.
  if (mtfPending(c)) { clearMtf(c); boundary(R.MONITOR_TRAP_FLAG, 0); }
  if (preemptionExpired(c)) boundary(R.PREEMPTION_TIMER, 0);
  if ((proc & PROC.INTR_WINDOW_EXITING) !== 0 && (s[RFLAGS] & IF) !== 0) boundary(R.INTERRUPT_WINDOW, 0);
  if ((v.lo(F.PIN_BASED_VM_EXEC_CONTROL) & PIN.EXT_INT_EXITING) !== 0) {
    const pic = c.interruptController;
    if (pic !== null && pic.hasInterrupt()) {
      const ack = (v.lo(F.VM_EXIT_CONTROLS) & EXIT.ACK_INTR_ON_EXIT) !== 0;
      boundary(R.EXTERNAL_INTERRUPT, ack ? (pic.acknowledge() | (1 << 31)) >>> 0 : 0);
    }
  }
  return false;
}
