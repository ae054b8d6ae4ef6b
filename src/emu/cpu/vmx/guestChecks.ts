/**
 * VM-entry checks on the guest-state area (SDM Vol. 3 27.3.1), in SDM order.
 * A failure is a VM-entry failure: exit reason 33 (bit 31 set) with
 * qualification 0, or 4 for the VMCS link pointer.
 */
import { isCanonical } from '../memory.ts';
import type { VmcsCache } from './vmcs.ts';
import { CR0_FIXED0, CR4_FIXED0, VMCS_REVISION } from './capabilities.ts';
import { ENTRY, PROC2 } from './controls.ts';
import { cr4Allowed } from '../exec/system.ts';
import { entryCtl, injType, injValid, inWidth, patOk, proc2, rule, type EntryCheck } from './entryChecks.ts';
import * as F from './slots.ts';

const G = (id: string, sdm: string, text: string, ok: EntryCheck['ok']): EntryCheck => rule('guest', id, sdm, text, ok);
const ia32e = (v: VmcsCache): boolean => (entryCtl(v) & ENTRY.IA32E_MODE_GUEST) !== 0;
const unrestricted = (v: VmcsCache): boolean => (proc2(v) & PROC2.UNRESTRICTED_GUEST) !== 0;
const ar = (v: VmcsCache, k: number): number => v.lo(k);
const usable = (v: VmcsCache, k: number): boolean => (ar(v, k) & 0x10000) === 0;
const type = (a: number): number => a & 0xf;
const dpl = (a: number): number => (a >>> 5) & 3;
/** Limit and G consistent: G=0 if any of limit 11:0 is 0; G=1 if any of limit 31:20 is 1. */
const granOk = (limit: number, a: number): boolean =>
  ((limit & 0xfff) === 0xfff || (a & 0x8000) === 0) && ((limit >>> 20) === 0 || (a & 0x8000) !== 0);
/** AR reserved bits 11:8 and 31:17 are 0. */
const arRsvdOk = (a: number): boolean => (a & 0xfffe0f00) === 0;
const DATA_SEGS = [
  [F.GUEST_DS_AR_BYTES, F.GUEST_DS_LIMIT], [F.GUEST_ES_AR_BYTES, F.GUEST_ES_LIMIT],
  [F.GUEST_FS_AR_BYTES, F.GUEST_FS_LIMIT], [F.GUEST_GS_AR_BYTES, F.GUEST_GS_LIMIT],
] as const;
const ALL_SEGS = [[F.GUEST_CS_AR_BYTES, F.GUEST_CS_LIMIT], [F.GUEST_SS_AR_BYTES, F.GUEST_SS_LIMIT], ...DATA_SEGS] as const;

