/**
 * VM-entry checks on VMX controls and host state (SDM Vol. 3 27.2), in SDM
 * order, each an identified rule so a failure names what was broken. Guest
 * state checks are in guestChecks.ts. A rule returns true when satisfied.
 */
import type { Cpu } from '../cpu.ts';
import { isCanonical } from '../memory.ts';
import type { VmcsCache } from './vmcs.ts';
import {
  ENTRY_ALLOWED0_TRUE, ENTRY_ALLOWED1, EXIT_ALLOWED0_TRUE, EXIT_ALLOWED1, PIN_ALLOWED0_TRUE, PIN_ALLOWED1,
  PROC2_ALLOWED1, PROC_ALLOWED0_TRUE, PROC_ALLOWED1, CR3_TARGET_MAX, CR0_FIXED0, CR4_FIXED0,
} from './capabilities.ts';
import { ENTRY, EXIT, PIN, PROC, PROC2 } from './controls.ts';
import { cr4Allowed } from '../exec/system.ts';
import { EFER } from '../state/layout.ts';
import { EFER_LMA } from '../arch.ts';
import * as F from './slots.ts';
import { eptpValid } from './ept.ts';

export type CheckKind = 'control' | 'host' | 'guest';
export interface EntryCheck {
  readonly id: string;
  readonly sdm: string;
  readonly text: string;
  readonly kind: CheckKind;
  readonly ok: (v: VmcsCache, c: Cpu) => boolean;
}

export const rule = (kind: CheckKind, id: string, sdm: string, text: string, ok: EntryCheck['ok']): EntryCheck =>
  ({ kind, id, sdm, text, ok });

export const fits = (val: number, allowed0: number, allowed1: number): boolean =>
  ((val & allowed0) >>> 0) === allowed0 >>> 0 && (val & ~allowed1) === 0;
/** A guest-physical address is within the physical-address width. */
export const inWidth = (c: Cpu, hi: number): boolean => hi >>> 0 < 2 ** (c.model.maxPhysAddr - 32);
export const proc = (v: VmcsCache): number => v.lo(F.CPU_BASED_VM_EXEC_CONTROL);
export const proc2 = (v: VmcsCache): number =>
  (proc(v) & PROC.ACTIVATE_SECONDARY) !== 0 ? v.lo(F.SECONDARY_VM_EXEC_CONTROL) : 0;
export const entryCtl = (v: VmcsCache): number => v.lo(F.VM_ENTRY_CONTROLS);
export const exitCtl = (v: VmcsCache): number => v.lo(F.VM_EXIT_CONTROLS);
const aligned = (v: VmcsCache, k: number, c: Cpu, mask: number): boolean => (v.lo(k) & mask) === 0 && inWidth(c, v.hi(k));
/** MSR list area: 16-byte aligned and its last byte within the physical-address width. */
const listOk = (v: VmcsCache, addr: number, count: number, c: Cpu): boolean => {
  const n = v.lo(count);
  if (n === 0) return true;
  const last = v.lo(addr) + n * 16 - 1;
  return (v.lo(addr) & 15) === 0 && inWidth(c, v.hi(addr) + (last > 0xffffffff ? 1 : 0));
};

const C = (id: string, sdm: string, text: string, ok: EntryCheck['ok']): EntryCheck => rule('control', id, sdm, text, ok);
const H = (id: string, sdm: string, text: string, ok: EntryCheck['ok']): EntryCheck => rule('host', id, sdm, text, ok);

