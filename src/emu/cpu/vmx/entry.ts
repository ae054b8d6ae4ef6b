/**
 * VM entry (SDM Vol. 3 chapter 27) after VMLAUNCH/VMRESUME passed their
 * instruction checks: checks on controls and host state (VMfailValid 7/8),
 * guest-state checks and loading (failure: exit reason 33), MSR loading
 * (failure: reason 34), then non-root operation and event injection.
 */
import type { Cpu } from '../cpu.ts';
import { CR0_ET, EFER_LMA, EFER_LME, Vec } from '../arch.ts';
import { FAULT } from '../fault.ts';
import { EventKind } from '../interrupts.ts';
import {
  CR0, CR3, CR4, DR7, EFER, GDTR, GPR, HALTED, IDTR, PAT, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL,
  SHADOW, SYSENTER_CS, SYSENTER_EIP, SYSENTER_ESP, segOff,
} from '../state/layout.ts';
import { ENTRY, PROC, PROC2 } from './controls.ts';
import { CONTROL_CHECKS, HOST_CHECKS, exitCtl, injType, injValid, injVec, proc2, type EntryCheck } from './entryChecks.ts';
import { GUEST_CHECKS, LINK_POINTER_CHECK } from './guestChecks.ts';
import { ENTRY_FAIL_QUAL, EXIT_REASON, EXIT_REASON_ENTRY_FAILURE, VMX_ERROR } from './exitReasons.ts';
import { GUEST_SEG, VMEXIT_VEC, loadHostState } from './exit.ts';
import { loadMsrList } from './msrLists.ts';
import { VmxEvent, vmFailValid } from './vmx.ts';
import * as F from './slots.ts';
import { armPreemptionTimer, clearMtf, setMtfPending } from './timers.ts';

/** Ids and texts of every check, for the UI (same order as applied). */
export const ALL_ENTRY_CHECKS: readonly EntryCheck[] = [...CONTROL_CHECKS, ...HOST_CHECKS, ...GUEST_CHECKS, LINK_POINTER_CHECK];

function firstFailure(c: Cpu, checks: readonly EntryCheck[]): EntryCheck | null {
  const v = c.vmx.cache;
  for (const r of checks) if (!r.ok(v, c)) return r;
  return null;
}

/**
 * Performs VM entry. Returns normally only after VMfailValid (the caller's
 * instruction then completes); otherwise switches context and throws the
 * VMEXIT_VEC sentinel. @faults
 */
