/**
 * VM exits (SDM Vol. 3 chapter 28): record the exit information, save guest
 * state into the current VMCS, store MSRs, load host state and host MSRs,
 * then leave non-root operation. vmExit() switches the machine and throws the
 * fault sentinel with excVec = VMEXIT_VEC so the run loop resumes in the host.
 */
import type { Cpu } from '../cpu.ts';
import { AR_UNUSABLE, CR0_ET, CR4_PAE, EFER_LMA, EFER_LME, SegReg } from '../arch.ts';
import { FAULT } from '../fault.ts';
import { readFlags } from '../flags.ts';
import {
  CR0, CR3, CR4, DR7, EFER, GDTR, GPR, HALTED, IDTR, PAT, RFLAGS, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT,
  SEG_SEL, SHADOW, SYSENTER_CS, SYSENTER_EIP, SYSENTER_ESP, segOff,
} from '../state/layout.ts';
import { EXIT, ENTRY, PROC2 } from './controls.ts';
import { storeMsrList, loadMsrList } from './msrLists.ts';
import * as F from './slots.ts';
import { stopPreemptionTimer } from './timers.ts';
import { VmxEvent } from './vmx.ts';

/** excVec value meaning "a VM exit already switched to the host; deliver nothing". */
export const VMEXIT_VEC = 0x100;

/** Guest segment fields in SegReg order (ES CS SS DS FS GS LDTR TR): selector, base, limit, AR slots. */
export const GUEST_SEG = [
  [F.GUEST_ES_SELECTOR, F.GUEST_ES_BASE, F.GUEST_ES_LIMIT, F.GUEST_ES_AR_BYTES],
  [F.GUEST_CS_SELECTOR, F.GUEST_CS_BASE, F.GUEST_CS_LIMIT, F.GUEST_CS_AR_BYTES],
  [F.GUEST_SS_SELECTOR, F.GUEST_SS_BASE, F.GUEST_SS_LIMIT, F.GUEST_SS_AR_BYTES],
  [F.GUEST_DS_SELECTOR, F.GUEST_DS_BASE, F.GUEST_DS_LIMIT, F.GUEST_DS_AR_BYTES],
  [F.GUEST_FS_SELECTOR, F.GUEST_FS_BASE, F.GUEST_FS_LIMIT, F.GUEST_FS_AR_BYTES],
  [F.GUEST_GS_SELECTOR, F.GUEST_GS_BASE, F.GUEST_GS_LIMIT, F.GUEST_GS_AR_BYTES],
  [F.GUEST_LDTR_SELECTOR, F.GUEST_LDTR_BASE, F.GUEST_LDTR_LIMIT, F.GUEST_LDTR_AR_BYTES],
  [F.GUEST_TR_SELECTOR, F.GUEST_TR_BASE, F.GUEST_TR_LIMIT, F.GUEST_TR_AR_BYTES],
] as const;
const HOST_SEL = [F.HOST_ES_SELECTOR, F.HOST_CS_SELECTOR, F.HOST_SS_SELECTOR, F.HOST_DS_SELECTOR,
  F.HOST_FS_SELECTOR, F.HOST_GS_SELECTOR];

/**
 * Takes a VM exit with basic reason `reason` and qualification (qLo, qHi).
 * Guest RIP is c.startLo/startHi (the instruction that exited, or the next
 * instruction for exits at an instruction boundary). Exit-information fields
 * other than reason and qualification are written by the caller first.
 * @faults always (the VMEXIT_VEC sentinel)
 */
export function vmExit(c: Cpu, reason: number, qLo = 0, qHi = 0): never {
  const v = c.vmx.cache;
  v.set(F.VM_EXIT_REASON, reason);
  v.set(F.EXIT_QUALIFICATION, qLo, qHi);
  stopPreemptionTimer(c);
  saveGuestState(c);
  const ctl = v.lo(F.VM_EXIT_CONTROLS);
  if (storeMsrList(c, v.lo(F.VM_EXIT_MSR_STORE_ADDR), v.lo(F.VM_EXIT_MSR_STORE_COUNT)) !== 0) {
    vmxAbort(c, 2);
  }
  loadHostState(c, ctl);
  c.shadowIcount = -1; // guest STI/MOV SS blocking does not carry over to the host
  c.vmx.exits++;
  c.vmx.onEvent?.(VmxEvent.Exit, '');
  c.excVec = VMEXIT_VEC;
  throw FAULT;
}