/** SDM 27.2.1 checks on VMX controls. */
export const CONTROL_CHECKS: readonly EntryCheck[] = [
  C('ctl.pin.reserved', '27.2.1.1', 'pin-based controls respect IA32_VMX_TRUE_PINBASED_CTLS',
    (v) => fits(v.lo(F.PIN_BASED_VM_EXEC_CONTROL), PIN_ALLOWED0_TRUE, PIN_ALLOWED1)),
  C('ctl.proc.reserved', '27.2.1.1', 'primary processor-based controls respect IA32_VMX_TRUE_PROCBASED_CTLS',
    (v) => fits(proc(v), PROC_ALLOWED0_TRUE, PROC_ALLOWED1)),
  C('ctl.proc2.reserved', '27.2.1.1', 'secondary controls respect IA32_VMX_PROCBASED_CTLS2',
    (v) => fits(proc2(v), 0, PROC2_ALLOWED1)),
  C('ctl.cr3target.count', '27.2.1.1', 'CR3-target count is at most 4',
    (v) => v.lo(F.CR3_TARGET_COUNT) <= CR3_TARGET_MAX),
  C('ctl.iobitmap.addr', '27.2.1.1', 'with "use I/O bitmaps", bitmap A and B addresses are 4-KByte aligned and within the physical-address width',
    (v, c) => (proc(v) & PROC.USE_IO_BITMAPS) === 0 || (aligned(v, F.IO_BITMAP_A, c, 0xfff) && aligned(v, F.IO_BITMAP_B, c, 0xfff))),
  C('ctl.msrbitmap.addr', '27.2.1.1', 'with "use MSR bitmaps", the MSR-bitmap address is 4-KByte aligned and within the physical-address width',
    (v, c) => (proc(v) & PROC.USE_MSR_BITMAPS) === 0 || aligned(v, F.MSR_BITMAP, c, 0xfff)),
  C('ctl.nmi.virtual', '27.2.1.1', 'if "NMI exiting" is 0, "virtual NMIs" is 0',
    (v) => (v.lo(F.PIN_BASED_VM_EXEC_CONTROL) & PIN.NMI_EXITING) !== 0 || (v.lo(F.PIN_BASED_VM_EXEC_CONTROL) & PIN.VIRTUAL_NMIS) === 0),
  C('ctl.vpid.nonzero', '27.2.1.1', 'with "enable VPID", the VPID is not 0000H',
    (v) => (proc2(v) & PROC2.ENABLE_VPID) === 0 || (v.lo(F.VIRTUAL_PROCESSOR_ID) & 0xffff) !== 0),
  C('ctl.ept.eptp', '27.2.1.1', 'with "enable EPT", the EPTP has a supported memory type, a 4-level walk, reserved bits 11:7 clear and no bits beyond the physical-address width',
    (v, c) => (proc2(v) & PROC2.ENABLE_EPT) === 0 || eptpValid(v.lo(F.EPT_POINTER), v.hi(F.EPT_POINTER), c.model.maxPhysAddr)),
  C('ctl.exit.reserved', '27.2.1.2', 'VM-exit controls respect IA32_VMX_TRUE_EXIT_CTLS',
    (v) => fits(exitCtl(v), EXIT_ALLOWED0_TRUE, EXIT_ALLOWED1)),
  C('ctl.exit.preemption', '27.2.1.2', 'if "activate VMX-preemption timer" is 0, "save VMX-preemption timer value" is 0',
    (v) => (v.lo(F.PIN_BASED_VM_EXEC_CONTROL) & PIN.PREEMPTION_TIMER) !== 0 || (exitCtl(v) & EXIT.SAVE_PREEMPTION_TIMER) === 0),
  C('ctl.exit.msrstore', '27.2.1.2', 'VM-exit MSR-store area is 16-byte aligned and within the physical-address width',
    (v, c) => listOk(v, F.VM_EXIT_MSR_STORE_ADDR, F.VM_EXIT_MSR_STORE_COUNT, c)),
  C('ctl.exit.msrload', '27.2.1.2', 'VM-exit MSR-load area is 16-byte aligned and within the physical-address width',
    (v, c) => listOk(v, F.VM_EXIT_MSR_LOAD_ADDR, F.VM_EXIT_MSR_LOAD_COUNT, c)),
  C('ctl.entry.reserved', '27.2.1.3', 'VM-entry controls respect IA32_VMX_TRUE_ENTRY_CTLS',
    (v) => fits(entryCtl(v), ENTRY_ALLOWED0_TRUE, ENTRY_ALLOWED1)),
  C('ctl.entry.inject.type', '27.2.1.3', 'injected event: interruption type is not reserved (1) and "other event" (7) needs MTF',
    (v) => !injValid(v) || (injType(v) !== 1 && injType(v) !== 7)),
  C('ctl.entry.inject.vector', '27.2.1.3', 'injected event: NMI has vector 2, hardware exceptions vectors 0-31',
    (v) => !injValid(v) || (injType(v) !== 2 || injVec(v) === 2) && (injType(v) !== 3 || injVec(v) <= 31)),
  C('ctl.entry.inject.errorcode', '27.2.1.3', 'injected event: "deliver error code" is 1 exactly for hardware exceptions 8, 10-14, 17, 21 in protected mode',
    (v) => !injValid(v) || ((v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x800) !== 0) === (injType(v) === 3
      && (v.lo(F.GUEST_CR0) & 1) !== 0 && [8, 10, 11, 12, 13, 14, 17, 21].includes(injVec(v)))),
  C('ctl.entry.inject.reserved', '27.2.1.3', 'injected event: bits 30:12 are 0',
    (v) => !injValid(v) || (v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x7ffff000) === 0),
  C('ctl.entry.inject.errorbits', '27.2.1.3', 'injected event: error code bits 31:16 are 0',
    (v) => !injValid(v) || (v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x800) === 0 || (v.lo(F.VM_ENTRY_EXCEPTION_ERROR_CODE) >>> 16) === 0),
  C('ctl.entry.inject.length', '27.2.1.3', 'injected software interrupt/exception: instruction length 1-15',
    (v) => !injValid(v) || ![4, 5, 6].includes(injType(v)) || (v.lo(F.VM_ENTRY_INSTRUCTION_LEN) >= 1 && v.lo(F.VM_ENTRY_INSTRUCTION_LEN) <= 15)),
  C('ctl.entry.msrload', '27.2.1.3', 'VM-entry MSR-load area is 16-byte aligned and within the physical-address width',
    (v, c) => listOk(v, F.VM_ENTRY_MSR_LOAD_ADDR, F.VM_ENTRY_MSR_LOAD_COUNT, c)),
  C('ctl.entry.smm', '27.2.1.3', '"entry to SMM" and "deactivate dual-monitor treatment" are 0 outside SMM',
    (v) => (entryCtl(v) & (ENTRY.ENTRY_TO_SMM | ENTRY.DEACTIVATE_DUAL_MONITOR)) === 0),
];