export function vmEntry(c: Cpu, launch: boolean): void {
  const vmx = c.vmx, v = vmx.cache;
  let bad = firstFailure(c, CONTROL_CHECKS);
  if (bad !== null) { vmFailEntry(c, VMX_ERROR.ENTRY_INVALID_CONTROLS, bad.id); return; }
  bad = firstFailure(c, HOST_CHECKS);
  if (bad !== null) { vmFailEntry(c, VMX_ERROR.ENTRY_INVALID_HOST_STATE, bad.id); return; }
  if ((proc2(v) & PROC2.ENABLE_EPT) !== 0 && (v.lo(F.GUEST_CR4) & 0x20) !== 0 && (v.lo(F.VM_ENTRY_CONTROLS) & ENTRY.IA32E_MODE_GUEST) === 0) {
    c.unimplemented('VM entry with EPT to a PAE-paging guest (PDPTEs from the VMCS)');
  }
  if ((v.lo(F.GUEST_RFLAGS) & (1 << 17)) !== 0 && (v.lo(F.GUEST_CR0) & 1) !== 0 && (v.lo(F.VM_ENTRY_CONTROLS) & ENTRY.IA32E_MODE_GUEST) === 0) {
    c.unimplemented('VM entry to a virtual-8086 guest (RFLAGS.VM=1)');
  }
  bad = firstFailure(c, GUEST_CHECKS);
  if (bad !== null) entryFailure(c, EXIT_REASON.INVALID_GUEST_STATE, ENTRY_FAIL_QUAL.DEFAULT, bad.id);
  if (!LINK_POINTER_CHECK.ok(v, c)) entryFailure(c, EXIT_REASON.INVALID_GUEST_STATE, ENTRY_FAIL_QUAL.VMCS_LINK, LINK_POINTER_CHECK.id);
  if (!loadGuestState(c)) entryFailure(c, EXIT_REASON.INVALID_GUEST_STATE, ENTRY_FAIL_QUAL.PDPTE, 'guest.pdpte');
  const badMsr = loadMsrList(c, v.lo(F.VM_ENTRY_MSR_LOAD_ADDR), v.lo(F.VM_ENTRY_MSR_LOAD_COUNT), true);
  if (badMsr !== 0) entryFailure(c, EXIT_REASON.MSR_LOADING, badMsr, 'guest.msrload');
  if (launch) v.launched = true;
  c.icount++;
  armPreemptionTimer(c);
  clearMtf(c);
  if (injValid(v)) {
    injectEvent(c);
    // MTF: an exit is pending right after the injected event is delivered (SDM 26.5.2).
    if (c.nonRoot && (v.lo(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.MONITOR_TRAP_FLAG) !== 0) setMtfPending(c);
  }
  c.excVec = VMEXIT_VEC;
  throw FAULT;
}

/** VM entry fails its control or host-state checks: VMfailValid(err), the instruction completes. */
function vmFailEntry(c: Cpu, err: number, checkId: string): void {
  c.vmx.lastFailedCheck = checkId;
  vmFailValid(c, err);
  c.vmx.onEvent?.(VmxEvent.EntryVmFail, checkId);
}

/** VM-entry failure after the host-state checks (SDM 27.8): host state is loaded, guest state is not saved. @faults */
function entryFailure(c: Cpu, reason: number, qual: number, checkId: string): never {
  const v = c.vmx.cache;
  c.vmx.lastFailedCheck = checkId;
  v.set(F.VM_EXIT_REASON, (reason | EXIT_REASON_ENTRY_FAILURE) >>> 0);
  v.set(F.EXIT_QUALIFICATION, qual);
  v.set(F.VM_EXIT_INTR_INFO, 0);
  loadHostState(c, exitCtl(v));
  c.vmx.onEvent?.(VmxEvent.EntryFailure, checkId);
  c.excVec = VMEXIT_VEC;
  throw FAULT;
}

/** Loads guest state (SDM 27.3.2) and enters non-root operation; false if PAE PDPTEs are invalid. */
function loadGuestState(c: Cpu): boolean {
  const s = c.s, v = c.vmx.cache;
  const ectl = v.lo(F.VM_ENTRY_CONTROLS);
  const ia32e = (ectl & ENTRY.IA32E_MODE_GUEST) !== 0;
  s[CR0] = (v.lo(F.GUEST_CR0) | CR0_ET) & 0xe005003f;
  s[CR3] = v.lo(F.GUEST_CR3); s[CR3 + 1] = v.hi(F.GUEST_CR3);
  s[CR4] = v.lo(F.GUEST_CR4);
  if ((ectl & ENTRY.LOAD_DEBUG_CONTROLS) !== 0) s[DR7] = v.lo(F.GUEST_DR7);
  s[SYSENTER_CS] = v.lo(F.GUEST_SYSENTER_CS);
  s[SYSENTER_ESP] = v.lo(F.GUEST_SYSENTER_ESP); s[SYSENTER_ESP + 1] = v.hi(F.GUEST_SYSENTER_ESP);
  s[SYSENTER_EIP] = v.lo(F.GUEST_SYSENTER_EIP); s[SYSENTER_EIP + 1] = v.hi(F.GUEST_SYSENTER_EIP);
  if ((ectl & ENTRY.LOAD_PAT) !== 0) { s[PAT] = v.lo(F.GUEST_IA32_PAT); s[PAT + 1] = v.hi(F.GUEST_IA32_PAT); }
  if ((ectl & ENTRY.LOAD_EFER) !== 0) s[EFER] = v.lo(F.GUEST_IA32_EFER);
  else {
    // EFER.LMA = "IA-32e mode guest"; LME too when paging is on (SDM 27.3.2.1).
    let e = ia32e ? s[EFER] | EFER_LMA : s[EFER] & ~EFER_LMA;
    if ((s[CR0] & 0x80000000) !== 0) e = ia32e ? e | EFER_LME : e & ~EFER_LME;
    s[EFER] = e;
  }
  for (let seg = 0; seg < 8; seg++) {
    const [sel, base, limit, ar] = GUEST_SEG[seg];
    const b = segOff(seg, 0);
    s[b + SEG_SEL] = v.lo(sel) & 0xffff;
    s[b + SEG_BASE_LO] = v.lo(base); s[b + SEG_BASE_HI] = v.hi(base);
    s[b + SEG_LIMIT] = v.lo(limit);
    s[b + SEG_AR] = v.lo(ar) & 0x1f0ff;
  }
  s[GDTR] = v.lo(F.GUEST_GDTR_BASE); s[GDTR + 1] = v.hi(F.GUEST_GDTR_BASE); s[GDTR + 2] = v.lo(F.GUEST_GDTR_LIMIT);
  s[IDTR] = v.lo(F.GUEST_IDTR_BASE); s[IDTR + 1] = v.hi(F.GUEST_IDTR_BASE); s[IDTR + 2] = v.lo(F.GUEST_IDTR_LIMIT);
  s[GPR + 8] = v.lo(F.GUEST_RSP); s[GPR + 9] = v.hi(F.GUEST_RSP);
  s[RIP] = v.lo(F.GUEST_RIP); s[RIP + 1] = v.hi(F.GUEST_RIP);
  c.setFlagsRaw(v.lo(F.GUEST_RFLAGS));
  s[HALTED] = v.lo(F.GUEST_ACTIVITY_STATE) === 1 ? 1 : 0;
  s[SHADOW] = v.lo(F.GUEST_INTERRUPTIBILITY_INFO) & 3; // 1 STI, 2 MOV SS (as the run loop keeps them)
  const vpidOn = (proc2(v) & PROC2.ENABLE_VPID) !== 0;
  c.vmx.setNonRoot(true);
  c.vmx.syncEpt();
  c.mmu.setVpid(vpidOn ? v.lo(F.VIRTUAL_PROCESSOR_ID) & 0xffff : 0);
  // Without VPIDs, VM entries invalidate the linear mappings of VPID 0 (SDM 29.4.3.3). With EPT the TLB
  // holds combined mappings not tagged by EPTP, so they are dropped too (more than the SDM requires).
  if (!vpidOn || c.vmx.eptOn) c.mmu.flushAll();
  return c.vmxModeChanged();
}

/** Event injection (SDM 27.6): delivered through the guest IDT; faults while delivering follow the guest's rules. */
function injectEvent(c: Cpu): void {
  const v = c.vmx.cache, s = c.s;
  const type = injType(v), vec = injVec(v);
  const err = (v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x800) !== 0 ? v.lo(F.VM_ENTRY_EXCEPTION_ERROR_CODE) : -1;
  s[HALTED] = 0;
  c.startLo = s[RIP]; c.startHi = s[RIP + 1];
  if (type >= 4) {
    // Software interrupts and exceptions: the return address is past the instruction (VM-entry instruction length).
    const next = s[RIP] + v.lo(F.VM_ENTRY_INSTRUCTION_LEN);
    if (c.long64) { s[RIP + 1] = (s[RIP + 1] + (next > 0xffffffff ? 1 : 0)) >>> 0; }
    s[RIP] = c.long64 || c.codeSize === 4 ? next >>> 0 : next & 0xffff;
  }
  const kind = type === 0 ? EventKind.External : type === 4 || type === 6 ? EventKind.Software
    : type === 5 ? EventKind.PrivSoftware : EventKind.Exception;
  c.deliverInjected(type === 2 ? Vec.NMI : vec, err, kind);
}