export const GUEST_CHECKS: readonly EntryCheck[] = [
  // 27.3.1.1 control registers, debug registers and MSRs
  G('guest.cr0.fixed', '27.3.1.1', 'guest CR0 has the bits IA32_VMX_CR0_FIXED0/1 require (PE and PG may be 0 with "unrestricted guest")',
    (v) => {
      const need = unrestricted(v) ? CR0_FIXED0 & ~0x80000001 : CR0_FIXED0;
      return (v.lo(F.GUEST_CR0) & need) === need && v.hi(F.GUEST_CR0) === 0;
    }),
  G('guest.cr0.pg_pe', '27.3.1.1', 'guest CR0.PG=1 requires CR0.PE=1', (v) => (v.lo(F.GUEST_CR0) & 0x80000001) !== 0x80000000),
  G('guest.cr4.fixed', '27.3.1.1', 'guest CR4 has the bits IA32_VMX_CR4_FIXED0/1 require',
    (v, c) => (v.lo(F.GUEST_CR4) & CR4_FIXED0) === CR4_FIXED0 && (v.lo(F.GUEST_CR4) & ~cr4Allowed(c)) === 0 && v.hi(F.GUEST_CR4) === 0),
  G('guest.ia32e.paging', '27.3.1.1', 'with "IA-32e mode guest", CR0.PG and CR4.PAE are 1',
    (v) => !ia32e(v) || ((v.lo(F.GUEST_CR0) & 0x80000000) !== 0 && (v.lo(F.GUEST_CR4) & 0x20) !== 0)),
  G('guest.pcide', '27.3.1.1', 'without "IA-32e mode guest", CR4.PCIDE is 0', (v) => ia32e(v) || (v.lo(F.GUEST_CR4) & (1 << 17)) === 0),
  G('guest.cr3.width', '27.3.1.1', 'guest CR3 has no bits set beyond the physical-address width', (v, c) => inWidth(c, v.hi(F.GUEST_CR3))),
  G('guest.dr7', '27.3.1.1', 'with "load debug controls", DR7 bits 63:32 are 0',
    (v) => (entryCtl(v) & ENTRY.LOAD_DEBUG_CONTROLS) === 0 || v.hi(F.GUEST_DR7) === 0),
  G('guest.sysenter.canonical', '27.3.1.1', 'guest IA32_SYSENTER_ESP and _EIP are canonical',
    (v) => isCanonical(v.hi(F.GUEST_SYSENTER_ESP)) && isCanonical(v.hi(F.GUEST_SYSENTER_EIP))),
  G('guest.pat', '27.3.1.1', 'with "load IA32_PAT", every guest PAT entry is a valid memory type',
    (v) => (entryCtl(v) & ENTRY.LOAD_PAT) === 0 || patOk(v.lo(F.GUEST_IA32_PAT), v.hi(F.GUEST_IA32_PAT))),
  G('guest.efer', '27.3.1.1', 'with "load IA32_EFER", reserved bits are 0, LMA equals "IA-32e mode guest", and LMA equals LME if CR0.PG=1',
    (v) => {
      if ((entryCtl(v) & ENTRY.LOAD_EFER) === 0) return true;
      const e = v.lo(F.GUEST_IA32_EFER), lma = (e >>> 10) & 1, lme = (e >>> 8) & 1;
      return (e & ~0xd01) === 0 && v.hi(F.GUEST_IA32_EFER) === 0 && lma === (ia32e(v) ? 1 : 0)
        && ((v.lo(F.GUEST_CR0) & 0x80000000) === 0 || lma === lme);
    }),
  // 27.3.1.2 segment registers (guest not in virtual-8086 mode; unrestricted guest not supported)
  G('guest.rflags.vm', '27.3.1.4', 'RFLAGS.VM is 0 with "IA-32e mode guest" or CR0.PE=0',
    (v) => (!ia32e(v) && (v.lo(F.GUEST_CR0) & 1) !== 0) || (v.lo(F.GUEST_RFLAGS) & (1 << 17)) === 0),
  G('guest.tr.ti', '27.3.1.2', 'TR selector TI flag is 0', (v) => (v.lo(F.GUEST_TR_SELECTOR) & 4) === 0),
  G('guest.ldtr.ti', '27.3.1.2', 'LDTR selector TI flag is 0 if LDTR is usable',
    (v) => !usable(v, F.GUEST_LDTR_AR_BYTES) || (v.lo(F.GUEST_LDTR_SELECTOR) & 4) === 0),
  G('guest.ss.rpl', '27.3.1.2', 'SS.RPL equals CS.RPL', (v) => (v.lo(F.GUEST_SS_SELECTOR) & 3) === (v.lo(F.GUEST_CS_SELECTOR) & 3)),
  G('guest.base.canonical', '27.3.1.2', 'TR, FS, GS bases (and LDTR if usable) are canonical',
    (v) => isCanonical(v.hi(F.GUEST_TR_BASE)) && isCanonical(v.hi(F.GUEST_FS_BASE)) && isCanonical(v.hi(F.GUEST_GS_BASE))
      && (!usable(v, F.GUEST_LDTR_AR_BYTES) || isCanonical(v.hi(F.GUEST_LDTR_BASE)))),
  G('guest.base.hi', '27.3.1.2', 'CS base bits 63:32 are 0; SS, DS, ES base bits 63:32 are 0 if usable',
    (v) => v.hi(F.GUEST_CS_BASE) === 0 && [[F.GUEST_SS_BASE, F.GUEST_SS_AR_BYTES], [F.GUEST_DS_BASE, F.GUEST_DS_AR_BYTES],
      [F.GUEST_ES_BASE, F.GUEST_ES_AR_BYTES]].every(([b, a]) => !usable(v, a) || v.hi(b) === 0)),
  G('guest.cs.type', '27.3.1.2', 'CS type is 9, 11, 13 or 15 (accessed code)', (v) => [9, 11, 13, 15].includes(type(ar(v, F.GUEST_CS_AR_BYTES)))),
  G('guest.ss.type', '27.3.1.2', 'SS type is 3 or 7 if usable',
    (v) => !usable(v, F.GUEST_SS_AR_BYTES) || [3, 7].includes(type(ar(v, F.GUEST_SS_AR_BYTES)))),
  G('guest.data.type', '27.3.1.2', 'usable DS, ES, FS, GS are accessed, and readable if code',
    (v) => DATA_SEGS.every(([a]) => !usable(v, a) || ((ar(v, a) & 1) !== 0 && ((ar(v, a) & 8) === 0 || (ar(v, a) & 2) !== 0)))),
  G('guest.seg.s', '27.3.1.2', 'CS, and usable SS, DS, ES, FS, GS, are code/data segments (S=1)',
    (v) => ALL_SEGS.every(([a], k) => (k > 0 && !usable(v, a)) || (ar(v, a) & 0x10) !== 0)),
  G('guest.cs.dpl', '27.3.1.2', 'CS.DPL equals SS.DPL for non-conforming code, is at most SS.DPL for conforming code',
    (v) => {
      const cs = ar(v, F.GUEST_CS_AR_BYTES), ss = ar(v, F.GUEST_SS_AR_BYTES);
      return type(cs) <= 11 ? dpl(cs) === dpl(ss) : dpl(cs) <= dpl(ss);
    }),
  G('guest.ss.dpl', '27.3.1.2', 'SS.DPL equals SS.RPL', (v) => dpl(ar(v, F.GUEST_SS_AR_BYTES)) === (v.lo(F.GUEST_SS_SELECTOR) & 3)),
  G('guest.data.dpl', '27.3.1.2', 'usable DS, ES, FS, GS that are data or non-conforming code have DPL >= RPL',
    (v) => [[F.GUEST_DS_AR_BYTES, F.GUEST_DS_SELECTOR], [F.GUEST_ES_AR_BYTES, F.GUEST_ES_SELECTOR],
      [F.GUEST_FS_AR_BYTES, F.GUEST_FS_SELECTOR], [F.GUEST_GS_AR_BYTES, F.GUEST_GS_SELECTOR]].every(([a, s]) =>
      !usable(v, a) || type(ar(v, a)) >= 12 || dpl(ar(v, a)) >= (v.lo(s) & 3))),
  G('guest.seg.present', '27.3.1.2', 'CS, and usable SS, DS, ES, FS, GS, are present',
    (v) => ALL_SEGS.every(([a], k) => (k > 0 && !usable(v, a)) || (ar(v, a) & 0x80) !== 0)),
  G('guest.seg.reserved', '27.3.1.2', 'access-rights bits 11:8 and 31:17 are 0 for CS and usable SS, DS, ES, FS, GS',
    (v) => ALL_SEGS.every(([a], k) => (k > 0 && !usable(v, a)) || arRsvdOk(ar(v, a)))),
  G('guest.cs.db', '27.3.1.2', 'with "IA-32e mode guest" and CS.L=1, CS.D/B is 0',
    (v) => !ia32e(v) || (ar(v, F.GUEST_CS_AR_BYTES) & 0x2000) === 0 || (ar(v, F.GUEST_CS_AR_BYTES) & 0x4000) === 0),
  G('guest.seg.granularity', '27.3.1.2', 'limit and G flag are consistent for CS and usable SS, DS, ES, FS, GS',
    (v) => ALL_SEGS.every(([a, l], k) => (k > 0 && !usable(v, a)) || granOk(v.lo(l), ar(v, a)))),
  G('guest.tr.type', '27.3.1.2', 'TR is a busy TSS (type 11; 3 allowed outside IA-32e mode), S=0, present, usable',
    (v) => {
      const a = ar(v, F.GUEST_TR_AR_BYTES);
      return (type(a) === 11 || (!ia32e(v) && type(a) === 3)) && (a & 0x10) === 0 && (a & 0x80) !== 0 && (a & 0x10000) === 0
        && arRsvdOk(a) && granOk(v.lo(F.GUEST_TR_LIMIT), a);
    }),
  G('guest.ldtr.type', '27.3.1.2', 'a usable LDTR is type 2, S=0, present, with consistent granularity',
    (v) => {
      const a = ar(v, F.GUEST_LDTR_AR_BYTES);
      return !usable(v, F.GUEST_LDTR_AR_BYTES) || (type(a) === 2 && (a & 0x10) === 0 && (a & 0x80) !== 0 && arRsvdOk(a)
        && granOk(v.lo(F.GUEST_LDTR_LIMIT), a));
    }),
  // 27.3.1.3 descriptor-table registers
  G('guest.dtr', '27.3.1.3', 'GDTR and IDTR bases are canonical and limits have bits 31:16 clear',
    (v) => isCanonical(v.hi(F.GUEST_GDTR_BASE)) && isCanonical(v.hi(F.GUEST_IDTR_BASE))
      && (v.lo(F.GUEST_GDTR_LIMIT) >>> 16) === 0 && (v.lo(F.GUEST_IDTR_LIMIT) >>> 16) === 0),
  // 27.3.1.4 RIP and RFLAGS
  G('guest.rip', '27.3.1.4', 'RIP bits 63:32 are 0 unless in IA-32e mode with CS.L=1, then RIP is canonical',
    (v) => ia32e(v) && (ar(v, F.GUEST_CS_AR_BYTES) & 0x2000) !== 0 ? isCanonical(v.hi(F.GUEST_RIP)) : v.hi(F.GUEST_RIP) === 0),
  G('guest.rflags.reserved', '27.3.1.4', 'RFLAGS bits 63:22, 15, 5, 3 are 0 and bit 1 is 1',
    (v) => v.hi(F.GUEST_RFLAGS) === 0 && (v.lo(F.GUEST_RFLAGS) & 0xffc08028) === 0 && (v.lo(F.GUEST_RFLAGS) & 2) !== 0),
  G('guest.rflags.if', '27.3.1.4', 'RFLAGS.IF is 1 when an external interrupt is injected',
    (v) => !injValid(v) || injType(v) !== 0 || (v.lo(F.GUEST_RFLAGS) & 0x200) !== 0),
  // 27.3.1.5 non-register state
  G('guest.activity', '27.3.1.5', 'activity state is active (0) or HLT (1), the states IA32_VMX_MISC reports',
    (v) => v.lo(F.GUEST_ACTIVITY_STATE) <= 1),
  G('guest.activity.hlt', '27.3.1.5', 'HLT activity state requires SS.DPL 0',
    (v) => v.lo(F.GUEST_ACTIVITY_STATE) !== 1 || dpl(ar(v, F.GUEST_SS_AR_BYTES)) === 0),
  G('guest.intr.reserved', '27.3.1.5', 'interruptibility-state bits 31:5 are 0, and SMI blocking (bit 2) is 0 outside SMM',
    (v) => (v.lo(F.GUEST_INTERRUPTIBILITY_INFO) & 0xffffffe4) === 0),
  G('guest.intr.sti_movss', '27.3.1.5', 'blocking by STI and by MOV SS are not both set',
    (v) => (v.lo(F.GUEST_INTERRUPTIBILITY_INFO) & 3) !== 3),
  G('guest.intr.sti_if', '27.3.1.5', 'blocking by STI requires RFLAGS.IF=1',
    (v) => (v.lo(F.GUEST_INTERRUPTIBILITY_INFO) & 1) === 0 || (v.lo(F.GUEST_RFLAGS) & 0x200) !== 0),
  G('guest.intr.inject', '27.3.1.5', 'no STI or MOV SS blocking when injecting an external interrupt',
    (v) => !injValid(v) || injType(v) !== 0 || (v.lo(F.GUEST_INTERRUPTIBILITY_INFO) & 3) === 0),
  G('guest.pending_dbg', '27.3.1.5', 'pending debug exceptions: bits 63:17, 13 and 11:4 are 0',
    (v) => v.hi(F.GUEST_PENDING_DBG_EXCEPTIONS) === 0 && (v.lo(F.GUEST_PENDING_DBG_EXCEPTIONS) & 0xfffe2ff0) === 0),
];

/** 27.3.1.5: the VMCS link pointer, reported with exit qualification 4. */
export const LINK_POINTER_CHECK: EntryCheck = G('guest.vmcs_link', '27.3.1.5',
  'VMCS link pointer is FFFFFFFF_FFFFFFFFH, or 4-KByte aligned, within the physical-address width, with this revision identifier',
  (v, c) => {
    const lo = v.lo(F.VMCS_LINK_POINTER), hi = v.hi(F.VMCS_LINK_POINTER);
    if (lo === 0xffffffff && hi === 0xffffffff) return true;
    return (lo & 0xfff) === 0 && inWidth(c, hi) && hi === 0 && lo + 4 <= c.mem.size
      && (c.mem.read32(lo) & 0x7fffffff) === VMCS_REVISION;
  });