export const injValid = (v: VmcsCache): boolean => (v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0x80000000) !== 0;
export const injType = (v: VmcsCache): number => (v.lo(F.VM_ENTRY_INTR_INFO_FIELD) >>> 8) & 7;
export const injVec = (v: VmcsCache): number => v.lo(F.VM_ENTRY_INTR_INFO_FIELD) & 0xff;

const hostLong = (v: VmcsCache): boolean => (exitCtl(v) & EXIT.HOST_ADDR_SPACE_SIZE) !== 0;
const selOk = (v: VmcsCache, k: number): boolean => (v.lo(k) & 7) === 0;
const canon = (v: VmcsCache, k: number): boolean => isCanonical(v.hi(k));
const patOk = (lo: number, hi: number): boolean => {
  for (let k = 0; k < 8; k++) {
    const t = ((k < 4 ? lo : hi) >>> ((k & 3) * 8)) & 0xff;
    if (t === 2 || t === 3 || t > 7) return false;
  }
  return true;
};
export { patOk };

/** SDM 27.2.2 and 27.2.3 checks on host state. */
export const HOST_CHECKS: readonly EntryCheck[] = [
  H('host.cr0.fixed', '27.2.2', 'host CR0 has the bits IA32_VMX_CR0_FIXED0/1 require',
    (v) => (v.lo(F.HOST_CR0) & CR0_FIXED0) === CR0_FIXED0 && v.hi(F.HOST_CR0) === 0),
  H('host.cr4.fixed', '27.2.2', 'host CR4 has the bits IA32_VMX_CR4_FIXED0/1 require',
    (v, c) => (v.lo(F.HOST_CR4) & CR4_FIXED0) === CR4_FIXED0 && (v.lo(F.HOST_CR4) & ~cr4Allowed(c)) === 0 && v.hi(F.HOST_CR4) === 0),
  H('host.cr3.width', '27.2.2', 'host CR3 has no bits set beyond the physical-address width',
    (v, c) => inWidth(c, v.hi(F.HOST_CR3))),
  H('host.sysenter.canonical', '27.2.2', 'host IA32_SYSENTER_ESP and _EIP are canonical',
    (v) => canon(v, F.HOST_IA32_SYSENTER_ESP) && canon(v, F.HOST_IA32_SYSENTER_EIP)),
  H('host.pat', '27.2.2', 'with "load IA32_PAT", every host PAT entry is a valid memory type',
    (v) => (exitCtl(v) & EXIT.LOAD_PAT) === 0 || patOk(v.lo(F.HOST_IA32_PAT), v.hi(F.HOST_IA32_PAT))),
  H('host.efer', '27.2.2', 'with "load IA32_EFER", reserved bits are 0 and LMA and LME equal "host address-space size"',
    (v) => (exitCtl(v) & EXIT.LOAD_EFER) === 0 || ((v.lo(F.HOST_IA32_EFER) & ~0xd01) === 0 && v.hi(F.HOST_IA32_EFER) === 0
      && ((v.lo(F.HOST_IA32_EFER) >>> 10) & 1) === (hostLong(v) ? 1 : 0) && ((v.lo(F.HOST_IA32_EFER) >>> 8) & 1) === (hostLong(v) ? 1 : 0))),
  H('host.sel.rpl', '27.2.3', 'host ES, CS, SS, DS, FS, GS and TR selectors have RPL 0 and TI 0',
    (v) => [F.HOST_ES_SELECTOR, F.HOST_CS_SELECTOR, F.HOST_SS_SELECTOR, F.HOST_DS_SELECTOR, F.HOST_FS_SELECTOR,
      F.HOST_GS_SELECTOR, F.HOST_TR_SELECTOR].every((k) => selOk(v, k))),
  H('host.sel.cs', '27.2.3', 'host CS selector is not 0000H', (v) => (v.lo(F.HOST_CS_SELECTOR) & 0xffff) !== 0),
  H('host.sel.tr', '27.2.3', 'host TR selector is not 0000H', (v) => (v.lo(F.HOST_TR_SELECTOR) & 0xffff) !== 0),
  H('host.sel.ss', '27.2.3', 'host SS selector is not 0000H when "host address-space size" is 0',
    (v) => hostLong(v) || (v.lo(F.HOST_SS_SELECTOR) & 0xffff) !== 0),
  H('host.base.canonical', '27.2.3', 'host FS, GS, GDTR, IDTR and TR bases are canonical',
    (v) => [F.HOST_FS_BASE, F.HOST_GS_BASE, F.HOST_GDTR_BASE, F.HOST_IDTR_BASE, F.HOST_TR_BASE].every((k) => canon(v, k))),
  H('host.addrspace.ia32e', '27.2.4', '"host address-space size" equals the processor\'s IA32_EFER.LMA',
    (v, c) => hostLong(v) === ((c.s[EFER] & EFER_LMA) !== 0)),
  H('host.addrspace.guest', '27.2.4', 'outside IA-32e mode, "IA-32e mode guest" is 0',
    (v, c) => (c.s[EFER] & EFER_LMA) !== 0 || (entryCtl(v) & ENTRY.IA32E_MODE_GUEST) === 0),
  H('host.addrspace.pcide', '27.2.4', 'with "host address-space size" 0, host CR4.PCIDE is 0 and RIP bits 63:32 are 0',
    (v) => hostLong(v) || ((v.lo(F.HOST_CR4) & (1 << 17)) === 0 && v.hi(F.HOST_RIP) === 0)),
  H('host.addrspace.long', '27.2.4', 'with "host address-space size" 1, host CR4.PAE is 1 and RIP is canonical',
    (v) => !hostLong(v) || ((v.lo(F.HOST_CR4) & (1 << 5)) !== 0 && canon(v, F.HOST_RIP))),
];