/** VMX abort (SDM 28.7): the indicator is written to the VMCS region; the processor shuts down. */
function vmxAbort(c: Cpu, indicator: number): never {
  c.mem.write32(c.vmx.currentPa + 4, indicator);
  c.vmxAbort(`VMX abort ${indicator} (${indicator === 2 ? 'MSR store on VM exit' : 'MSR load on VM exit'})`);
}

function saveGuestState(c: Cpu): void {
  const s = c.s, v = c.vmx.cache;
  v.set(F.GUEST_CR0, s[CR0]);
  v.set(F.GUEST_CR3, s[CR3], s[CR3 + 1]);
  v.set(F.GUEST_CR4, s[CR4]);
  const exitCtl = v.lo(F.VM_EXIT_CONTROLS);
  if ((exitCtl & EXIT.SAVE_DEBUG_CONTROLS) !== 0) { v.set(F.GUEST_DR7, s[DR7]); v.set(F.GUEST_IA32_DEBUGCTL, 0); }
  v.set(F.GUEST_RSP, s[GPR + 8], s[GPR + 9]);
  v.set(F.GUEST_RIP, c.startLo, c.startHi);
  v.set(F.GUEST_RFLAGS, readFlags(s));
  for (let seg = 0; seg < 8; seg++) {
    const [sel, base, limit, ar] = GUEST_SEG[seg];
    const b = segOff(seg, 0);
    v.set(sel, s[b + SEG_SEL] & 0xffff);
    v.set(base, s[b + SEG_BASE_LO], s[b + SEG_BASE_HI]);
    v.set(limit, s[b + SEG_LIMIT]);
    v.set(ar, s[b + SEG_AR] & 0x1f0ff);
  }
  v.set(F.GUEST_GDTR_BASE, s[GDTR], s[GDTR + 1]); v.set(F.GUEST_GDTR_LIMIT, s[GDTR + 2] & 0xffff);
  v.set(F.GUEST_IDTR_BASE, s[IDTR], s[IDTR + 1]); v.set(F.GUEST_IDTR_LIMIT, s[IDTR + 2] & 0xffff);
  v.set(F.GUEST_SYSENTER_CS, s[SYSENTER_CS]);
  v.set(F.GUEST_SYSENTER_ESP, s[SYSENTER_ESP], s[SYSENTER_ESP + 1]);
  v.set(F.GUEST_SYSENTER_EIP, s[SYSENTER_EIP], s[SYSENTER_EIP + 1]);
  if ((exitCtl & EXIT.SAVE_PAT) !== 0) v.set(F.GUEST_IA32_PAT, s[PAT], s[PAT + 1]);
  if ((exitCtl & EXIT.SAVE_EFER) !== 0) v.set(F.GUEST_IA32_EFER, s[EFER]);
  // IA32_VMX_MISC[5]: the "IA-32e mode guest" entry control receives EFER.LMA.
  const entry = v.lo(F.VM_ENTRY_CONTROLS);
  v.set(F.VM_ENTRY_CONTROLS, (s[EFER] & EFER_LMA) !== 0 ? entry | ENTRY.IA32E_MODE_GUEST : entry & ~ENTRY.IA32E_MODE_GUEST);
  v.set(F.GUEST_ACTIVITY_STATE, s[HALTED] !== 0 ? 1 : 0);
  // Blocking by STI (bit 0) or MOV SS (bit 1) that applies to the exiting instruction.
  const shadow = s[SHADOW] !== 0 ? s[SHADOW] : c.shadowIcount === c.icount ? c.shadowKind : 0;
  v.set(F.GUEST_INTERRUPTIBILITY_INFO, shadow & 3);
  v.set(F.GUEST_PENDING_DBG_EXCEPTIONS, 0);
  // The entry's event injection is consumed (SDM 28.2: valid bit cleared on every exit).
  v.set(F.VM_ENTRY_INTR_INFO_FIELD, v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x7fffffff);
}

/** Loads host state (SDM 28.5); also used by VM-entry failures after guest-state checks. */
export function loadHostState(c: Cpu, exitCtl: number): void {
  const s = c.s, v = c.vmx.cache;
  const long = (exitCtl & EXIT.HOST_ADDR_SPACE_SIZE) !== 0;
  s[CR0] = (v.lo(F.HOST_CR0) | CR0_ET) & 0xe005003f;
  s[CR3] = v.lo(F.HOST_CR3); s[CR3 + 1] = v.hi(F.HOST_CR3);
  s[CR4] = v.lo(F.HOST_CR4) | (long ? CR4_PAE : 0);
  s[DR7] = 0x400;
  s[SYSENTER_CS] = v.lo(F.HOST_IA32_SYSENTER_CS);
  s[SYSENTER_ESP] = v.lo(F.HOST_IA32_SYSENTER_ESP); s[SYSENTER_ESP + 1] = v.hi(F.HOST_IA32_SYSENTER_ESP);
  s[SYSENTER_EIP] = v.lo(F.HOST_IA32_SYSENTER_EIP); s[SYSENTER_EIP + 1] = v.hi(F.HOST_IA32_SYSENTER_EIP);
  if ((exitCtl & EXIT.LOAD_PAT) !== 0) { s[PAT] = v.lo(F.HOST_IA32_PAT); s[PAT + 1] = v.hi(F.HOST_IA32_PAT); }
  if ((exitCtl & EXIT.LOAD_EFER) !== 0) s[EFER] = v.lo(F.HOST_IA32_EFER);
  else s[EFER] = long ? s[EFER] | EFER_LMA | EFER_LME : s[EFER] & ~(EFER_LMA | EFER_LME);
  // Segments (SDM 28.5.2): flat, DPL 0; a null ES/DS/FS/GS/SS selector makes the register unusable.
  for (let seg = 0; seg < 6; seg++) {
    const sel = v.lo(HOST_SEL[seg]) & 0xffff;
    const b = segOff(seg, 0);
    s[b + SEG_SEL] = sel; s[b + SEG_BASE_LO] = 0; s[b + SEG_BASE_HI] = 0; s[b + SEG_LIMIT] = 0xffffffff;
    if (seg === SegReg.CS) s[b + SEG_AR] = 0x809b | (long ? 0x2000 : 0x4000);
    else if (sel === 0) s[b + SEG_AR] = AR_UNUSABLE;
    else s[b + SEG_AR] = 0xc093;
  }
  const fs = segOff(SegReg.FS, 0), gs = segOff(SegReg.GS, 0);
  s[fs + SEG_BASE_LO] = v.lo(F.HOST_FS_BASE); s[fs + SEG_BASE_HI] = v.hi(F.HOST_FS_BASE);
  s[gs + SEG_BASE_LO] = v.lo(F.HOST_GS_BASE); s[gs + SEG_BASE_HI] = v.hi(F.HOST_GS_BASE);
  const tr = segOff(SegReg.TR, 0);
  s[tr + SEG_SEL] = v.lo(F.HOST_TR_SELECTOR) & 0xffff;
  s[tr + SEG_BASE_LO] = v.lo(F.HOST_TR_BASE); s[tr + SEG_BASE_HI] = v.hi(F.HOST_TR_BASE);
  s[tr + SEG_LIMIT] = 0x67; s[tr + SEG_AR] = 0x8b;
  const ldtr = segOff(SegReg.LDTR, 0);
  s[ldtr + SEG_SEL] = 0; s[ldtr + SEG_BASE_LO] = 0; s[ldtr + SEG_BASE_HI] = 0; s[ldtr + SEG_LIMIT] = 0;
  s[ldtr + SEG_AR] = AR_UNUSABLE;
  s[GDTR] = v.lo(F.HOST_GDTR_BASE); s[GDTR + 1] = v.hi(F.HOST_GDTR_BASE); s[GDTR + 2] = 0xffff;
  s[IDTR] = v.lo(F.HOST_IDTR_BASE); s[IDTR + 1] = v.hi(F.HOST_IDTR_BASE); s[IDTR + 2] = 0xffff;
  s[RIP] = v.lo(F.HOST_RIP); s[RIP + 1] = long ? v.hi(F.HOST_RIP) : 0;
  s[GPR + 8] = v.lo(F.HOST_RSP); s[GPR + 9] = long ? v.hi(F.HOST_RSP) : 0;
  c.setFlagsRaw(2);
  s[SHADOW] = 0; s[HALTED] = 0;
  leaveNonRoot(c);
  const bad = loadMsrList(c, v.lo(F.VM_EXIT_MSR_LOAD_ADDR), v.lo(F.VM_EXIT_MSR_LOAD_COUNT), false);
  if (bad !== 0) vmxAbort(c, 4);
}

function leaveNonRoot(c: Cpu): void {
  const v = c.vmx.cache;
  const vpid = (v.lo(F.SECONDARY_VM_EXEC_CONTROL) & PROC2.ENABLE_VPID) !== 0 && v.lo(F.VIRTUAL_PROCESSOR_ID) !== 0;
  c.vmx.setNonRoot(false);
  c.vmx.syncEpt();
  c.mmu.setVpid(0);
  // Without VPIDs, VM exits invalidate the linear mappings of VPID 0 (SDM 29.4.3.3).
  if (!vpid || c.vmx.eptOn) c.mmu.flushAll();
  c.vmxModeChanged();
}
